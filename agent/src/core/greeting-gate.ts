import type { Clock, TimerHandle } from './clock.ts';

/**
 * How long she waits, once the caller is in the room, for the caller to receive her voice before she
 * greets anyway. The caller subscribes to her track within a few hundred ms of joining (her track is
 * published before the caller arrives); a client that never subscribes must not keep her silent.
 */
export const GREETING_SUBSCRIBE_WAIT_MS = 1500;

/**
 * How long she waits in a room for its caller. The web server opens the room as it hands the page
 * its token, and the page joins a moment later; a page closed in between must not hold a line for long.
 */
export const CALLER_WAIT_MS = 60_000;

/** What the gate has seen. */
export type GreetingGateEvent = 'caller-joined' | 'subscribed';
/** why she started: her voice reached a listener, or the wait ran out */
export type GreetingStart = 'subscribed' | 'timeout';

/**
 * When her greeting starts. She is in the room before the caller (dispatched when the caller's room
 * was created), so the greeting waits for two things: the caller has joined, and someone receives her
 * voice, so its first words are heard and not sent to nobody. Whichever order they come in, she
 * starts the moment both are true; if the caller joined and nobody subscribes within waitMs, she
 * starts anyway. Fires onStart exactly once.
 */
export class GreetingGate {
  #joined = false;
  #subscribed = false;
  #started = false;
  #timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onStart: (why: GreetingStart) => void,
    private readonly waitMs = GREETING_SUBSCRIBE_WAIT_MS,
  ) {}

  get started(): boolean {
    return this.#started;
  }

  on(event: GreetingGateEvent): void {
    if (this.#started) return;
    if (event === 'subscribed') this.#subscribed = true;
    if (event === 'caller-joined' && !this.#joined) {
      this.#joined = true;
      this.#timer = this.clock.setTimeout(() => this.#start('timeout'), this.waitMs);
    }
    if (this.#joined && this.#subscribed) this.#start('subscribed');
  }

  /** The call ended before she spoke: no greeting. */
  cancel(): void {
    this.#started = true;
    if (this.#timer) this.clock.clearTimeout(this.#timer);
  }

  #start(why: GreetingStart): void {
    if (this.#started) return;
    this.#started = true;
    if (this.#timer) this.clock.clearTimeout(this.#timer);
    this.onStart(why);
  }
}
