import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { CLICK_QUIET_FRAMES, DUCK_CONFIRM_MS, DuckRule } from './duck-rule.ts';

const QUIET = 30;
const LOUD = 5000;

/** a rule whose host pauses her (generation 7) whenever it is asked to, as CallSession does */
function setup() {
  const clock = new ManualClock(1000);
  const released: { generation: number; atMs: number }[] = [];
  const rule = new DuckRule(clock, (generation) => released.push({ generation, atMs: clock.now() }));
  let paused = false;
  const ducks: number[] = [];
  /** one 10 ms frame: the rule hears it, the host performs a duck, then 10 ms pass */
  const frame = (rms: number) => {
    if (rule.onLevel(rms, !paused)) {
      paused = true;
      ducks.push(clock.now());
      rule.ducked(7);
    }
    clock.advance(10);
  };
  const frames = (rms: number, n: number) => {
    for (let i = 0; i < n; i++) frame(rms);
  };
  frames(QUIET, 30); // the line's floor
  return {
    clock,
    rule,
    released,
    ducks,
    frame,
    frames,
    /** the host resumed her (what the unduck effect does) */
    resumed: () => (paused = false),
  };
}

describe('DuckRule', () => {
  it('pauses her on the first loud frame; the onset on the second starts the wait for the VAD', () => {
    const s = setup();
    const first = s.clock.now();
    s.frame(LOUD);
    assert.deepEqual(s.ducks, [first], 'paused on the first loud frame, not the second');
    s.frames(LOUD, 10);
    assert.deepEqual(s.ducks, [first], 'one pause for the whole sound');
    s.frames(LOUD, (DUCK_CONFIRM_MS - 10 * 11) / 10); // to the first frame + DUCK_CONFIRM_MS
    assert.deepEqual(s.released, [], 'the wait is counted from the onset, the second frame');
    s.frames(LOUD, 10);
    assert.deepEqual(s.released, [{ generation: 7, atMs: first + 10 + DUCK_CONFIRM_MS }]);
  });

  it('a click (one loud frame, then quiet) lifts its pause after CLICK_QUIET_FRAMES, and only once', () => {
    const s = setup();
    const at = s.clock.now();
    s.frame(LOUD);
    assert.equal(s.ducks.length, 1);
    s.frames(QUIET, CLICK_QUIET_FRAMES - 1);
    assert.deepEqual(s.released, [], 'not before the line has been quiet long enough');
    s.frame(QUIET);
    assert.deepEqual(s.released, [{ generation: 7, atMs: at + 10 * CLICK_QUIET_FRAMES }]);
    s.frames(QUIET, 50);
    assert.equal(s.released.length, 1, 'the confirm timer was cleared with it');
  });

  it('a burst, a short gap and the vowel (a stop consonant) keep her paused: the vowel is the onset', () => {
    const s = setup();
    const at = s.clock.now();
    s.frame(LOUD);
    s.frames(QUIET, CLICK_QUIET_FRAMES - 1);
    s.frames(LOUD, 2);
    assert.deepEqual(s.ducks, [at], 'still the one pause');
    s.frames(LOUD, 30);
    const onset = at + 10 * (CLICK_QUIET_FRAMES + 1);
    assert.deepEqual(s.released, [{ generation: 7, atMs: onset + DUCK_CONFIRM_MS }], 'lifted only by the VAD wait');
  });

  it('speech confirmed (settle) while the pause is provisional: nothing is ever lifted', () => {
    const s = setup();
    s.frame(LOUD);
    s.rule.settle();
    s.frames(QUIET, 100);
    assert.deepEqual(s.released, []);
  });

  it('after a click is lifted, speech that follows pauses her again', () => {
    const s = setup();
    s.frame(LOUD);
    s.frames(QUIET, CLICK_QUIET_FRAMES);
    s.resumed();
    const at = s.clock.now();
    s.frames(LOUD, 3);
    assert.deepEqual(s.ducks.at(-1), at);
    assert.equal(s.ducks.length, 2);
  });

  it('never asks for a pause while she cannot be ducked, nor inside a sound already under way', () => {
    const clock = new ManualClock(0);
    const rule = new DuckRule(clock, () => assert.fail('nothing to release'));
    for (let i = 0; i < 30; i++) assert.equal(rule.onLevel(QUIET, true), false);
    // she is not speaking while the sound starts
    assert.equal(rule.onLevel(LOUD, false), false);
    assert.equal(rule.onLevel(LOUD, false), false);
    // she starts speaking while it goes on: it is no new onset, and no first frame
    for (let i = 0; i < 20; i++) assert.equal(rule.onLevel(LOUD, true), false);
  });
});
