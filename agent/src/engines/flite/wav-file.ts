import { padWithSilence } from '../../core/audio/frames.ts';
import { resample } from '../../core/audio/resample.ts';
import { encodeWav } from '../../core/audio/wav.ts';
import type { FliteVoice } from './flite-pool.ts';
import { synthesize } from './synthesize.ts';

export interface WavFileOptions {
  /** default 'slt' */
  voice?: FliteVoice;
  /** output rate in Hz, default 16000 */
  sampleRate?: number;
  leadingSilenceMs?: number;
  trailingSilenceMs?: number;
  signal?: AbortSignal;
}

/** Speaks `text` and returns a 16-bit mono WAV file at the requested rate (test audio, CLI). */
export async function synthesizeToWav(text: string, opts: WavFileOptions = {}): Promise<Buffer> {
  const sampleRate = opts.sampleRate ?? 16000;
  const speech = await synthesize(text, { voice: opts.voice, signal: opts.signal });
  const pcm = resample(speech.samples, speech.sampleRate, sampleRate);
  const padded = padWithSilence(pcm, sampleRate, opts.leadingSilenceMs ?? 0, opts.trailingSilenceMs ?? 0);
  const wav = encodeWav(padded, sampleRate);
  return Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
}
