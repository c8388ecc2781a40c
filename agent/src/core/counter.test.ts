import assert from 'node:assert/strict';
import { it } from 'vitest';
import { Counter } from './counter.ts';

it('a counter only goes up and exposes itself in the Prometheus text format', () => {
  const c = new Counter('voxanne_x_total', 'things');
  assert.equal(c.inc(), 1);
  assert.equal(c.inc(2), 3);
  assert.throws(() => c.inc(-1), RangeError);
  assert.equal(c.value, 3);
  assert.equal(c.expose(), '# HELP voxanne_x_total things\n# TYPE voxanne_x_total counter\nvoxanne_x_total 3\n');
});
