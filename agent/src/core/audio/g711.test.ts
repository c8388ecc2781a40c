import assert from 'node:assert/strict';
import { test } from 'vitest';
import { linearToUlaw, ulawRoundTrip, ulawToLinear } from './g711.ts';

test('μ-law keeps the sign and about 6% of the magnitude over the whole range', () => {
  for (let s = -32000; s <= 32000; s += 13) {
    const back = ulawToLinear(linearToUlaw(s));
    assert.ok(Math.abs(back - s) <= Math.max(8, Math.abs(s) * 0.0625), `${s} → ${back}`);
    if (Math.abs(s) > 16) assert.equal(Math.sign(back), Math.sign(s));
  }
});

test('silence is 0xff and decodes to 0; the loudest codes are the rails', () => {
  assert.equal(linearToUlaw(0), 0xff);
  assert.equal(ulawToLinear(0xff), 0);
  assert.equal(ulawToLinear(linearToUlaw(40000)), 32124);
  assert.equal(ulawToLinear(linearToUlaw(-40000)), -32124);
});

test('round trip of a buffer', () => {
  assert.deepEqual(ulawRoundTrip(new Int16Array([0, 1000, -1000])), new Int16Array([0, 988, -988]));
});
