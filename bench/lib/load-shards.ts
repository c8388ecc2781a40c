/**
 * The load generator's callers spread over child processes ("shards"): @livekit/rtc-node fails
 * ("trying to drop an invalid handle") past about 25 rooms in one process, so a step of N web callers
 * runs them in ceil(N / roomsPerShard) processes. The Deepgram fake, its routing (load-routing.ts),
 * the faults and the figures stay in the load generator; a shard only runs calls (load-call.ts) and
 * sends each call's figures back, unchanged, so the step's report is the same whatever the split.
 *
 * This file is the protocol, over any channel that carries structured clones (a child process's IPC
 * with `serialization: 'advanced'`, or a pair of in-memory queues in the tests): ShardHost is the
 * load generator's side of one shard, ShardWorker the shard's own.
 */
import type { TimedPart } from './bench-transcriber.ts';
import type { Script } from './caller-script.ts';
import type { CallLine, CallSpec, CallTarget, LoadCall } from './load-call.ts';

/** at most this many rooms in one process, well under where rtc-node fails */
export const ROOMS_PER_SHARD = 20;

/** How many caller processes a step of `calls` needs; 0 runs the callers in the load generator itself. */
export function shardCount(calls: number, roomsPerShard: number): number {
  if (!Number.isInteger(roomsPerShard) || roomsPerShard < 0)
    throw new Error(`rooms per caller process is a whole number (0: in the load generator), got ${roomsPerShard}`);
  return roomsPerShard === 0 ? 0 : Math.ceil(calls / roomsPerShard);
}

/**
 * The shard of call i: in turn (i mod shards), so every shard's calls are spread over the whole ramp
 * and none holds more than ceil(calls / shards) rooms.
 */
export const shardOf = (i: number, shards: number): number => i % shards;

/** A shard's event-loop delay over a step (the callers' clocks read audio arrival on it), ms. */
export interface ShardLag {
  p50: number;
  p99: number;
  max: number;
}

export type ToShard =
  | { t: 'init'; target: CallTarget; script: Script }
  | { t: 'call'; spec: CallSpec }
  | { t: 'line-ready'; i: number }
  | { t: 'line-done'; i: number; bindings: number }
  | { t: 'lag' }
  | { t: 'close' };

export type FromShard =
  | { t: 'up' }
  | { t: 'ready'; i: number }
  | { t: 'expect'; i: number; parts: TimedPart[] }
  | { t: 'done'; i: number }
  | { t: 'result'; i: number; call: LoadCall }
  | { t: 'lag'; lag: ShardLag };

/** The load generator's line for one caller: the routing's CallerLine has this shape. */
export interface RoutedLine {
  ready(): Promise<void>;
  expectParts(parts: TimedPart[]): void;
  done(): void;
  readonly bindings: number;
}

interface Pending {
  spec: CallSpec;
  line: RoutedLine;
  /** readies granted: what the caller said so far, if the shard dies before telling */
  said: number;
  resolve(call: LoadCall): void;
}

/** The load generator's side of one shard: sends it calls, answers its lines, collects its figures. */
export class ShardHost {
  #pending = new Map<number, Pending>();
  #lag: ((lag: ShardLag | undefined) => void)[] = [];
  #up!: () => void;
  #gone: string | undefined;
  /** resolves when the shard has its target and script and can take calls */
  readonly up = new Promise<void>((r) => (this.#up = r));

  constructor(
    private readonly send: (m: ToShard) => void,
    private readonly newLine: () => RoutedLine,
  ) {}

  init(target: CallTarget, script: Script): void {
    this.send({ t: 'init', target, script });
  }

  /** Places a call on this shard; resolves with its figures (a failed call if the shard ends first). */
  call(spec: CallSpec): Promise<LoadCall> {
    if (this.#gone !== undefined) return Promise.resolve(lostCall(spec, 0, this.#gone));
    if (this.#pending.has(spec.i)) throw new Error(`call ${spec.i} is already placed on this shard`);
    return new Promise<LoadCall>((resolve) => {
      this.#pending.set(spec.i, { spec, line: this.newLine(), said: 0, resolve });
      this.send({ t: 'call', spec });
    });
  }

  /** The shard's event-loop delay since the last time it was asked (undefined once it is gone). */
  lag(): Promise<ShardLag | undefined> {
    if (this.#gone !== undefined) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.#lag.push(resolve);
      this.send({ t: 'lag' });
    });
  }

  get placed(): number {
    return this.#pending.size;
  }

  receive(m: FromShard): void {
    if (m.t === 'up') return this.#up();
    if (m.t === 'lag') return this.#lag.shift()?.(m.lag);
    const p = this.#pending.get(m.i);
    if (!p) return; // a call already given up (the shard was declared gone): nothing waits for it
    switch (m.t) {
      case 'ready':
        void p.line.ready().then(() => {
          if (this.#pending.get(m.i) !== p) return p.line.done(); // the call ended meanwhile: give the claim back
          p.said++;
          this.send({ t: 'line-ready', i: m.i });
        });
        return;
      case 'expect':
        return p.line.expectParts(m.parts);
      case 'done':
        p.line.done();
        return this.send({ t: 'line-done', i: m.i, bindings: p.line.bindings });
      case 'result':
        this.#pending.delete(m.i);
        p.line.done();
        return p.resolve(m.call);
    }
  }

  /** The shard process ended: every call still on it is lost, and any claim its callers held is given back. */
  gone(why: string): void {
    if (this.#gone !== undefined) return;
    this.#gone = why;
    this.#up(); // a shard that never came up is gone as well: nobody waits on it
    for (const [i, p] of this.#pending) {
      this.#pending.delete(i);
      p.line.done();
      p.resolve(lostCall(p.spec, p.said, why));
    }
    for (const r of this.#lag.splice(0)) r(undefined);
  }
}

/** A call whose caller process ended before it did: nothing was measured, and what she said counts as lost. */
export function lostCall(spec: CallSpec, said: number, why: string): LoadCall {
  return {
    channel: spec.channel,
    v2vMs: [],
    bargeInMs: [],
    problems: [`the caller's process ended before the call did (${why})`],
    dropped: true,
    failed: true,
    said,
    answered: 0,
    sttBindings: 0,
  };
}

/** The shard's side: each call's CallLine speaks to the host's routing over the channel. */
export class ShardWorker {
  #readies = new Map<number, () => void>();
  #dones = new Map<number, (bindings: number) => void>();

  constructor(private readonly send: (m: FromShard) => void) {}

  line(i: number): CallLine {
    return {
      ready: () =>
        new Promise<void>((resolve) => {
          this.#readies.set(i, resolve);
          this.send({ t: 'ready', i });
        }),
      // no answer needed: the channel keeps order, and the words reach the host long before her audio
      // reaches the fake through LiveKit and the agent
      expectParts: (parts) => this.send({ t: 'expect', i, parts }),
      done: () =>
        new Promise<number>((resolve) => {
          this.#dones.set(i, resolve);
          this.send({ t: 'done', i });
        }),
    };
  }

  /** Answers from the host to this shard's lines (the other messages are the process's: load-shard.ts). */
  receive(m: ToShard): void {
    if (m.t === 'line-ready') {
      const r = this.#readies.get(m.i);
      this.#readies.delete(m.i);
      r?.();
    } else if (m.t === 'line-done') {
      const r = this.#dones.get(m.i);
      this.#dones.delete(m.i);
      r?.(m.bindings);
    }
  }
}

/** The callers' event-loop delay over a step: the worst shard's (each figure the largest of the shards'). */
export function worstLag(lags: (ShardLag | undefined)[]): ShardLag | undefined {
  const seen = lags.filter((l): l is ShardLag => l !== undefined);
  if (seen.length === 0) return undefined;
  return {
    p50: Math.max(...seen.map((l) => l.p50)),
    p99: Math.max(...seen.map((l) => l.p99)),
    max: Math.max(...seen.map((l) => l.max)),
  };
}

/** A call's figures before anything was measured: what a call reports when it fails at once. */
export function noFigures(channel: LoadCall['channel']): LoadCall {
  return {
    channel,
    v2vMs: [],
    bargeInMs: [],
    problems: [],
    dropped: false,
    failed: false,
    said: 0,
    answered: 0,
    sttBindings: 0,
  };
}
