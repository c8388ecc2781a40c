import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { Jitter } from './jitter.ts';
import { quantile } from './stats.ts';

describe('Jitter: provider tails for the benchmark', () => {
  it('draws around the median with p95 ≈ 2 × median, and about 3% stalls of 1 s', () => {
    const j = new Jitter({ stallRate: 0 });
    const xs = Array.from({ length: 20000 }, () => j.draw(100));
    assert.ok(Math.abs(quantile(xs, 0.5) - 100) < 4, `median ${quantile(xs, 0.5)}`);
    assert.ok(
      Math.abs(quantile(xs, 0.95) / quantile(xs, 0.5) - 2) < 0.1,
      `p95/median ${quantile(xs, 0.95) / quantile(xs, 0.5)}`,
    );
    assert.ok(xs.every((x) => x > 0));

    const s = new Jitter();
    const ys = Array.from({ length: 20000 }, () => s.draw(100));
    const stalled = ys.filter((y) => y >= 1000).length / ys.length;
    assert.ok(stalled > 0.02 && stalled < 0.04, `stall share ${stalled}`);
    assert.equal(s.counts.draws, 20000);
  });

  it('is seeded: the same seed gives the same draws', () => {
    const a = new Jitter({ seed: 3 });
    const b = new Jitter({ seed: 3 });
    assert.deepEqual(
      Array.from({ length: 5 }, () => a.draw(50)),
      Array.from({ length: 5 }, () => b.draw(50)),
    );
  });
});
