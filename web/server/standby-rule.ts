/**
 * Which standby calls the web server holds, and which one a click gets: the decisions only, with time
 * injected (standby-rule.test.ts drives a manual clock); web/server/standby-pool.ts performs them
 * against LiveKit. A standby is a web call's room opened before anyone asked for it, with Voxanne in
 * it, her voice published and her greeting made: a click is handed its token at once, without the
 * ~200 ms LiveKit takes to dispatch a job and the ~300 ms her job takes to join.
 */

export type StandbyState = 'opening' | 'ready';

export interface StandbyLine {
  room: string;
  /** the one caller the room admits (its metadata names them); the token is minted for this identity only */
  identity: string;
  openedAt: number;
  /** the settings it was prepared under (bumped by each dashboard save) */
  generation: number;
  state: StandbyState;
}

export interface StandbyRuleOptions {
  /** standbys to hold (WEB_STANDBY_CALLS) */
  size: number;
  /** a standby this old is closed and replaced (contracts STANDBY_MAX_AGE_MS) */
  maxAgeMs: number;
  /** after a standby could not be opened (every line taken, LiveKit unreachable): no new one before this */
  retryMs: number;
  now: () => number;
}

/** What the pool must do now: close these rooms, then open this many new standbys. */
export interface StandbyPlan {
  close: string[];
  open: number;
}

export class StandbyRule {
  readonly #lines = new Map<string, StandbyLine>();
  #generation = 0;
  #retryAt = -Infinity;

  constructor(private readonly o: StandbyRuleOptions) {}

  /**
   * Standbys past their age are closed; the pool is then filled up to its size, unless a recent open
   * failed (a full worker refuses a standby: asking again at once would only load it).
   */
  plan(): StandbyPlan {
    const now = this.o.now();
    const close: string[] = [];
    for (const [room, l] of this.#lines)
      if (l.state === 'ready' && now - l.openedAt >= this.o.maxAgeMs) {
        this.#lines.delete(room);
        close.push(room);
      }
    const open = now >= this.#retryAt ? Math.max(0, this.o.size - this.#lines.size) : 0;
    return { close, open };
  }

  /** the pool has started opening this room */
  opening(room: string, identity: string): void {
    this.#lines.set(room, { room, identity, openedAt: this.o.now(), generation: this.#generation, state: 'opening' });
  }

  /**
   * Her voice is published in the room: it may be handed out. False when it must be closed instead:
   * settings were saved while it opened (its job read the old ones), or it is no longer held.
   */
  ready(room: string): boolean {
    const l = this.#lines.get(room);
    if (!l) return false;
    if (l.generation !== this.#generation) {
      this.#lines.delete(room);
      return false;
    }
    l.state = 'ready';
    return true;
  }

  /** the room could not be opened, or is gone (closed by a worker for a call, or by LiveKit) */
  failed(room: string): void {
    if (this.#lines.delete(room)) this.#retryAt = this.o.now() + this.o.retryMs;
  }

  /** the room is gone without any failure to wait out (closed by the pool itself) */
  dropped(room: string): void {
    this.#lines.delete(room);
  }

  /**
   * A click: the oldest ready standby young enough to be handed out, taken from the pool at once, in
   * the same turn of the event loop as the decision, so two clicks never get the same room. Undefined:
   * none ready, and the click opens its own room as before.
   */
  claim(): StandbyLine | undefined {
    const now = this.o.now();
    let best: StandbyLine | undefined;
    for (const l of this.#lines.values())
      if (
        l.state === 'ready' &&
        l.generation === this.#generation &&
        now - l.openedAt < this.o.maxAgeMs &&
        (!best || l.openedAt < best.openedAt)
      )
        best = l;
    if (best) this.#lines.delete(best.room);
    return best;
  }

  /** a claimed standby the click could not use after all (the address is at its cap): held again */
  giveBack(line: StandbyLine): void {
    this.#lines.set(line.room, line);
  }

  /**
   * The clinic's settings were saved: every standby prepared before is closed now (ready ones) or when
   * it becomes ready (opening ones), and fresh ones are opened. A caller always hears the current greeting.
   */
  settingsChanged(): string[] {
    this.#generation++;
    this.#retryAt = -Infinity;
    const close: string[] = [];
    for (const [room, l] of this.#lines)
      if (l.state === 'ready') {
        this.#lines.delete(room);
        close.push(room);
      }
    return close;
  }

  /** the ready standbys' rooms (the pool checks they still exist) */
  readyRooms(): string[] {
    return [...this.#lines.values()].filter((l) => l.state === 'ready').map((l) => l.room);
  }

  /** every room held, opening or ready: closed when the server stops */
  rooms(): string[] {
    return [...this.#lines.keys()];
  }
}
