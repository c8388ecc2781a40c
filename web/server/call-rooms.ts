import { RoomAgentDispatch, RoomServiceClient } from 'livekit-server-sdk';
import type { WebConfig } from './config.ts';

/**
 * How long LiveKit keeps a caller's room when nobody joins it (seconds, as LiveKit takes it). The page
 * joins within a second or two of receiving its token; an abandoned room (the tab closed in between)
 * closes by itself and releases the agent waiting in it.
 */
export const ROOM_EMPTY_TIMEOUT_SECONDS = 30;

/** Opens a caller's room before the caller joins it. */
export interface CallRooms {
  /** creates the room with Voxanne dispatched into it; rejects when LiveKit cannot be reached */
  open(room: string, opts?: { metadata?: string }): Promise<void>;
  /** closes a room the server opened (a bridged phone call that ended); absent in stand-ins */
  close?(room: string): Promise<void>;
}

export class CallRoomError extends Error {
  override name = 'CallRoomError';
}

/**
 * The room is created, with her dispatch, when the token is minted: her job starts while the
 * caller's browser is still connecting, so she is in the room, her track published and her greeting
 * ready by the time the caller arrives. (A room created by the caller's join would only dispatch her then.)
 */
export function livekitCallRooms(
  config: Pick<WebConfig, 'livekitUrl' | 'livekitApiKey' | 'livekitApiSecret' | 'agentName'>,
): CallRooms {
  const rooms = new RoomServiceClient(
    config.livekitUrl.replace(/^ws/, 'http'),
    config.livekitApiKey,
    config.livekitApiSecret,
  );
  return {
    async open(room, opts = {}) {
      try {
        await rooms.createRoom({
          name: room,
          emptyTimeout: ROOM_EMPTY_TIMEOUT_SECONDS,
          agents: [new RoomAgentDispatch({ agentName: config.agentName })],
          ...(opts.metadata ? { metadata: opts.metadata } : {}),
        });
      } catch (e) {
        throw new CallRoomError(`creating room ${room} failed: ${(e as Error).message}`);
      }
    },
    async close(room) {
      try {
        await rooms.deleteRoom(room);
      } catch (e) {
        // already gone (the agent closed it when the call ended) is the usual case
        if (!/not found|404/i.test((e as Error).message))
          throw new CallRoomError(`closing room ${room} failed: ${(e as Error).message}`);
      }
    },
  };
}
