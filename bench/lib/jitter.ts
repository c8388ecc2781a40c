/**
 * Provider tails for the benchmark's jitter profile. Pure (seeded), so a run can be replayed.
 *
 * Real providers are not a fixed budget: a time to first token or first byte is long-tailed. Each
 * draw is log-normal around the budget's figure as its median, with p95 = 2 × median (σ = ln 2 / 1.645),
 * and `stallRate` of the draws take a 1 s stall on top (a GC pause, a congested edge, a cold replica).
 */
import { xorshift32, XORSHIFT_RANGE } from '../../agent/src/core/random.ts';

export interface JitterOptions {
  /** p95 / median of a draw without stall */
  p95OverMedian: number;
  /** share of draws with a stall */
  stallRate: number;
  stallMs: number;
  seed: number;
}

export const DEFAULT_JITTER: JitterOptions = { p95OverMedian: 2, stallRate: 0.03, stallMs: 1000, seed: 14 };

const Z95 = 1.6448536269514722;

export class Jitter {
  readonly #o: JitterOptions;
  readonly #sigma: number;
  #x: number;
  /** how many draws stalled, and how many draws in all */
  readonly counts = { draws: 0, stalls: 0 };

  constructor(opts: Partial<JitterOptions> = {}) {
    this.#o = { ...DEFAULT_JITTER, ...opts };
    this.#sigma = Math.log(this.#o.p95OverMedian) / Z95;
    this.#x = this.#o.seed >>> 0 || 0x9e3779b9;
  }

  /** a uniform in (0, 1) */
  #uniform(): number {
    this.#x = xorshift32(this.#x);
    return (this.#x + 0.5) / XORSHIFT_RANGE;
  }

  /** one time (ms) whose median is `medianMs` */
  draw(medianMs: number): number {
    const z = Math.sqrt(-2 * Math.log(this.#uniform())) * Math.cos(2 * Math.PI * this.#uniform());
    this.counts.draws++;
    const stall = this.#uniform() < this.#o.stallRate;
    if (stall) this.counts.stalls++;
    return medianMs * Math.exp(this.#sigma * z) + (stall ? this.#o.stallMs : 0);
  }
}
