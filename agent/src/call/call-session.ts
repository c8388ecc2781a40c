import { llm, stt, type tts } from '@livekit/agents';
import { RoomEvent, type AudioFrame, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import type { Clock } from '../core/clock.ts';
import type { EnginesInfo } from '../core/protocol.ts';
import { initialMachine, transition, type ConversationEvent, type Effect, type Machine } from '../core/state-machine.ts';
import { AudioOut } from './audio-out.ts';
import { CallerAudio } from './caller-audio.ts';
import type { Logger } from './logger.ts';
import { RoomPublisher } from './publisher.ts';
import { llmText, playChunks, synthesizeChunks, type SpeechChunk } from './reply.ts';

export interface Engines {
  stt: stt.STT;
  llm: llm.LLM;
  tts: tts.TTS;
  info: EnginesInfo;
}

export interface CallSessionOptions {
  callId: string;
  room: Room;
  caller: RemoteParticipant;
  engines: Engines;
  greeting: { text: string; audio?: AudioFrame[] };
  clock: Clock;
  logger: Logger;
}

/**
 * One call: owns the conversation state machine and performs its effects with the room, the
 * caller's audio, the engines and her voice. All decisions are in core/state-machine.ts.
 */
export class CallSession {
  #machine: Machine;
  readonly #startedAt: number;
  readonly #out: AudioOut;
  readonly #pub: RoomPublisher;
  readonly #listener: CallerAudio;
  readonly #chat = llm.ChatContext.empty();
  readonly #log: Logger;
  /** caller words recognised but not yet answered */
  #pendingUser: string[] = [];
  /** what the agent says next when she takes the floor by herself */
  #agentLine: { text: string; audio?: AudioFrame[] } | undefined;
  #reply: { turn: number; abort: AbortController } | undefined;
  #userSegment = 0;
  #endResolve!: (reason: string) => void;
  /** resolves with the reason once the call is over */
  readonly ended: Promise<string> = new Promise((r) => (this.#endResolve = r));

  constructor(private readonly o: CallSessionOptions) {
    this.#startedAt = o.clock.now();
    this.#machine = initialMachine(0);
    this.#log = o.logger; // already carries callId and room
    this.#out = new AudioOut(o.engines.tts.sampleRate);
    this.#pub = new RoomPublisher(o.room.localParticipant!, o.callId, this.#log);
    this.#listener = new CallerAudio(o.room, o.caller, o.engines.stt, (ev) => this.#onSpeech(ev), this.#log);
  }

  get state(): Machine['state'] {
    return this.#machine.state;
  }

  async start(): Promise<void> {
    await this.#out.publish(this.o.room.localParticipant!);
    this.#pub.engines(this.o.engines.info);
    this.o.room.on(RoomEvent.ParticipantDisconnected, this.#onLeave);
    this.o.room.on(RoomEvent.Disconnected, this.#onDisconnected);
    this.#dispatch({ type: 'call_start' });
    this.#listener.start();
    this.#agentLine = this.o.greeting;
    this.#dispatch({ type: 'turn_end', source: 'agent' });
  }

  end(reason: string): void {
    if (this.#machine.state === 'IDLE') return;
    this.#dispatch({ type: 'call_end', reason });
  }

  readonly #onLeave = (p: RemoteParticipant) => {
    if (p.identity === this.o.caller.identity) this.end('caller left');
  };
  readonly #onDisconnected = () => this.end('room disconnected');

  #now(): number {
    return this.o.clock.now() - this.#startedAt;
  }

  #dispatch(event: ConversationEvent): void {
    const r = transition(this.#machine, event, this.#now());
    if (r.rejected) {
      this.#log.debug({ event: event.type, state: this.#machine.state }, 'event ignored in this state');
      return;
    }
    this.#machine = r.machine;
    for (const effect of r.effects) this.#perform(effect);
  }

  #perform(e: Effect): void {
    switch (e.type) {
      case 'state_changed':
        this.#log.info({ from: e.from, to: e.to, atMs: Math.round(e.atMs), turn: e.turn }, 'state');
        this.#pub.state(e.to, e.from, e.atMs);
        if (e.to === 'LISTENING' && this.#pendingUser.length) {
          // words that arrived while she was busy: answer them now (deferred: we are inside a dispatch)
          queueMicrotask(() => this.#takeUserTurn());
        }
        break;
      case 'start_reply':
        void this.#runReply(e.turn, e.source);
        break;
      case 'stop_audio':
        this.#out.stop();
        break;
      case 'cancel_reply':
        this.#reply?.abort.abort();
        break;
      case 'end_call':
        this.#log.info({ reason: e.reason }, 'call ended');
        this.#shutdown(e.reason);
        break;
    }
  }

  #onSpeech(ev: stt.SpeechEvent): void {
    switch (ev.type) {
      case stt.SpeechEventType.START_OF_SPEECH:
        if (this.#machine.state === 'SPEAKING') this.#dispatch({ type: 'barge_in' });
        break;
      case stt.SpeechEventType.INTERIM_TRANSCRIPT: {
        const text = ev.alternatives?.[0]?.text.trim();
        if (text) this.#pub.transcript('user', `u${this.#userSegment}`, text, false);
        break;
      }
      case stt.SpeechEventType.FINAL_TRANSCRIPT: {
        const text = ev.alternatives?.[0]?.text.trim();
        if (!text) break; // noise or a cough: nothing was said
        this.#pub.transcript('user', `u${this.#userSegment++}`, text, true);
        this.#log.info({ pii: { text } }, 'caller said');
        this.#pendingUser.push(text);
        if (this.#machine.state === 'LISTENING') this.#takeUserTurn();
        break;
      }
      default:
        break;
    }
  }

  #takeUserTurn(): void {
    if (this.#machine.state !== 'LISTENING' || !this.#pendingUser.length) return;
    this.#chat.addMessage({ role: 'user', content: this.#pendingUser.join(' ') });
    this.#pendingUser = [];
    this.#dispatch({ type: 'turn_end', source: 'user' });
  }

  async #runReply(turn: number, source: 'user' | 'agent'): Promise<void> {
    const abort = new AbortController();
    this.#reply = { turn, abort };
    const { signal } = abort;
    const id = `a${turn}`;
    let chunks: AsyncIterable<SpeechChunk>;
    const line = source === 'agent' ? this.#agentLine : undefined;
    this.#agentLine = undefined;
    if (line?.audio) {
      chunks = toAsync([{ text: line.text, audio: toAsync(line.audio), cancel: () => {} }]);
    } else if (line) {
      chunks = synthesizeChunks(toAsync([line.text]), this.o.engines.tts, signal);
    } else {
      chunks = synthesizeChunks(llmText(this.o.engines.llm, this.#chat, signal), this.o.engines.tts, signal);
    }
    let spoken = '';
    let audioStarted = false;
    try {
      const result = await playChunks(
        chunks,
        this.#out,
        {
          onFirstAudio: () => {
            audioStarted = true;
            this.#dispatch({ type: 'reply_audio' });
          },
          onChunk: (text) => this.#pub.transcript('agent', id, text, false),
        },
        signal,
      );
      spoken = result.spoken;
    } catch (err) {
      this.#log.error({ err, turn }, 'reply failed');
    } finally {
      if (spoken) {
        this.#chat.addMessage({ role: 'assistant', content: spoken });
        this.#pub.transcript('agent', id, spoken, true);
      }
      if (this.#reply?.turn === turn) this.#reply = undefined;
      if (signal.aborted) {
        if (this.#machine.state === 'INTERRUPTED') this.#dispatch({ type: 'flushed' });
      } else {
        this.#dispatch(audioStarted ? { type: 'reply_done' } : { type: 'reply_cancelled', reason: 'no audio' });
      }
    }
  }

  #shutdown(reason: string): void {
    this.o.room.off(RoomEvent.ParticipantDisconnected, this.#onLeave);
    this.o.room.off(RoomEvent.Disconnected, this.#onDisconnected);
    this.#listener.close();
    void this.#out.close().catch((err: unknown) => this.#log.warn({ err }, 'closing audio output failed'));
    this.#endResolve(reason);
  }
}

async function* toAsync<T>(items: T[]): AsyncIterable<T> {
  yield* items;
}
