import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { padWithSilence, samplesPerFrame, splitIntoFrames } from './frames.ts';

describe('frames', () => {
  it('knows the size of a 20 ms frame at the usual rates', () => {
    assert.equal(samplesPerFrame(48000, 20), 960);
    assert.equal(samplesPerFrame(16000, 20), 320);
    assert.equal(samplesPerFrame(8000, 10), 80);
    assert.throws(() => samplesPerFrame(44100, 1.5), /not a whole number/);
  });

  it('splits into equal frames, zero-padding the last one', () => {
    const frames = splitIntoFrames(Int16Array.from([1, 2, 3, 4, 5, 6, 7]), 3);
    assert.deepEqual(
      frames.map((f) => [...f]),
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 0, 0],
      ],
    );
  });

  it('gives no frames for no samples and exact frames for an exact multiple', () => {
    assert.deepEqual(splitIntoFrames(new Int16Array(0), 960), []);
    assert.equal(splitIntoFrames(new Int16Array(1920), 960).length, 2);
  });

  it('returns copies, not views on the input', () => {
    const input = Int16Array.from([1, 2]);
    const [frame] = splitIntoFrames(input, 2);
    input[0] = 99;
    assert.equal(frame![0], 1);
  });

  it('pads with silence before and after', () => {
    const out = padWithSilence(Int16Array.from([9, 9]), 1000, 3, 2);
    assert.deepEqual([...out], [0, 0, 0, 9, 9, 0, 0]);
    assert.throws(() => padWithSilence(new Int16Array(1), 1000, -1, 0), RangeError);
  });
});
