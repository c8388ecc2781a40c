/**
 * Deterministic test audio: a speech-like signal (voiced harmonics under moving vowel formants,
 * amplitude-modulated at syllable rate), silence and low-level noise. Pure, no I/O.
 *
 * It is not speech, but it has what an energy VAD and an endpointer look at: a broadband voiced
 * spectrum, syllable-rate envelope that never drops to silence inside an utterance, and a duration
 * that scales with the text (~60 ms per character), so TTS durations and STT segments behave like
 * the real thing.
 */

export interface SpeechLikeOptions {
  /** audio per character of text; speech runs ~12–16 characters per second */
  msPerChar: number;
  /** fundamental frequency, Hz */
  f0Hz: number;
  /** peak amplitude as a fraction of full scale */
  peak: number;
}

export const DEFAULT_SPEECH_LIKE: SpeechLikeOptions = { msPerChar: 60, f0Hz: 140, peak: 0.35 };

// (F1, F2) pairs for a, i, u, e, o; a syllable takes the next vowel in turn.
const VOWELS: ReadonlyArray<readonly [number, number]> = [
  [730, 1090],
  [270, 2290],
  [300, 870],
  [530, 1840],
  [570, 840],
];
const SYLLABLE_MS = 200;
const EDGE_RAMP_MS = 15;

const TABLE_SIZE = 4096;
const tables = new Map<string, Float64Array[]>();

/**
 * One pitch period per vowel, harmonics weighted by that vowel's formants (at the nominal f0, so
 * synthesis is a table lookup per sample: cheap enough that the fake's TTS latency is the profile's,
 * not the generator's).
 */
function vowelTables(sampleRate: number, f0Hz: number): Float64Array[] {
  const key = `${sampleRate}/${f0Hz}`;
  const cached = tables.get(key);
  if (cached) return cached;
  const nyquist = sampleRate / 2;
  const made = VOWELS.map(([f1, f2]) => {
    const t = new Float64Array(TABLE_SIZE);
    for (let k = 1; k * f0Hz * 1.06 < nyquist * 0.9 && k <= 30; k++) {
      const fk = k * f0Hz;
      const w = (0.05 + gauss(fk, f1, 120) + 0.6 * gauss(fk, f2, 180)) / k;
      for (let i = 0; i < TABLE_SIZE; i++) t[i]! += w * Math.sin((2 * Math.PI * k * i) / TABLE_SIZE);
    }
    return t;
  });
  tables.set(key, made);
  return made;
}

/** Speech-like mono PCM for `text` at `sampleRate`; empty text gives empty audio. */
export function speechLike(text: string, sampleRate: number, opts: Partial<SpeechLikeOptions> = {}): Int16Array {
  const o = { ...DEFAULT_SPEECH_LIKE, ...opts };
  const chars = text.trim().length;
  if (chars === 0) return new Int16Array(0);
  const n = Math.round((Math.max(200, chars * o.msPerChar) / 1000) * sampleRate);
  const vowels = vowelTables(sampleRate, o.f0Hz);
  const out = new Float64Array(n);
  const ramp = Math.round((EDGE_RAMP_MS / 1000) * sampleRate);
  let phase = 0; // in table positions
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    // slow intonation contour so the pitch is not a steady tone
    const f0 = o.f0Hz * (1 + 0.06 * Math.sin(2 * Math.PI * 0.7 * t));
    phase = (phase + (f0 * TABLE_SIZE) / sampleRate) % TABLE_SIZE;
    const table = vowels[Math.floor((t * 1000) / SYLLABLE_MS) % vowels.length]!;
    // syllable envelope: 0.45..1, never silent inside the utterance (an endpointer would split it)
    const env = 0.45 + 0.55 * Math.sin((Math.PI * ((t * 1000) % SYLLABLE_MS)) / SYLLABLE_MS) ** 2;
    const edge = Math.min(1, i / ramp, (n - 1 - i) / ramp);
    out[i] = table[Math.floor(phase)]! * env * edge;
    peak = Math.max(peak, Math.abs(out[i]!));
  }
  const scale = peak > 0 ? (o.peak * 32767) / peak : 0;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(out[i]! * scale);
  return pcm;
}

function gauss(x: number, mu: number, sigma: number): number {
  const d = (x - mu) / sigma;
  return Math.exp(-0.5 * d * d);
}

export function silence(ms: number, sampleRate: number): Int16Array {
  return new Int16Array(Math.round((ms / 1000) * sampleRate));
}

/** Deterministic white noise at roughly `dbfs` RMS (an LCG, so every run is identical). */
export function noise(ms: number, sampleRate: number, dbfs = -55, seed = 1): Int16Array {
  const n = Math.round((ms / 1000) * sampleRate);
  const rms = 32767 * 10 ** (dbfs / 20);
  const out = new Int16Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    // uniform on [-1, 1) has RMS 1/sqrt(3)
    out[i] = Math.round(((x / 2 ** 32) * 2 - 1) * rms * Math.sqrt(3));
  }
  return out;
}

/** Int16 samples as little-endian bytes (the `linear16` wire format). */
export function pcmToBytes(pcm: Int16Array): Uint8Array {
  const out = new Uint8Array(pcm.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(2 * i, pcm[i]!, true);
  return out;
}

/** Little-endian bytes back to samples; a trailing odd byte is ignored. */
export function bytesToPcm(bytes: Uint8Array): Int16Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Int16Array(Math.floor(bytes.byteLength / 2));
  for (let i = 0; i < out.length; i++) out[i] = view.getInt16(2 * i, true);
  return out;
}

/** Joins PCM buffers end to end (the project's one implementation). */
export { concatPcm } from '../../../agent/src/core/audio/frames.ts';
