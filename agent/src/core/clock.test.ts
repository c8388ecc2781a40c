import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from './clock.ts';

describe('ManualClock', () => {
  it('wall time and monotonic time move together, and only when told', () => {
    const clock = new ManualClock(5000, Date.UTC(2026, 5, 1, 9, 0, 0));
    assert.equal(clock.now(), 5000);
    assert.equal(new Date(clock.wallMs()).toISOString(), '2026-06-01T09:00:00.000Z');
    clock.advance(1500);
    assert.equal(clock.now(), 6500);
    assert.equal(new Date(clock.wallMs()).toISOString(), '2026-06-01T09:00:01.500Z');
  });

  it("fires due timers in time order, with the clock at each timer's time", () => {
    const clock = new ManualClock();
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    const c = clock.setTimeout(() => fired.push(['c', clock.now()]), 150);
    clock.clearTimeout(c);
    clock.advance(199);
    assert.deepEqual(fired, [['a', 100]]);
    clock.advance(1);
    assert.deepEqual(fired, [
      ['a', 100],
      ['b', 200],
    ]);
    assert.equal(clock.pendingTimers, 0);
  });
});
