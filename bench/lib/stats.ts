/** Percentiles for the benchmark tables. Pure. */

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
  n: number;
  min: number;
  max: number;
}

/**
 * The q-quantile (0..1) of samples by linear interpolation between closest ranks (the method
 * numpy and most dashboards use by default). NaN for no samples.
 */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
  const s = [...samples].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** p50/p95/p99 rounded to whole milliseconds, with the sample count and range. */
export function percentiles(samples: readonly number[]): Percentiles {
  const r = (q: number) => Math.round(quantile(samples, q));
  return {
    p50: r(0.5),
    p95: r(0.95),
    p99: r(0.99),
    n: samples.length,
    min: samples.length ? Math.round(Math.min(...samples)) : NaN,
    max: samples.length ? Math.round(Math.max(...samples)) : NaN,
  };
}
