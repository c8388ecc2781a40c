import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from '../clock.ts';
import { FAR_END_WAIT_MS, FarEndPlayout, type HeardVerdict } from './far-end-playout.ts';

/** the verdict once it has settled, or 'pending' (promises settle on the microtask queue) */
async function settled(p: Promise<HeardVerdict>): Promise<HeardVerdict | 'pending'> {
  return Promise.race([p, new Promise<'pending'>((r) => setTimeout(() => r('pending'), 0))]);
}

describe('FarEndPlayout: what the caller heard of a reply a barge-in stopped', () => {
  it('keeps her own count when no barge-in stopped the reply (a hang-up, a supersede)', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    assert.deepEqual(await far.heard(1800), { heardMs: 1800, source: 'no barge-in' });
    assert.equal(clock.pendingTimers, 0, 'nothing waits');
  });

  it('takes off what the far end says was never heard, when its report came first', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.bargedIn(5000);
    far.report(5000, 450);
    assert.deepEqual(await far.heard(1800), { heardMs: 1350, source: 'far end', unheardMs: 450 });
  });

  it('waits for a report that comes after the reply stopped', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.bargedIn(5000);
    const verdict = far.heard(1800);
    clock.advance(20);
    assert.equal(await settled(verdict), 'pending');
    far.report(5000, 600);
    assert.deepEqual(await verdict, { heardMs: 1200, source: 'far end', unheardMs: 600 });
    assert.equal(clock.pendingTimers, 0, 'the wait ended with the report');
  });

  it('gives up after the wait and keeps her own count: a far end that says nothing never holds a call', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.bargedIn(5000);
    const verdict = far.heard(1800);
    clock.advance(FAR_END_WAIT_MS - 1);
    assert.equal(await settled(verdict), 'pending');
    clock.advance(1);
    assert.deepEqual(await verdict, { heardMs: 1800, source: 'no report' });
    // the late report changes nothing that was decided, and is not taken for the next barge-in
    far.report(5000, 600);
    far.bargedIn(9000);
    const next = far.heard(700);
    clock.advance(FAR_END_WAIT_MS);
    assert.deepEqual(await next, { heardMs: 700, source: 'no report' });
  });

  it('matches a report to its barge-in: one for an earlier barge-in is not this one', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.report(4000, 900); // answers a barge-in this reply did not have
    far.bargedIn(5000);
    const verdict = far.heard(1800);
    far.report(4000, 900);
    assert.equal(await settled(verdict), 'pending');
    far.report(5000, 100);
    assert.deepEqual(await verdict, { heardMs: 1700, source: 'far end', unheardMs: 100 });
  });

  it('never says less than nothing was heard: Twilio still had all of it', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.bargedIn(5000);
    far.report(5000, 2500);
    assert.deepEqual(await far.heard(1800), { heardMs: 0, source: 'far end', unheardMs: 2500 });
  });

  it('asks about a barge-in once: the next reply stopped without one keeps its own count', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.bargedIn(5000);
    far.report(5000, 300);
    await far.heard(1000);
    assert.deepEqual(await far.heard(1000), { heardMs: 1000, source: 'no barge-in' });
  });

  it('a call that ends releases a waiting reply at once', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.bargedIn(5000);
    const verdict = far.heard(1800);
    far.dispose();
    assert.deepEqual(await verdict, { heardMs: 1800, source: 'no report' });
    assert.equal(clock.pendingTimers, 0);
  });

  it('of her state changes, only SPEAKING → INTERRUPTED is a barge-in the far end answers', async () => {
    const clock = new ManualClock();
    const far = new FarEndPlayout(clock);
    far.stateChanged('PROCESSING', 'SPEAKING', 4000);
    far.stateChanged('SPEAKING', 'LISTENING', 4500);
    far.report(4500, 300);
    assert.deepEqual(await far.heard(1800), { heardMs: 1800, source: 'no barge-in' }, 'she finished: no barge-in');
    far.stateChanged('SPEAKING', 'INTERRUPTED', 5000);
    far.report(5000, 450);
    assert.deepEqual(await far.heard(1800), { heardMs: 1350, source: 'far end', unheardMs: 450 });
  });
});
