/**
 * G.711 μ-law (ITU-T G.711: bias 0x84, 8 segments, inverted bits), the codec of a North American phone
 * line and of Twilio Media Streams (audio/x-mulaw): 8-bit samples at 8 kHz. One codec for every
 * workspace: the web server's Twilio bridge, the SIP test callers and the phone benches. (The fake
 * Deepgram in test/fakes keeps its own, written apart on purpose, so each checks the other.)
 */
const BIAS = 0x84;
const CLIP = 32635;

/** one linear 16-bit sample → one μ-law byte */
export function linearToUlaw(sample: number): number {
  let s = Math.max(-CLIP, Math.min(CLIP, Math.round(sample)));
  const sign = s < 0 ? 0x80 : 0;
  if (s < 0) s = -s;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** one μ-law byte → one linear 16-bit sample */
export function ulawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + BIAS) << exponent) - BIAS;
  return u & 0x80 ? -magnitude : magnitude;
}

export function decodeMulaw(bytes: Uint8Array): Int16Array {
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = ulawToLinear(bytes[i]!);
  return out;
}

export function encodeMulaw(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length);
  for (let i = 0; i < pcm.length; i++) out[i] = linearToUlaw(pcm[i]!);
  return out;
}

/** What a sample sounds like after a trip through the codec. */
export function ulawRoundTrip(pcm: Int16Array): Int16Array {
  return pcm.map((v) => ulawToLinear(linearToUlaw(v)));
}
