import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { LEAD_SILENCE_PEAK, silentLeadFrames } from './leading-silence.ts';

const RATE = 48_000;
const FRAME = 960; // 20 ms
const quiet = (level = 0) => new Int16Array(FRAME).fill(level);
const loud = () => {
  const f = new Int16Array(FRAME);
  f[100] = -(LEAD_SILENCE_PEAK + 1);
  return f;
};

describe('silentLeadFrames', () => {
  it('drops the silent frames before the first sound, keeping 20 ms of the silence', () => {
    const frames = [...Array.from({ length: 9 }, () => quiet(40)), loud(), quiet()];
    assert.equal(silentLeadFrames(frames, RATE), 8, '180 ms of silence: 160 ms dropped, one 20 ms frame kept');
  });

  it('keeps more than one frame when the frames are shorter than what is kept', () => {
    const short = (f: Int16Array) => f.subarray(0, 480); // 10 ms frames
    const frames = [...Array.from({ length: 6 }, () => short(quiet())), short(loud())];
    assert.equal(silentLeadFrames(frames, RATE), 4);
  });

  it('drops nothing when the sound starts at once, or when there is no sound at all', () => {
    assert.equal(silentLeadFrames([loud(), quiet()], RATE), 0);
    assert.equal(silentLeadFrames([quiet(), loud()], RATE), 0, 'a single silent frame is all the lead there is');
    assert.equal(silentLeadFrames([quiet(), quiet(), quiet()], RATE), 0);
    assert.equal(silentLeadFrames([], RATE), 0);
  });

  it('counts a sample exactly at the peak as silence', () => {
    const atPeak = new Int16Array(FRAME).fill(LEAD_SILENCE_PEAK);
    assert.equal(silentLeadFrames([atPeak, atPeak, atPeak, loud()], RATE), 2);
  });
});
