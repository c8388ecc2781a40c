/**
 * Who may open a call: a token bucket per client address (a burst, then a steady rate), and a cap on
 * the calls one address holds at once. Pure bookkeeping with an injected clock; api.ts performs it.
 */

export interface CallLimitsConfig {
  /** tokens one address may take at once */
  burst: number;
  /** tokens added back per minute */
  perMinute: number;
  /** calls one address may hold at once */
  maxCallsPerClient: number;
}

/** how many addresses are remembered before idle ones are forgotten (a full bucket is an idle one) */
const MAX_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  atMs: number;
}

export class TokenBuckets {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    private readonly c: Pick<CallLimitsConfig, 'burst' | 'perMinute'>,
    private readonly now: () => number,
  ) {}

  /** Takes one token; when there is none, says how long until there is (ms). */
  take(key: string): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.now();
    const b = this.#refilled(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.#buckets.set(key, b);
      return { ok: true };
    }
    this.#buckets.set(key, b);
    const perMs = this.c.perMinute / 60_000;
    return { ok: false, retryAfterMs: perMs > 0 ? Math.ceil((1 - b.tokens) / perMs) : 60_000 };
  }

  get size(): number {
    return this.#buckets.size;
  }

  #refilled(key: string, now: number): Bucket {
    const b = this.#buckets.get(key);
    if (!b) {
      if (this.#buckets.size >= MAX_TRACKED) this.#forgetFull(now);
      return { tokens: this.c.burst, atMs: now };
    }
    const tokens = Math.min(this.c.burst, b.tokens + ((now - b.atMs) * this.c.perMinute) / 60_000);
    return { tokens, atMs: now };
  }

  #forgetFull(now: number): void {
    for (const [k, b] of this.#buckets) {
      if (b.tokens + ((now - b.atMs) * this.c.perMinute) / 60_000 >= this.c.burst) this.#buckets.delete(k);
    }
  }
}

/**
 * The rooms each address holds. A room counts until LiveKit no longer has it (the call ended, or
 * nobody joined and it closed by itself); `alive` asks, and only when an address reaches its cap.
 */
export class CallsPerClient {
  readonly #rooms = new Map<string, Set<string>>();

  constructor(private readonly max: number) {}

  /**
   * Counts `room` against `client` if the client holds fewer than the cap; at the cap, asks LiveKit
   * first which of its rooms still exist. The count and the reservation happen in one turn of the event
   * loop, so two requests at once cannot both take the last place.
   */
  async reserve(client: string, room: string, alive: (rooms: string[]) => Promise<Set<string>>): Promise<boolean> {
    if (this.held(client) >= this.max) {
      const still = await alive([...(this.#rooms.get(client) ?? [])]);
      const held = this.#rooms.get(client);
      for (const r of held ?? []) if (!still.has(r)) held!.delete(r);
    }
    if (this.held(client) >= this.max) return false;
    const held = this.#rooms.get(client) ?? new Set<string>();
    held.add(room);
    this.#rooms.set(client, held);
    return true;
  }

  /** the call was refused after all, or has ended */
  release(client: string, room: string): void {
    const held = this.#rooms.get(client);
    held?.delete(room);
    if (held?.size === 0) this.#rooms.delete(client);
  }

  held(client: string): number {
    return this.#rooms.get(client)?.size ?? 0;
  }
}
