/**
 * What both Twilio socket bridges (Media Streams, ConversationRelay) do alike: read the socket's text
 * frames, count what they ignore, join a fresh room as its one caller, check a transfer request, and
 * leave the room behind them. Each bridge keeps only what its protocol does differently.
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
export function readSocket(
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
export class IgnoredMessages {
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
export interface BridgeEnds {
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
export async function joinAsCaller(
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
export function transferRequested(room: Room | undefined, from: string, payload: string): string {
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
export async function leaveBridgedRoom(
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
