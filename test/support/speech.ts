/**
 * Microphone material for SimCaller.play(): spoken words from the offline voice, and the bad input
 * a real line delivers (silence, hiss, clipped garbage). All mono 16-bit PCM at 48 kHz, the rate
 * SimCaller publishes. Noise is seeded, so a failing run can be replayed sample for sample.
 */
import { concatPcm, padWithSilence } from '../../agent/src/core/audio/frames.ts';
import { resample } from '../../agent/src/core/audio/resample.ts';
import { xorshift32, XORSHIFT_RANGE } from '../../agent/src/core/random.ts';
import { synthesize } from '../../agent/src/engines/flite/index.ts';

export const MIC_RATE = 48000;

const samplesFor = (ms: number) => Math.round((MIC_RATE * ms) / 1000);

/** `text` spoken by flite's slt voice, with optional silence around it. */
export async function speech48k(
  text: string,
  opts: { leadingSilenceMs?: number; trailingSilenceMs?: number } = {},
): Promise<Int16Array> {
  const { samples, sampleRate } = await synthesize(text, { voice: 'slt' });
  if (samples.length === 0) throw new Error(`flite produced no audio for "${text}"`);
  return padWithSilence(
    resample(samples, sampleRate, MIC_RATE),
    MIC_RATE,
    opts.leadingSilenceMs ?? 0,
    opts.trailingSilenceMs ?? 0,
  );
}

/** Digital silence: a connected microphone that hears nothing. */
export function silence(ms: number): Int16Array {
  return new Int16Array(samplesFor(ms));
}

/** A small deterministic generator giving floats in [0, 1). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x = xorshift32(x);
    return x / XORSHIFT_RANGE;
  };
}

/** Gaussian white noise with the given RMS in int16 units (Box-Muller). */
export function whiteNoise(ms: number, rms: number, seed = 1): Int16Array {
  const next = random(seed);
  const out = new Int16Array(samplesFor(ms));
  for (let i = 0; i < out.length; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    out[i] = Math.max(-32768, Math.min(32767, Math.round(g * rms)));
  }
  return out;
}

/** A full-scale square wave: the sound of an input clipped hard. */
export function squareWave(ms: number, hz: number, amplitude = 32767): Int16Array {
  const out = new Int16Array(samplesFor(ms));
  const half = MIC_RATE / hz / 2;
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(i / half) % 2 === 0 ? amplitude : -amplitude;
  return out;
}

/**
 * Broken-codec garbage: runs of random length pinned at either rail or jumping at random between
 * them, the waveform of a decoder fed the wrong bytes.
 */
export function clippedGarbage(ms: number, seed = 7): Int16Array {
  const next = random(seed);
  const out = new Int16Array(samplesFor(ms));
  let i = 0;
  while (i < out.length) {
    const run = 1 + Math.floor(next() * 480); // up to 10 ms
    const mode = next();
    for (let k = 0; k < run && i < out.length; k++, i++) {
      if (mode < 0.4) out[i] = 32767;
      else if (mode < 0.8) out[i] = -32768;
      else out[i] = next() < 0.5 ? 32767 : -32768;
    }
  }
  return out;
}

/** Joins PCM buffers end to end. */
export const concat = concatPcm;

/** loudness (int16 RMS over 10 ms) above which a frame counts as voice, for the tests' and bench's callers */
export const AUDIBLE_RMS = 300;

/** A spoken line: its 48 kHz samples and where its voice starts and ends. */
export interface SpokenText {
  text: string;
  pcm: Int16Array;
  /** first and last audible 10 ms window of pcm, in ms from its start */
  onsetMs: number;
  endMs: number;
}

/** Says `text` with the project's own voice and finds where the voice is audible in it. */
export async function spokenText(text: string, opts: { trailingSilenceMs?: number } = {}): Promise<SpokenText> {
  const pcm = await speech48k(text, opts);
  const win = MIC_RATE / 100;
  let onsetMs = -1;
  let endMs = -1;
  for (let i = 0, w = 0; i + win <= pcm.length; i += win, w++) {
    let sum = 0;
    for (let k = 0; k < win; k++) sum += pcm[i + k]! * pcm[i + k]!;
    if (Math.sqrt(sum / win) > AUDIBLE_RMS) {
      if (onsetMs < 0) onsetMs = w * 10;
      endMs = (w + 1) * 10;
    }
  }
  if (onsetMs < 0) throw new Error(`no audible speech in "${text}"`);
  return { text, pcm, onsetMs, endMs };
}
