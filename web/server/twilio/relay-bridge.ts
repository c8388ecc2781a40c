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
import { randomBytes } from 'node:crypto';
import { ParticipantKind, Room, RoomEvent, RpcError, type RemoteParticipant } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import {
  CALLER_MASKED_ATTRIBUTE,
  CHANNEL_ATTRIBUTE,
  DATA_TOPIC,
  RELAY_TOPIC,
  TRANSFER_RPC_METHOD,
  TWILIO_RELAY_CHANNEL,
  decodeMessage,
  decodeRelay,
  encodeRelay,
  type RelayMessage,
} from '@voxanne/contracts/protocol';
import { randomName } from '@voxanne/contracts/call-room';
import type { CallRooms } from '../call-rooms.ts';
import { dtmfCode } from './media-messages.ts';
import { endSession, parseRelayInbound, textToken, type RelayInbound } from './relay-messages.ts';
import type { StreamClaims } from './stream-token.ts';
import { transferTarget } from './transfer-target.ts';

/** Twilio sends `setup` as soon as the socket is open; a socket that sends none is not a call */
export const SETUP_TIMEOUT_MS = 10_000;
/** after the caller leaves, the agent's call ends at once; the room goes a moment later */
export const RELAY_ROOM_CLOSE_DELAY_MS = 1000;

export interface RelayBridgeDeps {
  livekit: { url: string; apiKey: string; apiSecret: string };
  rooms: CallRooms;
  logger: Logger;
}

/** Runs one session until the socket closes. Never throws: every failure ends this call only. */
export function bridgeConversationRelay(ws: WebSocket, claims: StreamClaims, deps: RelayBridgeDeps): Promise<void> {
  return new RelayBridge(ws, claims, deps).run();
}

class RelayBridge {
  readonly #log: Logger;
  #room: Room | undefined;
  #roomName: string | undefined;
  #setup = false;
  #ready = false;
  /** the caller's messages that came before the agent was listening, delivered once she is */
  #early: RelayMessage[] | undefined = [];
  /** her sentences sent since her reply began: `last: true` closes them when she stops speaking */
  #open = false;
  #closed = false;
  #ignored = 0;
  #done!: () => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly claims: StreamClaims,
    private readonly deps: RelayBridgeDeps,
  ) {
    this.#log = deps.logger.child({ callSid: claims.callSid, tenant: claims.tenant, channel: TWILIO_RELAY_CHANNEL });
  }

  run(): Promise<void> {
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    const setupTimer = setTimeout(() => {
      if (!this.#setup) this.#close('no setup message');
    }, SETUP_TIMEOUT_MS);
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) return this.#ignore('binary frame');
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.from(data as ArrayBuffer).toString('utf8');
      this.#onEvent(parseRelayInbound(text));
    });
    this.ws.on('close', () => {
      clearTimeout(setupTimer);
      this.#close('socket closed');
    });
    this.ws.on('error', (err) => this.#log.warn({ err: err.message }, 'relay socket error'));
    return finished;
  }

  #ignore(reason: string): void {
    if (++this.#ignored <= 5) this.#log.warn({ reason, ignored: this.#ignored }, 'relay message ignored');
  }

  #onEvent(e: RelayInbound): void {
    if (this.#closed) return;
    switch (e.type) {
      case 'setup':
        if (this.#setup) return this.#ignore('second setup');
        this.#setup = true;
        return void this.#start(e.callSid);
      case 'prompt':
        // partial prompts are Twilio's interim words; only a finished utterance is a turn
        if (!e.last) return;
        if (!this.#ready) return this.#ignore('prompt before the call is up');
        this.#log.info({ chars: e.text.length }, 'relay prompt');
        return this.#toAgent({ v: 1, type: 'prompt', text: e.text });
      case 'interrupt':
        if (!this.#ready) return this.#ignore('interrupt before the call is up');
        this.#open = false; // Twilio dropped the rest of her reply
        return this.#toAgent({ v: 1, type: 'interrupt', heard: e.heard, durationMs: e.durationMs });
      case 'dtmf':
        if (!this.#ready) return this.#ignore('dtmf before the call is up');
        this.#log.info({ digit: e.digit }, 'dtmf');
        this.#room!.localParticipant!.publishDtmf(dtmfCode(e.digit), e.digit).catch((err: unknown) => {
          this.#log.warn({ err: (err as Error).message }, 'dtmf not delivered');
        });
        return;
      case 'error':
        this.#log.warn({ description: e.description }, 'twilio reported a relay error');
        return;
      case 'ignored':
        return this.#ignore(e.reason);
    }
  }

  async #start(callSid: string): Promise<void> {
    if (callSid !== this.claims.callSid) {
      this.#log.warn({}, 'relay session for another call than its token; closing');
      return this.#close('call mismatch');
    }
    const roomName = `twilio-${randomBytes(12).toString('base64url')}`;
    const identity = randomName('phone-', randomBytes);
    this.#roomName = roomName;
    const log = this.#log.child({ room: roomName });
    try {
      // the room names its one caller: the agent trusts no one else in it (agent/src/core/caller-trust.ts)
      await this.deps.rooms.open({
        room: roomName,
        metadata: { tenant: this.claims.tenant, channel: TWILIO_RELAY_CHANNEL, caller: identity },
      });
      const at = new AccessToken(this.deps.livekit.apiKey, this.deps.livekit.apiSecret, {
        identity,
        ttl: 10 * 60,
        attributes: { [CHANNEL_ATTRIBUTE]: TWILIO_RELAY_CHANNEL, [CALLER_MASKED_ATTRIBUTE]: this.claims.callerMasked },
      });
      at.addGrant({ room: roomName, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
      const room = new Room();
      this.#room = room;
      room.on(RoomEvent.DataReceived, this.#onData);
      room.on(RoomEvent.Disconnected, () => this.#close('room closed'));
      // subscribed to her (silent) track: that is what tells her a caller is listening, so she greets
      await room.connect(this.deps.livekit.url, await at.toJwt(), { autoSubscribe: true, dynacast: false });
      if (this.#closed) return void (await room.disconnect());
      room.localParticipant!.registerRpcMethod(TRANSFER_RPC_METHOD, (d) => this.#transfer(d.callerIdentity, d.payload));
      this.#ready = true;
      log.info({ caller: this.claims.callerMasked }, 'relay session bridged');
    } catch (err) {
      log.error({ err: (err as Error).message }, 'relay bridge failed to start');
      this.#close('bridge failed');
    }
  }

  #toAgent(m: RelayMessage): void {
    // Twilio speaks the welcome greeting while the agent joins: a caller quick to answer it is heard
    if (this.#early) return void (this.#early.length < 20 && this.#early.push(m));
    this.#room!.localParticipant!.publishData(encodeRelay(m), { reliable: true, topic: RELAY_TOPIC }).catch(
      (err: unknown) => this.#log.warn({ err: (err as Error).message }, 'relay message not delivered'),
    );
  }

  readonly #onData = (payload: Uint8Array, p?: RemoteParticipant, _kind?: unknown, topic?: string) => {
    if (p?.kind !== ParticipantKind.AGENT) return;
    if (topic === RELAY_TOPIC) {
      const m = decodeRelay(payload);
      if (m?.type !== 'text') return;
      this.#open = true;
      return this.#send(textToken(m.text, false));
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
      if (m.state !== 'INTERRUPTED') this.#send(textToken('', true));
    }
  };

  async #transfer(from: string, payload: string): Promise<string> {
    const agent = this.#room?.remoteParticipants.get(from);
    if (agent?.kind !== ParticipantKind.AGENT) throw new RpcError(1403, 'only the agent may transfer');
    const to = transferTarget(payload);
    if (typeof to !== 'string') throw new RpcError(1400, to.error);
    // Twilio ends the session and posts handoffData to the <Connect action> URL, which dials `to`
    this.#send(endSession(JSON.stringify({ reason: 'transfer', to })));
    this.#log.info({ pii: { to } }, 'caller handed off through twilio');
    return 'ok';
  }

  #send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  #close(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#log.info({ reason, room: this.#roomName, ignored: this.#ignored }, 'relay session ended');
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    const room = this.#room;
    void (async () => {
      if (room) await room.disconnect().catch(() => {});
      if (this.#roomName) {
        await new Promise((r) => setTimeout(r, RELAY_ROOM_CLOSE_DELAY_MS));
        await this.deps.rooms.close(this.#roomName).catch((err: unknown) => {
          this.#log.warn({ err: (err as Error).message }, 'closing the bridged room failed');
        });
      }
    })().finally(() => this.#done());
  }
}
