import { AudioFrame, AudioResampler, AudioResamplerQuality } from '@livekit/rtc-node';
import { DECODER_SAMPLE_RATE } from './decoder.ts';

/** Averages interleaved channels into one. */
export function downmix(data: Int16Array, channels: number): Int16Array {
  if (channels === 1) return data;
  const n = Math.floor(data.length / channels);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += data[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Turns AudioFrames of any rate and channel count into 16 kHz mono for the decoder. The agents
 * base class can resample too, but only mono, and a caller's track may be stereo; this one
 * downmixes first and follows a change of input rate by starting a fresh resampler.
 */
export class ToDecoderRate {
  #resampler: AudioResampler | undefined;

  /** 16 kHz mono chunks for this frame (possibly none: the resampler buffers a little). */
  push(frame: AudioFrame): Int16Array[] {
    if (frame.samplesPerChannel === 0) return [];
    const mono = downmix(frame.data.subarray(0, frame.samplesPerChannel * frame.channels), frame.channels);
    if (frame.sampleRate === DECODER_SAMPLE_RATE) return [mono];
    if (this.#resampler && this.#resampler.inputRate !== frame.sampleRate) this.close();
    // HIGH quality: the decoder's features are sensitive to aliasing; the cost is small at 16 kHz
    this.#resampler ??= new AudioResampler(frame.sampleRate, DECODER_SAMPLE_RATE, 1, AudioResamplerQuality.HIGH);
    return this.#resampler
      .push(new AudioFrame(mono, frame.sampleRate, 1, mono.length))
      .map((f) => f.data.slice(0, f.samplesPerChannel));
  }

  /** What the resampler still holds, at the end of the input. */
  flush(): Int16Array[] {
    const out = this.#resampler?.flush().map((f) => f.data.slice(0, f.samplesPerChannel)) ?? [];
    return out;
  }

  close(): void {
    this.#resampler?.close();
    this.#resampler = undefined;
  }
}
