/**
 * The reaper: a call record left `in_progress` with no LiveKit room behind it is closed. A worker or
 * job process that died, or a records queue that never got its "end" through, would otherwise leave
 * the call on the Live page for hours. Run by the web server (it holds the LiveKit API key) every
 * VOXANNE_REAPER_INTERVAL_MS; the decision is pure (reapable()), the effect is one guarded update.
 */
import type { Logger } from 'pino';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { Db } from '../db/db.ts';
import { iso } from '../db/db.ts';
import { liveCall, refreshMinute } from '../db/calls.ts';
import type { LiveHub } from './live-hub.ts';

export interface OpenCall {
  id: string;
  tenantId: string;
  room: string;
  /** the last sign of life: the latest state change, else the start */
  lastActivity: string;
}

export const REAP_REASON = 'no LiveKit room behind the call';

/**
 * The open calls to close: their room is gone and nothing has happened in them for `graceMs` (an
 * agent still delivering its call's end after the room closed gets that long). `rooms` undefined =
 * LiveKit could not be asked: nothing is closed on a guess.
 */
export function reapable(
  calls: readonly OpenCall[],
  rooms: ReadonlySet<string> | undefined,
  now: Date,
  graceMs: number,
): OpenCall[] {
  if (!rooms) return [];
  return calls.filter((c) => !rooms.has(c.room) && now.getTime() - Date.parse(c.lastActivity) >= graceMs);
}

export async function openCalls(db: Db): Promise<OpenCall[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select id, tenant_id, room, coalesce(state_since, started_at) as last_activity ` +
      `from call_sessions where status = 'in_progress'`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    tenantId: String(r.tenant_id),
    room: String(r.room),
    lastActivity: iso(r.last_activity)!,
  }));
}

/** Closes one call as failed, unless its own end arrived meanwhile; true when it was closed now. */
export async function reapCall(db: Db, c: OpenCall, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const closed = await db.transaction(async (tx) => {
    const rows = await tx.query(
      `update call_sessions set ended_at = $2, status = 'failed', outcome = 'agent lost', current_state = 'ENDED',
        state_since = $2
       where id = $1 and status = 'in_progress' returning id`,
      [c.id, at],
    );
    if (!rows.length) return false;
    await tx.query(`insert into call_states (call_id, event_id, state, at, reason) values ($1, $2, 'REAPED', $3, $4)`, [
      c.id,
      `reaped-${c.id}`,
      at,
      REAP_REASON,
    ]);
    return true;
  });
  if (closed) await refreshMinute(db, c.tenantId, at);
  return closed;
}

export interface ReaperOptions {
  db: Db;
  hub: LiveHub;
  logger: Logger;
  livekit: { url: string; apiKey: string; apiSecret: string };
  intervalMs: number;
  graceMs: number;
  now?: () => Date;
  /** the rooms LiveKit has now (tests inject; default: RoomServiceClient.listRooms) */
  listRooms?: () => Promise<string[]>;
}

export class Reaper {
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<number> | undefined;
  readonly #listRooms: () => Promise<string[]>;

  constructor(private readonly o: ReaperOptions) {
    const rooms = new RoomServiceClient(o.livekit.url.replace(/^ws/, 'http'), o.livekit.apiKey, o.livekit.apiSecret);
    this.#listRooms = o.listRooms ?? (async () => (await rooms.listRooms()).map((r) => r.name));
  }

  start(): void {
    if (this.o.intervalMs <= 0 || this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), this.o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /**
   * One pass; resolves with the number of calls closed. Never
   * throws: a failed pass is logged and the next one tries again.
   */
  sweep(): Promise<number> {
    this.#running ??= this.#sweep().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #sweep(): Promise<number> {
    try {
      const calls = await openCalls(this.o.db);
      if (!calls.length) return 0;
      let rooms: Set<string> | undefined;
      try {
        rooms = new Set(await this.#listRooms());
      } catch (err) {
        this.o.logger.warn({ err: (err as Error).message }, 'reaper: LiveKit rooms unavailable; no call closed');
      }
      const now = this.o.now?.() ?? new Date();
      let closed = 0;
      for (const c of reapable(calls, rooms, now, this.o.graceMs)) {
        if (!(await reapCall(this.o.db, c, now))) continue;
        closed++;
        this.o.logger.warn(
          { callId: c.id, room: c.room, lastActivity: c.lastActivity, reason: REAP_REASON },
          'call closed by the reaper',
        );
        const live = await liveCall(this.o.db, c.id);
        if (live) this.o.hub.publish(c.tenantId, live);
      }
      return closed;
    } catch (err) {
      this.o.logger.error({ err }, 'reaper pass failed');
      return 0;
    }
  }
}
