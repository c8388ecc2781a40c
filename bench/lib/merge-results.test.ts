import { test } from 'vitest';
import assert from 'node:assert/strict';
import { mergeResults } from './merge-results.ts';

const previous = {
  voxanne: { v2v_ms: { p50: 384 } },
  stock: { v2v_ms: { p50: 698 } },
  sip: { v2v_ms: { p50: 531 } },
  calls: 10,
  samples: { voxanne: { v2v: [1] }, stock: { v2v: [2] }, sip: { v2v: [3] } },
  problems: ['stock: slow', 'voxanne: old problem'],
  measured_at: 'then',
};

test('a sweep-only run adds the sweep and keeps every pipeline figure', () => {
  const merged = mergeResults(previous, undefined, { worst_ms: 1200 });
  assert.deepEqual(merged, { ...previous, sweep: { worst_ms: 1200 } });
});

test('a run of one pipeline replaces that pipeline, its samples and its problems, and keeps the rest', () => {
  const fresh = {
    voxanne: { v2v_ms: { p50: 400 } },
    calls: 8,
    samples: { voxanne: { v2v: [9] } },
    problems: ['voxanne: new problem'],
    measured_at: 'now',
  };
  const merged = mergeResults({ ...previous, sweep: { worst_ms: 1 } }, fresh, undefined);
  assert.deepEqual(merged.voxanne, { v2v_ms: { p50: 400 } });
  assert.deepEqual(merged.stock, previous.stock);
  assert.deepEqual(merged.sip, previous.sip);
  assert.deepEqual(merged.samples, { voxanne: { v2v: [9] }, stock: { v2v: [2] }, sip: { v2v: [3] } });
  assert.deepEqual(merged.problems, ['stock: slow', 'voxanne: new problem']);
  assert.equal(merged.measured_at, 'now');
  assert.deepEqual(merged.sweep, { worst_ms: 1 }, 'the earlier sweep stays');
});

test('a first run writes what it measured', () => {
  assert.deepEqual(mergeResults({}, { voxanne: 1, samples: { voxanne: {} }, problems: [] }, { n: 1 }), {
    voxanne: 1,
    samples: { voxanne: {} },
    problems: [],
    sweep: { n: 1 },
  });
});
