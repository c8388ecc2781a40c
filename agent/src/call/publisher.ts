import type { LocalParticipant } from '@livekit/rtc-node';
import {
  DATA_TOPIC,
  ENGINES_ATTRIBUTE,
  STATE_ATTRIBUTE,
  encodeMessage,
  type AgentMessage,
  type ConversationState,
  type EnginesInfo,
  type Speaker,
  type TurnMetricsMessage,
} from '@voxanne/contracts/protocol';
import type { Logger } from './logger.ts';

/** Tells the room what the agent is doing: data messages for the live page, attributes for late joiners. */
export class RoomPublisher {
  constructor(
    private readonly participant: LocalParticipant,
    private readonly callId: string,
    private readonly logger: Logger,
  ) {}

  state(state: ConversationState, previous: ConversationState, atMs: number): void {
    this.#send({ v: 1, type: 'state', callId: this.callId, state, previous, atMs });
    this.#attributes({ [STATE_ATTRIBUTE]: state });
  }

  transcript(speaker: Speaker, id: string, text: string, final: boolean): void {
    this.#send({ v: 1, type: 'transcript', callId: this.callId, speaker, id, text, final });
  }

  metrics(metrics: TurnMetricsMessage): void {
    this.#send({ v: 1, type: 'metrics', callId: this.callId, metrics });
  }

  engines(engines: EnginesInfo): void {
    this.#send({ v: 1, type: 'engines', callId: this.callId, engines });
    this.#attributes({ [ENGINES_ATTRIBUTE]: JSON.stringify(engines) });
  }

  #send(m: AgentMessage): void {
    // Fire and forget: a display update must never hold up audio. A failure is logged, and the
    // next message carries the current truth again (state is also in the attribute).
    this.participant.publishData(encodeMessage(m), { reliable: true, topic: DATA_TOPIC }).catch((err: unknown) => {
      this.logger.warn({ err, type: m.type }, 'publish to room failed');
    });
  }

  #attributes(a: Record<string, string>): void {
    this.participant.setAttributes(a).catch((err: unknown) => {
      this.logger.warn({ err }, 'set participant attributes failed');
    });
  }
}
