import assert from 'node:assert/strict';
import { test } from 'vitest';
import { mergeLoadRows, parseCalls, parseDuration, parseMix } from './load-report.ts';
import type { LoadStep } from './load-run.ts';

test('durations, mixes and call lists are read as written, and anything else is refused by name', () => {
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('45'), 45_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.throws(() => parseDuration('soon'), /duration/);
  assert.deepEqual(parseMix('4:1'), { web: 4, sip: 1 });
  assert.throws(() => parseMix('0:0'), /--mix/);
  assert.throws(() => parseMix('web'), /--mix/);
  assert.deepEqual(parseCalls('1,10,25,50'), [1, 10, 25, 50]);
  assert.throws(() => parseCalls('0'), /--calls/);
  assert.throws(() => parseCalls('101'), /--calls/);
});

test('a run replaces only the rows it measured; fault rows are kept apart from clean ones', () => {
  const row = (calls: number, tag: string, faults?: object) => ({ calls, tag, ...(faults ? { faults } : {}) });
  const old = [row(1, 'old'), row(10, 'old'), row(25, 'old', {})] as unknown as LoadStep[];
  const fresh = [row(10, 'new'), row(25, 'new')] as unknown as LoadStep[];
  const merged = mergeLoadRows(old, fresh) as unknown as { calls: number; tag: string; faults?: object }[];
  assert.deepEqual(
    merged.map((r) => [r.calls, r.tag, !!r.faults]),
    [
      [1, 'old', false],
      [10, 'new', false],
      [25, 'new', false],
      [25, 'old', true],
    ],
  );
});
