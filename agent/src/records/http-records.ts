/**
 * BookingStore and CallRecorder over the web server's internal API.
 *
 * Bookings are asked for while a caller waits, so they are retried briefly and fail with a typed
 * error the conversation can answer ("that time was just taken"). Call records are written
 * behind the conversation: a bounded queue delivers them in order (the call before its turns),
 * retrying with backoff while the server is unavailable, so a web-server restart mid-call loses
 * nothing; only an overfull queue drops entries, state changes first, and says so.
 */
import { randomUUID } from 'node:crypto';
import type { RecordsClient } from './http-client.ts';
import { backoffMs } from './http-client.ts';
import {
  type Booking,
  type BookingStore,
  type CallEnd,
  type CallRecorder,
  type CallStart,
  type NewBooking,
  RecordsError,
  type Slot,
  SlotTakenError,
  type StateRecord,
  type TenantConfig,
  type TurnRecord,
} from './types.ts';

const enc = encodeURIComponent;

/** structured logging: fixed message, data in fields */
export interface RecorderLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class HttpBookingStore implements BookingStore {
  constructor(
    private readonly client: RecordsClient,
    private readonly tenant: string,
  ) {}

  async availability(date: string, service: string): Promise<Slot[]> {
    const r = await this.client.request<{ slots: Slot[] }>(
      'GET',
      `/tenants/${enc(this.tenant)}/availability?date=${enc(date)}&service=${enc(service)}`,
    );
    return r.slots;
  }

  async book(b: NewBooking): Promise<Booking> {
    const route = `/tenants/${enc(this.tenant)}/bookings`;
    try {
      return (await this.client.request<{ booking: Booking }>('POST', route, b)).booking;
    } catch (err) {
      // a retry after a lost response finds its own booking holding the slot: that is a success
      if (err instanceof SlotTakenError) {
        const mine = (await this.findByPhone(b.phone)).find(
          (x) => Date.parse(x.startsAt) === Date.parse(b.startsAt) && x.name === b.name,
        );
        if (mine) return mine;
      }
      throw err;
    }
  }

  async findByPhone(phone: string): Promise<Booking[]> {
    return (
      await this.client.request<{ bookings: Booking[] }>(
        'GET',
        `/tenants/${enc(this.tenant)}/bookings?phone=${enc(phone)}`,
      )
    ).bookings;
  }

  async reschedule(id: string, startsAt: string): Promise<Booking> {
    return (
      await this.client.request<{ booking: Booking }>(
        'POST',
        `/tenants/${enc(this.tenant)}/bookings/${enc(id)}/reschedule`,
        { startsAt },
      )
    ).booking;
  }

  async cancel(id: string): Promise<Booking> {
    return (
      await this.client.request<{ booking: Booking }>(
        'POST',
        `/tenants/${enc(this.tenant)}/bookings/${enc(id)}/cancel`,
        {},
      )
    ).booking;
  }
}

/**
 * The clinic's configuration, fetched while the caller waits for her greeting: one attempt,
 * bounded by `withinMs`; the caller of this falls back to clinic.yaml on any failure.
 */
export async function fetchTenantConfig(client: RecordsClient, tenant: string, withinMs = 1500): Promise<TenantConfig> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RecordsError(`GET tenant config: no answer within ${withinMs} ms`, undefined, true)),
      withinMs,
    );
  });
  try {
    return await Promise.race([
      client.request<TenantConfig>('GET', `/tenants/${enc(tenant)}/config`, undefined, 1),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

type Job =
  { kind: 'start'; route: string; body: unknown } | { kind: 'turn' | 'state' | 'end'; route: string; body: unknown };

export interface HttpCallRecorderOptions {
  /** entries kept while the server is away; default 1000 */
  maxQueue?: number;
  /** longest pause between two delivery attempts of the same entry; default 5000 */
  maxBackoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class HttpCallRecorder implements CallRecorder {
  readonly #queue: Job[] = [];
  readonly #maxQueue: number;
  readonly #maxBackoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  #running: Promise<void> | undefined;
  #dropped = 0;
  #closed = false;
  #wake: (() => void) | undefined;
  /** state-change ids: unique to this recorder (a job taking over the call has its own), then a sequence */
  readonly #origin = randomUUID().slice(0, 8);
  #seq = 0;

  constructor(
    private readonly client: RecordsClient,
    private readonly log: RecorderLog,
    o: HttpCallRecorderOptions = {},
  ) {
    this.#maxQueue = o.maxQueue ?? 1000;
    this.#maxBackoffMs = o.maxBackoffMs ?? 5000;
    this.#sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** entries dropped because the queue was full */
  get dropped(): number {
    return this.#dropped;
  }

  get pending(): number {
    return this.#queue.length;
  }

  start(call: CallStart): void {
    this.#push({ kind: 'start', route: '/calls', body: call });
  }

  turn(callId: string, t: TurnRecord): void {
    this.#push({ kind: 'turn', route: `/calls/${enc(callId)}/turns`, body: t });
  }

  state(callId: string, s: StateRecord): void {
    // the id is made here, once: every retry of this entry sends the same one
    this.#push({
      kind: 'state',
      route: `/calls/${enc(callId)}/states`,
      body: { ...s, id: s.id ?? `${this.#origin}-${this.#seq++}` },
    });
  }

  end(callId: string, e: CallEnd): void {
    this.#push({ kind: 'end', route: `/calls/${enc(callId)}/end`, body: e });
  }

  async flush(timeoutMs = 10_000): Promise<number> {
    if (this.#queue.length === 0) return 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const gaveUp = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const r = await Promise.race([this.#running ?? Promise.resolve(), gaveUp]);
    clearTimeout(timer);
    if (r === 'timeout') {
      this.#closed = true;
      this.#wake?.();
      this.log.error({ undelivered: this.#queue.length }, 'call records not delivered before the call process ended');
    }
    return this.#queue.length;
  }

  #push(job: Job): void {
    if (this.#queue.length >= this.#maxQueue) {
      // the call and its end matter most; a state change is the cheapest thing to lose
      const victim = this.#queue.findIndex((j) => j.kind === 'state');
      const at = victim >= 0 ? victim : this.#queue.findIndex((j) => j.kind === 'turn');
      if (at < 0) {
        this.#dropped++;
        this.log.error({ kind: job.kind }, 'call record queue full; entry dropped');
        return;
      }
      const [gone] = this.#queue.splice(at, 1);
      this.#dropped++;
      this.log.error({ kind: gone!.kind }, 'call record queue full; oldest entry dropped');
    }
    this.#queue.push(job);
    this.#running ??= this.#drain().finally(() => (this.#running = undefined));
  }

  async #drain(): Promise<void> {
    let failures = 0;
    while (this.#queue.length > 0 && !this.#closed) {
      const job = this.#queue[0]!;
      try {
        await this.client.once('POST', job.route, job.body);
        this.#queue.shift();
        failures = 0;
      } catch (err) {
        const retryable = err instanceof RecordsError && err.retryable;
        if (!retryable) {
          // the server refused it (bad field, unknown call): sending it again cannot help
          this.#queue.shift();
          this.log.error({ err, kind: job.kind, route: job.route }, 'call record rejected by the records server');
          continue;
        }
        if (failures === 0)
          this.log.warn(
            { err: (err as Error).message, queued: this.#queue.length },
            'records server unavailable; holding call records',
          );
        const wait = Math.min(this.#maxBackoffMs, backoffMs(failures++, this.client.retryPolicy));
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          void this.#sleep(wait).then(resolve);
        });
        this.#wake = undefined;
      }
    }
  }
}
