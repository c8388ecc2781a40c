import { test } from 'vitest';
import assert from 'node:assert/strict';
import { percentiles, quantile } from './stats.ts';

test('quantile interpolates between closest ranks, whatever the input order', () => {
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([10, 20], 0.95), 19.5);
  assert.equal(quantile([7], 0.99), 7);
  assert.equal(quantile([3, 1, 2], 0), 1);
  assert.equal(quantile([3, 1, 2], 1), 3);
});

test('quantile of nothing is NaN and a quantile outside [0, 1] is refused', () => {
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.throws(() => quantile([1], 1.5), /within \[0, 1\]/);
});

test('percentiles of 1..100 ms', () => {
  const s = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.deepEqual(percentiles(s), { p50: 51, p95: 95, p99: 99, n: 100, min: 1, max: 100 });
});
