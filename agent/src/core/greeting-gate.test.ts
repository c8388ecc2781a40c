import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { GREETING_SUBSCRIBE_WAIT_MS, GreetingGate, type GreetingStart } from './greeting-gate.ts';

function gate(waitMs?: number) {
  const clock = new ManualClock();
  const starts: { why: GreetingStart; at: number }[] = [];
  const g = new GreetingGate(clock, (why) => starts.push({ why, at: clock.now() }), waitMs);
  return { clock, starts, g };
}

describe('GreetingGate', () => {
  it('starts the moment the caller has joined and receives her voice, in either order', () => {
    const a = gate();
    a.g.on('caller-joined');
    a.clock.advance(180);
    assert.deepEqual(a.starts, []);
    a.g.on('subscribed');
    assert.deepEqual(a.starts, [{ why: 'subscribed', at: 180 }]);

    const b = gate();
    b.g.on('subscribed'); // the caller's client subscribed in the same instant it joined
    b.clock.advance(40);
    assert.deepEqual(b.starts, []);
    b.g.on('caller-joined');
    assert.deepEqual(b.starts, [{ why: 'subscribed', at: 40 }]);
    assert.equal(b.clock.pendingTimers, 0, 'no timer left behind');
  });

  it('does not start for a subscription alone: nobody has joined to hear her', () => {
    const { clock, starts, g } = gate();
    g.on('subscribed');
    clock.advance(60_000);
    assert.deepEqual(starts, []);
  });

  it('starts anyway when the caller never subscribes, waitMs after joining', () => {
    const { clock, starts, g } = gate();
    g.on('caller-joined');
    clock.advance(GREETING_SUBSCRIBE_WAIT_MS - 1);
    assert.deepEqual(starts, []);
    clock.advance(1);
    assert.deepEqual(starts, [{ why: 'timeout', at: GREETING_SUBSCRIBE_WAIT_MS }]);
    g.on('subscribed');
    g.on('caller-joined');
    clock.advance(10_000);
    assert.equal(starts.length, 1, 'exactly once');
  });

  it('never starts once cancelled', () => {
    const { clock, starts, g } = gate(500);
    g.on('caller-joined');
    g.cancel();
    g.on('subscribed');
    clock.advance(1000);
    assert.deepEqual(starts, []);
    assert.equal(g.started, true);
  });
});
