/**
 * Time for the call: monotonic milliseconds for durations and timers, and wall time for what is
 * stored (records, timelines). Production passes systemClock; tests pass a ManualClock.
 */
export interface Clock {
  /** monotonic milliseconds (durations, timers) */
  now(): number;
  /** wall-clock milliseconds since the epoch (timestamps that are stored or shown) */
  wallMs(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export type TimerHandle = { readonly id: number };

/** A clock whose time only moves when the test says so; due timers fire in time order. */
export class ManualClock implements Clock {
  #now: number;
  readonly #wallOffset: number;
  #nextId = 1;
  #timers = new Map<number, { at: number; fn: () => void }>();

  /** wallStartMs: the wall time at startMs (default 2026-01-01T00:00:00Z); both move together */
  constructor(startMs = 0, wallStartMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
    this.#wallOffset = wallStartMs - startMs;
  }
  now(): number {
    return this.#now;
  }
  wallMs(): number {
    return this.#now + this.#wallOffset;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }
  /** Moves time forward by ms, firing due timers (including ones they schedule) in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.#timers.delete(next[0]);
      this.#now = next[1].at;
      next[1].fn();
    }
    this.#now = end;
  }
  get pendingTimers(): number {
    return this.#timers.size;
  }
}
