/**
 * A small seeded generator (Marsaglia's xorshift32) for everything that must replay the same "random"
 * sequence: the phone-band fill, the bench's provider jitter, the tests' noise. Pure.
 */

/** The next 32-bit state after `x` (never 0 when `x` is not 0). */
export function xorshift32(x: number): number {
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** 2³²: a state divided by it is a uniform in [0, 1). */
export const XORSHIFT_RANGE = 0x1_0000_0000;
