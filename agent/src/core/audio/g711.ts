/** G.711 μ-law (ITU-T G.711), the codec of a North American phone line: 8-bit samples at 8 kHz. Pure. */
export function linearToUlaw(sample: number): number {
  const BIAS = 0x84;
  let s = Math.max(-32635, Math.min(32635, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

export function ulawToLinear(u: number): number {
  const x = ~u & 0xff;
  const exponent = (x >> 4) & 0x07;
  const magnitude = ((((x & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return x & 0x80 ? -magnitude : magnitude;
}

/** What a sample sounds like after a trip through the codec. */
export function ulawRoundTrip(pcm: Int16Array): Int16Array {
  return pcm.map((v) => ulawToLinear(linearToUlaw(v)));
}
