/**
 * One Twilio ConversationRelay session, bridged into a LiveKit room as the caller. Twilio does the
 * hearing and the speaking; the call itself (job, state machine, brain, tools, records) is the agent's,
 * the same as on every channel (agent/src/phone/relay.ts). This edge only converts: `setup` → the room
 * is opened for the call and the bridge joins it as the caller (channel `twilio-relay`, masked number,
 * no audio track); `prompt` and `interrupt` → RELAY_TOPIC messages to the agent; `dtmf` → SIP DTMF
 * packets like LiveKit SIP's; her sentences → `text` tokens, and `last: true` when her state leaves
 * SPEAKING; a transfer (RPC from the agent) → `end` with handoffData, which Twilio hands to the
 * <Connect action> webhook that dials the person; a closed socket → the caller leaves, the room closes.
 */
import { ParticipantKind, RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import type { WebSocket } from 'ws';
import {
  DATA_TOPIC,
  RELAY_TOPIC,
  TWILIO_RELAY_CHANNEL,
  decodeMessage,
  decodeRelay,
  encodeRelay,
  type RelayMessage,
} from '@voxanne/contracts/protocol';
import { SocketBridge, type BridgeKind, type BridgeRoomDeps } from './bridge-room.ts';
import { endSession, parseRelayInbound, textToken } from './relay-messages.ts';
import type { StreamClaims } from './stream-token.ts';

/** Twilio sends `setup` as soon as the socket is open; a socket that sends none is not a call */
export const SETUP_TIMEOUT_MS = 10_000;
/** after the caller leaves, the agent's call ends at once; the room goes a moment later */
export const RELAY_ROOM_CLOSE_DELAY_MS = 1000;

const RELAY_SESSION: BridgeKind = {
  channel: TWILIO_RELAY_CHANNEL,
  texts: {
    ignored: 'relay message ignored',
    socketError: 'relay socket error',
    mismatch: 'relay session for another call than its token; closing',
    failed: 'relay bridge failed to start',
    ended: 'relay session ended',
  },
  beginTimeoutMs: SETUP_TIMEOUT_MS,
  notBegun: 'no setup message',
  roomCloseDelayMs: RELAY_ROOM_CLOSE_DELAY_MS,
};

export type RelayBridgeDeps = BridgeRoomDeps;

/** Runs one session until the socket closes. Never throws: every failure ends this call only. */
export function bridgeConversationRelay(ws: WebSocket, claims: StreamClaims, deps: RelayBridgeDeps): Promise<void> {
  return new RelayBridge(ws, claims, deps).run();
}

class RelayBridge extends SocketBridge {
  #setup = false;
  #ready = false;
  /** the caller's messages that came before the agent was listening, delivered once she is */
  #early: RelayMessage[] | undefined = [];
  /** her sentences sent since her reply began: `last: true` closes them when she stops speaking */
  #open = false;

  constructor(ws: WebSocket, claims: StreamClaims, deps: RelayBridgeDeps) {
    super(ws, claims, deps, RELAY_SESSION);
  }

  protected began(): boolean {
    return this.#setup;
  }

  protected onText(text: string): void {
    const e = parseRelayInbound(text);
    switch (e.type) {
      case 'setup':
        if (this.#setup) return this.ignore('second setup');
        this.#setup = true;
        return void this.#start(e.callSid);
      case 'prompt':
        // partial prompts are Twilio's interim words; only a finished utterance is a turn
        if (!e.last) return;
        if (!this.#ready) return this.ignore('prompt before the call is up');
        this.log.info({ chars: e.text.length }, 'relay prompt');
        return this.#toAgent({ v: 1, type: 'prompt', text: e.text });
      case 'interrupt':
        if (!this.#ready) return this.ignore('interrupt before the call is up');
        this.#open = false; // Twilio dropped the rest of her reply
        return this.#toAgent({ v: 1, type: 'interrupt', heard: e.heard, durationMs: e.durationMs });
      case 'dtmf':
        if (!this.#ready || !this.dtmf(e.digit)) this.ignore('dtmf before the call is up');
        return;
      case 'error':
        this.log.warn({ description: e.description }, 'twilio reported a relay error');
        return;
      case 'ignored':
        return this.ignore(e.reason);
    }
  }

  async #start(callSid: string): Promise<void> {
    if (!this.isTokensCall(callSid)) return;
    // subscribed to her (silent) track: that is what tells her a caller is listening, so she greets
    await this.join(() => {
      this.#ready = true;
      this.log.info({ room: this.roomName, caller: this.claims.callerMasked }, 'relay session bridged');
    });
  }

  protected wire(room: Room): void {
    room.on(RoomEvent.DataReceived, this.#onData);
  }

  #toAgent(m: RelayMessage): void {
    // Twilio speaks the welcome greeting while the agent joins: a caller quick to answer it is heard
    if (this.#early) return void (this.#early.length < 20 && this.#early.push(m));
    this.room!.localParticipant!.publishData(encodeRelay(m), { reliable: true, topic: RELAY_TOPIC }).catch(
      (err: unknown) => this.log.warn({ err: (err as Error).message }, 'relay message not delivered'),
    );
  }

  readonly #onData = (payload: Uint8Array, p?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (p?.kind !== ParticipantKind.AGENT) return;
    if (topic === RELAY_TOPIC) {
      const m = decodeRelay(payload);
      if (m?.type !== 'text') return;
      this.#open = true;
      return this.send(textToken(m.text, false));
    }
    if (topic !== DATA_TOPIC) return;
    const m = decodeMessage(payload);
    // her first state message: her call has started and listens from now on
    if (m?.type === 'state' && this.#early) {
      const early = this.#early;
      this.#early = undefined;
      for (const e of early) this.#toAgent(e);
    }
    // her reply is over when she stops speaking: Twilio gets the end of its talk cycle
    if (m?.type === 'state' && m.previous === 'SPEAKING' && m.state !== 'SPEAKING' && this.#open) {
      this.#open = false;
      if (m.state !== 'INTERRUPTED') this.send(textToken('', true));
    }
  };

  protected handOver(to: string): Promise<void> {
    // Twilio ends the session and posts handoffData to the <Connect action> URL, which dials `to`
    this.send(endSession(JSON.stringify({ reason: 'transfer', to })));
    this.log.info({ pii: { to } }, 'caller handed off through twilio');
    return Promise.resolve();
  }

  protected release(): Promise<void> {
    return Promise.resolve(); // no track, no stream: the room is all it holds
  }
}
