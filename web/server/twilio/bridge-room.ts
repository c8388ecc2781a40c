/**
 * What both Twilio socket bridges (Media Streams, ConversationRelay) do alike, as the base class
 * `SocketBridge`: read the socket's text frames, count what they ignore, check the call is the
 * token's, join a fresh room as its one caller, check a transfer request, send, and on close leave
 * the room behind them. Each bridge (media-bridge.ts, relay-bridge.ts) writes only what its protocol
 * does differently: how it reads a message, when its call has begun, what it hears in the room, how
 * it hands a transfer to Twilio and what it releases on close.
 */
import { randomBytes } from 'node:crypto';
import { ParticipantKind, Room, RoomEvent, RpcError } from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import {
  CALLER_MASKED_ATTRIBUTE,
  CHANNEL_ATTRIBUTE,
  TRANSFER_RPC_METHOD,
  type TWILIO_MEDIA_CHANNEL,
  type TWILIO_RELAY_CHANNEL,
} from '@voxanne/contracts/protocol';
import { randomName } from '@voxanne/contracts/call-room';
import type { CallRooms } from '../call-rooms.ts';
import { dtmfCode } from './twilio-json.ts';
import type { StreamClaims } from './stream-token.ts';
import { transferTarget } from './transfer-target.ts';

export interface BridgeRoomDeps {
  livekit: { url: string; apiKey: string; apiSecret: string };
  rooms: CallRooms;
  logger: Logger;
}

/**
 * Feeds the socket's text frames to `onText` (binary frames are ignored), closes a socket whose call
 * has not begun within `beginTimeoutMs`, and closes the bridge when the socket closes.
 */
function readSocket(
  ws: WebSocket,
  o: {
    onText: (text: string) => void;
    ignore: (reason: string) => void;
    began: () => boolean;
    beginTimeoutMs: number;
    /** the close reason of a socket that never began */
    notBegun: string;
    close: (reason: string) => void;
    onError: (err: Error) => void;
  },
): void {
  const timer = setTimeout(() => {
    if (!o.began()) o.close(o.notBegun);
  }, o.beginTimeoutMs);
  ws.on('message', (data, isBinary) => {
    if (isBinary) return o.ignore('binary frame');
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    o.onText(text);
  });
  ws.on('close', () => {
    clearTimeout(timer);
    o.close('socket closed');
  });
  ws.on('error', o.onError);
}

/** Counts ignored messages, and logs the first few only: a broken client must not flood the log. */
class IgnoredMessages {
  count = 0;
  constructor(
    private readonly log: Logger,
    private readonly message: string,
  ) {}

  note(reason: string): void {
    if (++this.count <= 5) this.log.warn({ reason, ignored: this.count }, this.message);
  }
}

/** What joinAsCaller needs of a bridge: whether it has closed, how to close it, its transfer. */
interface BridgeEnds {
  closed(): boolean;
  close(reason: string): void;
  transfer(from: string, payload: string): Promise<string>;
}

/**
 * Opens a fresh room for the call, with server-chosen random names (never the number; its metadata
 * names its one caller, and the agent trusts no one else in it, see agent/src/core/caller-trust.ts),
 * and joins it as that caller. `wire` sees the room and its name before it connects. Resolves to
 * the joined room, or undefined when the bridge closed meanwhile (it has left again). Once joined,
 * the agent's transfer requests reach the bridge, and the room going away closes it.
 */
async function joinAsCaller(
  deps: BridgeRoomDeps,
  o: {
    claims: StreamClaims;
    channel: typeof TWILIO_MEDIA_CHANNEL | typeof TWILIO_RELAY_CHANNEL;
    bridge: BridgeEnds;
    wire: (room: Room, roomName: string) => void;
  },
): Promise<Room | undefined> {
  const roomName = randomName('twilio-', randomBytes);
  const identity = randomName('phone-', randomBytes);
  const room = new Room();
  o.wire(room, roomName);
  room.on(RoomEvent.Disconnected, () => o.bridge.close('room closed'));
  await deps.rooms.open({
    room: roomName,
    metadata: { tenant: o.claims.tenant, channel: o.channel, caller: identity },
  });
  const at = new AccessToken(deps.livekit.apiKey, deps.livekit.apiSecret, {
    identity,
    ttl: 10 * 60,
    attributes: { [CHANNEL_ATTRIBUTE]: o.channel, [CALLER_MASKED_ATTRIBUTE]: o.claims.callerMasked },
  });
  at.addGrant({ room: roomName, roomJoin: true, canPublish: true, canSubscribe: true, canPublishData: true });
  await room.connect(deps.livekit.url, await at.toJwt(), { autoSubscribe: true, dynacast: false });
  if (o.bridge.closed()) {
    await room.disconnect();
    return undefined;
  }
  room.localParticipant!.registerRpcMethod(TRANSFER_RPC_METHOD, (d) => o.bridge.transfer(d.callerIdentity, d.payload));
  return room;
}

/** The number a transfer request asks for, once it is known to come from the agent of this room. */
function transferRequested(room: Room | undefined, from: string, payload: string): string {
  const agent = room?.remoteParticipants.get(from);
  if (agent?.kind !== ParticipantKind.AGENT) throw new RpcError(1403, 'only the agent may transfer');
  const to = transferTarget(payload);
  if (typeof to !== 'string') throw new RpcError(1400, to.error);
  return to;
}

/**
 * The caller leaves: the agent ends the call and writes its records; the room is closed a moment
 * later (her records go through the web server, not the room), so none is left behind.
 */
async function leaveBridgedRoom(
  deps: BridgeRoomDeps,
  room: Room | undefined,
  roomName: string | undefined,
  delayMs: number,
  log: Logger,
): Promise<void> {
  if (room) await room.disconnect().catch(() => {});
  if (!roomName) return;
  await new Promise((r) => setTimeout(r, delayMs));
  await deps.rooms.close(roomName).catch((err: unknown) => {
    log.warn({ err: (err as Error).message }, 'closing the bridged room failed');
  });
}

/** A bridge's fixed log texts (operators and the integration tests read them), one set per protocol. */
export interface BridgeTexts {
  ignored: string;
  socketError: string;
  mismatch: string;
  failed: string;
  ended: string;
}

export interface BridgeKind {
  channel: typeof TWILIO_MEDIA_CHANNEL | typeof TWILIO_RELAY_CHANNEL;
  texts: BridgeTexts;
  /** Twilio opens with its first message at once; a socket that sends none within this is not a call */
  beginTimeoutMs: number;
  /** the close reason of a socket that never began */
  notBegun: string;
  /** after the caller leaves, the agent's call ends at once; the room goes this much later */
  roomCloseDelayMs: number;
}

/**
 * One Twilio socket bridged into a LiveKit room as the caller, until the socket closes. `run()` never
 * throws: every failure ends this call only.
 */
export abstract class SocketBridge {
  protected readonly log: Logger;
  protected room: Room | undefined;
  protected roomName: string | undefined;
  protected closed = false;
  readonly #ignored: IgnoredMessages;
  #done!: () => void;
  readonly #ends: BridgeEnds = {
    closed: () => this.closed,
    close: (reason) => this.close(reason),
    transfer: async (from, payload) => {
      await this.handOver(transferRequested(this.room, from, payload));
      return 'ok';
    },
  };

  constructor(
    protected readonly ws: WebSocket,
    protected readonly claims: StreamClaims,
    protected readonly deps: BridgeRoomDeps,
    private readonly kind: BridgeKind,
  ) {
    this.log = deps.logger.child({ callSid: claims.callSid, tenant: claims.tenant, channel: kind.channel });
    this.#ignored = new IgnoredMessages(this.log, kind.texts.ignored);
  }

  run(): Promise<void> {
    const finished = new Promise<void>((resolve) => (this.#done = resolve));
    readSocket(this.ws, {
      onText: (text) => {
        if (!this.closed) this.onText(text);
      },
      ignore: (reason) => this.ignore(reason),
      began: () => this.began(),
      beginTimeoutMs: this.kind.beginTimeoutMs,
      notBegun: this.kind.notBegun,
      close: this.#ends.close,
      onError: (err) => this.log.warn({ err: err.message }, this.kind.texts.socketError),
    });
    return finished;
  }

  /** one text frame of the socket, while the bridge is open */
  protected abstract onText(text: string): void;
  /** whether the call's first message came (`start`, `setup`) */
  protected abstract began(): boolean;
  /** listens to the room, before it connects */
  protected abstract wire(room: Room): void;
  /** the agent asked to transfer the caller to `to` (checked): Twilio is told how */
  protected abstract handOver(to: string): Promise<void>;
  /** what the bridge holds besides the room, released as it closes (the room is left after this) */
  protected abstract release(): Promise<void>;

  protected ignore(reason: string): void {
    this.#ignored.note(reason);
  }

  /** false (and the bridge closing) when the socket's call is not the one its token was signed for */
  protected isTokensCall(callSid: string): boolean {
    if (callSid === this.claims.callSid) return true;
    this.log.warn({}, this.kind.texts.mismatch);
    this.close('call mismatch');
    return false;
  }

  /**
   * Joins the call's room as its caller, then `joined` does what the protocol needs (publish a
   * track, take messages); a failure of either closes the bridge. Nothing happens if it closed meanwhile.
   */
  protected async join(joined: (room: Room) => Promise<void> | void): Promise<void> {
    try {
      const room = await joinAsCaller(this.deps, {
        claims: this.claims,
        channel: this.kind.channel,
        bridge: this.#ends,
        wire: (room, roomName) => {
          this.room = room;
          this.roomName = roomName;
          this.wire(room);
        },
      });
      if (room) await joined(room);
    } catch (err) {
      this.log.error({ room: this.roomName, err: (err as Error).message }, this.kind.texts.failed);
      this.close('bridge failed');
    }
  }

  /** a keypad digit, passed on as SIP DTMF like LiveKit SIP's (false: the call is not up yet) */
  protected dtmf(digit: string): boolean {
    const me = this.room?.localParticipant;
    if (!me) return false;
    this.log.info({ digit }, 'dtmf');
    me.publishDtmf(dtmfCode(digit), digit).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message }, 'dtmf not delivered');
    });
    return true;
  }

  protected send(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  protected close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ reason, room: this.roomName, ignored: this.#ignored.count }, this.kind.texts.ended);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    const room = this.room;
    void (async () => {
      await this.release();
      await leaveBridgedRoom(this.deps, room, this.roomName, this.kind.roomCloseDelayMs, this.log);
    })().finally(() => this.#done());
  }
}
