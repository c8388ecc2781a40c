import { parseWav } from '../../core/audio/wav.ts';
import { type FlitePool, type FliteVoice, FLITE_VOICES, sharedFlitePool } from './flite-pool.ts';
import { speakableText } from './speakable-text.ts';

export interface SynthesizeOptions {
  /** default 'slt' */
  voice?: FliteVoice;
  signal?: AbortSignal;
  /** default: the process-wide pool */
  pool?: FlitePool;
}

export interface Speech {
  /** mono 16-bit PCM at the voice's native rate */
  samples: Int16Array;
  /** 16000 for slt/rms/awb, 8000 for kal */
  sampleRate: number;
}

/** Native output rate of each voice, so empty input can still report the right rate. */
export const FLITE_VOICE_RATES: Readonly<Record<FliteVoice, number>> = {
  slt: 16000,
  rms: 16000,
  awb: 16000,
  kal: 8000,
};

/**
 * Speaks `text` with flite, offline, in a worker thread. Text without anything sayable gives
 * empty samples. Rejects with the signal's reason when aborted.
 */
export async function synthesize(text: string, opts: SynthesizeOptions = {}): Promise<Speech> {
  const voice = opts.voice ?? 'slt';
  if (!FLITE_VOICES.includes(voice))
    throw new RangeError(`unknown flite voice "${voice}"; expected one of ${FLITE_VOICES.join(', ')}`);
  opts.signal?.throwIfAborted();
  const clean = speakableText(text);
  if (!clean) return { samples: new Int16Array(0), sampleRate: FLITE_VOICE_RATES[voice] };
  const wav = await (opts.pool ?? sharedFlitePool()).run(clean, voice, opts.signal);
  const pcm = parseWav(wav);
  if (pcm.channels !== 1) throw new Error(`flite wrote ${pcm.channels} channels, expected mono`);
  return { samples: pcm.samples, sampleRate: pcm.sampleRate };
}
