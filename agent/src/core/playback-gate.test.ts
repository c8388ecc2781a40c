import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { PlaybackGate } from './playback-gate.ts';

describe('PlaybackGate', () => {
  it('a pause belongs to one generation: the next begin() ends it', () => {
    const g = new PlaybackGate();
    const a = g.begin();
    assert.equal(g.pause(), a);
    assert.equal(g.verdict(a), 'wait');
    const b = g.begin();
    assert.equal(g.paused, false);
    assert.equal(g.verdict(a), 'refuse');
    assert.equal(g.verdict(b), 'write');
    assert.equal(g.resume(a), false, 'the old duck cannot lift anything now');
  });

  it('a second pause is refused; resume lifts only its own', () => {
    const g = new PlaybackGate();
    const a = g.begin();
    assert.equal(g.pause(), a);
    assert.equal(g.pause(), undefined);
    assert.equal(g.resume(a + 1), false);
    assert.equal(g.resume(a), true);
    assert.equal(g.verdict(a), 'write');
  });

  it('stop() refuses the current writers and drops the pause', () => {
    const g = new PlaybackGate();
    const a = g.begin();
    g.pause();
    g.stop();
    assert.equal(g.verdict(a), 'refuse');
    assert.equal(g.paused, false);
    assert.equal(g.drained(a), true, 'a stopped utterance is over');
  });

  it('a paused utterance has not played out even when its queue is empty', () => {
    const g = new PlaybackGate();
    const a = g.begin();
    assert.equal(g.drained(a), true);
    g.pause();
    assert.equal(g.drained(a), false);
    g.resume(a);
    assert.equal(g.drained(a), true);
  });
});
