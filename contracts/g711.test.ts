import assert from 'node:assert/strict';
import { test } from 'vitest';
import { decodeMulaw, encodeMulaw, linearToUlaw, ulawRoundTrip, ulawToLinear } from './src/g711.ts';

test('the standard code points: silence is 0xff and decodes to 0; the loudest codes are the rails', () => {
  assert.equal(linearToUlaw(0), 0xff);
  assert.equal(ulawToLinear(0xff), 0);
  assert.equal(ulawToLinear(0x80), 32124);
  assert.equal(ulawToLinear(0x00), -32124);
  assert.equal(linearToUlaw(32767), 0x80);
  assert.equal(linearToUlaw(-32768), 0x00);
  assert.equal(ulawToLinear(linearToUlaw(40000)), 32124);
  assert.equal(ulawToLinear(linearToUlaw(-40000)), -32124);
});

test('μ-law keeps the sign and about 6% of the magnitude over the whole range', () => {
  for (let s = -32000; s <= 32000; s += 13) {
    const back = ulawToLinear(linearToUlaw(s));
    assert.ok(Math.abs(back - s) <= Math.max(8, Math.abs(s) * 0.0625), `${s} → ${back}`);
    if (Math.abs(s) > 16) assert.equal(Math.sign(back), Math.sign(s));
  }
});

test('buffers: encode, decode and the round trip', () => {
  assert.deepEqual(ulawRoundTrip(new Int16Array([0, 1000, -1000])), new Int16Array([0, 988, -988]));
  const pcm = Int16Array.from({ length: 2000 }, (_, i) => Math.round(Math.sin(i / 7) * 20000));
  const bytes = encodeMulaw(pcm);
  assert.equal(bytes.length, pcm.length);
  const back = decodeMulaw(bytes);
  assert.deepEqual(back, ulawRoundTrip(pcm));
  for (let i = 0; i < pcm.length; i++)
    assert.ok(Math.abs(back[i]! - pcm[i]!) <= Math.abs(pcm[i]!) / 16 + 8, `sample ${i}`);
});
