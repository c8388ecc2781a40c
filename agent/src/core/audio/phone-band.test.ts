import assert from 'node:assert/strict';
import { test } from 'vitest';
import { PhoneBandFill } from './phone-band.ts';

function energyAbove4k(x: Int16Array): { low: number; high: number } {
  // a crude split: the sum and the difference of neighbouring samples (fs = 16 kHz)
  let low = 0;
  let high = 0;
  for (let i = 1; i < x.length; i++) {
    low += ((x[i]! + x[i - 1]!) / 2) ** 2;
    high += ((x[i]! - x[i - 1]!) / 2) ** 2;
  }
  return { low, high };
}

test('the fill has the asked-for level and most of its energy in the top band', () => {
  const out = new PhoneBandFill(60).fill(new Int16Array(16000));
  const rms = Math.sqrt(out.reduce((s, v) => s + v * v, 0) / out.length);
  assert.ok(rms > 50 && rms < 70, `rms ${rms}`);
  const { low, high } = energyAbove4k(out);
  assert.ok(high > 5 * low, `high ${high} low ${low}`);
});

test('the same seed gives the same samples; the input is left alone', () => {
  const input = new Int16Array([1000, -1000, 500, 0]);
  const a = new PhoneBandFill(60, 7).fill(input);
  const b = new PhoneBandFill(60, 7).fill(input);
  assert.deepEqual(a, b);
  assert.deepEqual(input, new Int16Array([1000, -1000, 500, 0]));
});

test('continues smoothly across chunks (one stream of noise, not restarted per chunk)', () => {
  const whole = new PhoneBandFill(60, 3).fill(new Int16Array(320));
  const f = new PhoneBandFill(60, 3);
  const parts = [...f.fill(new Int16Array(100)), ...f.fill(new Int16Array(220))];
  assert.deepEqual(Int16Array.from(parts), whole);
});

test('clips instead of wrapping at full scale', () => {
  const out = new PhoneBandFill(2000).fill(new Int16Array(1000).fill(32767));
  assert.ok(out.every((v) => v <= 32767 && v > 0));
});
