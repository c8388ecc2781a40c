import assert from 'node:assert/strict';
import { test } from 'vitest';
import { xorshift32, XORSHIFT_RANGE } from './random.ts';

test('xorshift32 follows the published sequence, stays 32-bit, and spreads over [0, 1)', () => {
  // Marsaglia (2003), "Xorshift RNGs": 13, 17, 5 from state 1 gives 270369, then 67634689
  assert.equal(xorshift32(1), 270369);
  assert.equal(xorshift32(270369), 67634689);
  let x = 0x9e3779b9;
  let below = 0;
  for (let i = 0; i < 10_000; i++) {
    x = xorshift32(x);
    assert.ok(x > 0 && x < XORSHIFT_RANGE);
    if (x / XORSHIFT_RANGE < 0.5) below++;
  }
  assert.ok(below > 4_800 && below < 5_200, `${below} of 10000 below one half`);
});
