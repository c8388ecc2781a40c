/**
 * The standby calls (WEB_STANDBY_CALLS): rooms opened ahead of the next web callers, each with Voxanne
 * in it, her voice published and her greeting made. standby-rule.ts decides; this performs it against
 * LiveKit. A click gets one at once (token-endpoint.ts); without a ready one it opens its own room as before.
 *
 * - The room names its caller identity from the start (the agent admits that identity only); the
 *   token for it is minted once, for the click that claimed the room, after the room is marked
 *   `claimed` (from then on no worker ends it to make room for a phone call).
 * - No call exists before the caller joins: the agent starts the call's records, metrics and greeting
 *   timing at the caller's join, as for any web call (agent/src/main.ts).
 * - Nothing leaks: a standby room closes by itself in LiveKit (STANDBY_EMPTY_TIMEOUT_SECONDS) if this
 *   server dies; the next start closes the unclaimed ones left over; stop() closes its own.
 */
import type { Logger } from 'pino';
import { STANDBY_EMPTY_TIMEOUT_SECONDS, STANDBY_MAX_AGE_MS, type CallRoomMetadata } from '@voxanne/contracts/call-room';
import { AGENT_ASSIGN_WAIT_MS, type CallRooms } from './call-rooms.ts';
import { StandbyRule, type StandbyLine } from './standby-rule.ts';
import { newCallNames, type CallNames } from './token.ts';

/** how often the pool looks at its standbys: replaces old or vanished ones, retries after a failure */
export const STANDBY_TICK_MS = 2000;
/** after a standby could not be opened (every line busy, LiveKit down), the next try waits this long */
export const STANDBY_RETRY_MS = 5000;
/** her job takes ~0.5 s to join and publish on an idle machine; a standby not ready by then is given up */
export const STANDBY_READY_WAIT_MS = 30_000;

/** What the pool needs of LiveKit beyond opening and closing rooms (call-rooms.ts implements both). */
export interface StandbyRooms {
  /** true once an agent in the room has published a track (her voice); false after waitMs or when the room is gone */
  agentReady(room: string, waitMs: number): Promise<boolean>;
  /** writes the room's metadata (the claim); rejects when the room is gone */
  setMetadata(room: string, metadata: CallRoomMetadata): Promise<void>;
  /** standby rooms nobody was handed (an earlier run's) */
  unclaimedStandbys(): Promise<string[]>;
}

export interface StandbyPoolOptions {
  size: number;
  /** the clinic whose callers the token route serves (VOXANNE_TENANT): its standbys are for them only */
  tenant: string;
  rooms: CallRooms & StandbyRooms;
  logger: Logger;
  now?: () => number;
  maxAgeMs?: number;
  retryMs?: number;
  tickMs?: number;
}

export class StandbyPool {
  readonly #rule: StandbyRule;
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  /** one look at a time: a tick that finds the last one still running skips */
  #looking = false;

  constructor(private readonly o: StandbyPoolOptions) {
    this.#rule = new StandbyRule({
      size: o.size,
      maxAgeMs: o.maxAgeMs ?? STANDBY_MAX_AGE_MS,
      retryMs: o.retryMs ?? STANDBY_RETRY_MS,
      now: o.now ?? (() => performance.now()),
    });
  }

  /** Closes the standbys an earlier run left, then opens this one's; resolves once the first are opening. */
  async start(): Promise<void> {
    try {
      const stale = await this.o.rooms.unclaimedStandbys();
      for (const room of stale) await this.o.rooms.close(room);
      if (stale.length) this.o.logger.info({ rooms: stale.length }, 'standby rooms of an earlier run closed');
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'listing earlier standby rooms failed');
    }
    if (this.#stopped) return;
    this.#fill();
    this.#timer = setInterval(() => void this.#look(), this.o.tickMs ?? STANDBY_TICK_MS);
    this.#timer.unref();
  }

  /**
   * A click from `tenant`'s page: a ready standby's names, marked claimed in LiveKit before they are
   * returned; undefined when none is ready (the caller opens a room as before). `admit` says whether
   * the click may have it (the per-address cap), checked before LiveKit is touched.
   */
  async claim(tenant: string, admit: (room: string) => Promise<boolean>): Promise<CallNames | 'refused' | undefined> {
    if (tenant !== this.o.tenant) return undefined;
    const line = this.#rule.claim();
    if (!line) return undefined;
    if (!(await admit(line.room))) {
      this.#rule.giveBack(line);
      return 'refused';
    }
    try {
      await this.o.rooms.setMetadata(line.room, { ...this.#metadata(line), taken: true, claimed: true });
    } catch (err) {
      // a worker ended it for a phone call, or LiveKit closed it: the click opens its own room
      this.o.logger.info({ room: line.room, err: (err as Error).message }, 'standby gone before its claim');
      this.#fill();
      return undefined;
    }
    this.o.logger.info({ room: line.room, ageMs: Math.round(this.#now() - line.openedAt) }, 'standby claimed');
    this.#fill();
    return { room: line.room, identity: line.identity };
  }

  /** the clinic's settings were saved: standbys prepared under the old ones are replaced */
  settingsChanged(): void {
    const close = this.#rule.settingsChanged();
    for (const room of close) void this.o.rooms.close(room);
    if (close.length) this.o.logger.info({ rooms: close.length }, 'standbys replaced after a settings change');
    this.#fill();
  }

  /** closes every standby this pool holds; no new one opens */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await Promise.all(this.#rule.rooms().map((room) => this.o.rooms.close(room)));
  }

  #now(): number {
    return (this.o.now ?? (() => performance.now()))();
  }

  #metadata(line: Pick<StandbyLine, 'identity'>): CallRoomMetadata {
    return { tenant: this.o.tenant, channel: 'web', caller: line.identity, standby: true };
  }

  /** standbys a worker or LiveKit closed are forgotten (and replaced after the retry delay) */
  async #look(): Promise<void> {
    if (this.#looking || this.#stopped) return;
    this.#looking = true;
    try {
      const ready = this.#rule.readyRooms();
      if (ready.length) {
        const alive = await this.o.rooms.alive(ready);
        for (const room of ready)
          if (!alive.has(room)) {
            this.o.logger.info({ room }, 'standby closed from outside');
            this.#rule.failed(room);
          }
      }
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'checking the standby rooms failed');
    } finally {
      this.#looking = false;
    }
    this.#fill();
  }

  #fill(): void {
    if (this.#stopped) return;
    const { close, open } = this.#rule.plan();
    for (const room of close) {
      this.o.logger.info({ room }, 'standby recycled: too old');
      void this.o.rooms.close(room);
    }
    for (let i = 0; i < open; i++) {
      const names = newCallNames();
      this.#rule.opening(names.room, names.identity);
      void this.#open(names);
    }
  }

  async #open(names: CallNames): Promise<void> {
    const give = async (why: string) => {
      this.#rule.failed(names.room);
      await this.o.rooms.close(names.room);
      this.o.logger.info({ room: names.room, why }, 'standby not opened');
    };
    try {
      await this.o.rooms.open({
        room: names.room,
        metadata: this.#metadata(names),
        emptyTimeoutSeconds: STANDBY_EMPTY_TIMEOUT_SECONDS,
      });
    } catch (err) {
      return give((err as Error).message);
    }
    if (this.#stopped) return void (await this.o.rooms.close(names.room)); // stop() ran while it opened
    const answer = await this.o.rooms.agentAssigned(names.room, AGENT_ASSIGN_WAIT_MS).catch(() => 'no-answer' as const);
    if (answer !== 'taken') return give(answer);
    if (!(await this.o.rooms.agentReady(names.room, STANDBY_READY_WAIT_MS).catch(() => false)))
      return give('her voice was not published in time');
    if (this.#stopped || !this.#rule.ready(names.room)) {
      // settings saved meanwhile, or the server stops: prepared for nobody
      this.#rule.dropped(names.room);
      await this.o.rooms.close(names.room);
      if (!this.#stopped) this.#fill();
      return;
    }
    this.o.logger.info({ room: names.room }, 'standby ready');
  }
}
