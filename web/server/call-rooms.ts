import { RoomAgentDispatch, RoomServiceClient } from 'livekit-server-sdk';
import {
  encodeCallRoomMetadata,
  isUnclaimedStandby,
  parseCallRoomMetadata,
  type CallRoomMetadata,
} from '@voxanne/contracts/call-room';
import type { StandbyRooms } from './standby-pool.ts';
import type { WebConfig } from './config.ts';

/**
 * How long LiveKit keeps a caller's room when nobody joins it (seconds, as LiveKit takes it). The page
 * joins within a second or two of receiving its token; an abandoned room (the tab closed in between)
 * closes by itself and releases the agent waiting in it.
 */
export const ROOM_EMPTY_TIMEOUT_SECONDS = 30;
/**
 * A web call's room admits one participant besides agents (LiveKit does not count agent participants
 * against max_participants): its caller. A second join with any other identity is refused by LiveKit.
 */
export const WEB_ROOM_MAX_PARTICIPANTS = 1;
/**
 * How long the web server waits for a worker to take the call's job before it tells the page that every
 * line is busy. A worker answers a job request when it arrives (agent/src/worker/admission.ts); one that
 * refuses marks the room busy, which ends the wait at once. This bound covers no worker at all.
 */
export const AGENT_ASSIGN_WAIT_MS = 4000;
/** after a refusal LiveKit asks the next worker straight away: this long for another one to take the job */
export const BUSY_GRACE_MS = 150;
const ASSIGN_POLL_MS = 25;

export type AgentAnswer = 'taken' | 'refused' | 'no-answer';

export interface CallRoomSpec {
  room: string;
  metadata: CallRoomMetadata;
  /** how long LiveKit keeps it while nobody joins (default ROOM_EMPTY_TIMEOUT_SECONDS; a standby's is longer) */
  emptyTimeoutSeconds?: number;
}

/** ParticipantInfo.Kind.AGENT (livekit_models.proto); livekit-server-sdk does not export the enum */
const AGENT_KIND = 4;

/** Opens a caller's room before the caller joins it. */
export interface CallRooms {
  /** creates the room with Voxanne dispatched into it; rejects when LiveKit cannot be reached */
  open(spec: CallRoomSpec): Promise<void>;
  /** 'taken' once a worker has taken the room's job; 'refused' when workers refused it; 'no-answer' after waitMs */
  agentAssigned(room: string, waitMs: number): Promise<AgentAnswer>;
  /** closes a room (its call is refused); never rejects */
  close(room: string): Promise<void>;
  /** which of these rooms still exist */
  alive(rooms: string[]): Promise<Set<string>>;
}

export class CallRoomError extends Error {
  override name = 'CallRoomError';
  /** LiveKit is up but took no room: no node of it is available (overloaded, or its stats stale) */
  readonly full: boolean;
  constructor(message: string, o: { full?: boolean } = {}) {
    super(message);
    this.full = o.full ?? false;
  }
}

/** livekit-server's answer when its node selector finds no node to put a room on (routing/selector) */
const NO_NODE_AVAILABLE = 'could not find any available nodes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The room is created, with her dispatch, when the token is minted: her job starts while the
 * caller's browser is still connecting, so she is in the room, her track published and her greeting
 * ready by the time the caller arrives. (A room created by the caller's join would only dispatch her then.)
 */
export function livekitCallRooms(
  config: Pick<WebConfig, 'livekitUrl' | 'livekitApiKey' | 'livekitApiSecret' | 'agentName'>,
): CallRooms & StandbyRooms {
  const http = config.livekitUrl.replace(/^ws/, 'http');
  const rooms = new RoomServiceClient(http, config.livekitApiKey, config.livekitApiSecret);
  return {
    async open({ room, metadata, emptyTimeoutSeconds }) {
      try {
        await rooms.createRoom({
          name: room,
          emptyTimeout: emptyTimeoutSeconds ?? ROOM_EMPTY_TIMEOUT_SECONDS,
          maxParticipants: WEB_ROOM_MAX_PARTICIPANTS,
          metadata: encodeCallRoomMetadata(metadata),
          agents: [new RoomAgentDispatch({ agentName: config.agentName })],
        });
      } catch (e) {
        const message = (e as Error).message;
        throw new CallRoomError(`creating a call room failed: ${message}`, {
          full: message.includes(NO_NODE_AVAILABLE),
        });
      }
    },
    async agentAssigned(room, waitMs) {
      // the worker that takes the job marks the room taken; one that refuses it marks it busy
      const until = Date.now() + waitMs;
      let busySince: number | undefined;
      for (;;) {
        const [r] = await rooms.listRooms([room]).catch(() => []);
        const marks = parseCallRoomMetadata(r?.metadata);
        if (marks.taken) return 'taken';
        const now = Date.now();
        if (marks.busy) busySince ??= now;
        if (busySince !== undefined && now - busySince >= BUSY_GRACE_MS) return 'refused';
        if (now >= until) return 'no-answer';
        await sleep(ASSIGN_POLL_MS);
      }
    },
    async close(room) {
      await rooms.deleteRoom(room).catch(() => undefined); // already gone: nothing to close
    },
    async alive(names) {
      if (names.length === 0) return new Set();
      const list = await rooms.listRooms(names);
      return new Set(list.map((r) => r.name));
    },
    async agentReady(room, waitMs) {
      const until = Date.now() + waitMs;
      for (;;) {
        const people = await rooms.listParticipants(room).catch(() => undefined);
        if (!people) return false; // the room is gone
        if (people.some((p) => p.kind === AGENT_KIND && p.tracks.length > 0)) return true;
        if (Date.now() >= until) return false;
        await sleep(ASSIGN_POLL_MS);
      }
    },
    async setMetadata(room, metadata) {
      await rooms.updateRoomMetadata(room, encodeCallRoomMetadata(metadata));
    },
    async unclaimedStandbys() {
      const list = await rooms.listRooms();
      return list.filter((r) => isUnclaimedStandby(parseCallRoomMetadata(r.metadata))).map((r) => r.name);
    },
  };
}
