/**
 * Frame-level voicing for the fake's endpointer: 10 ms frames, voiced when the RMS level is above
 * a threshold. Pure. Deliberately crude: the fake must react to the audio it actually receives
 * (speech vs silence vs low noise), not to understand it.
 */

export interface VadOptions {
  /** a frame is voiced above this RMS level, dB relative to full scale */
  thresholdDbfs: number;
  /** voiced audio needed before speech counts as started (clicks and pops do not) */
  minSpeechMs: number;
}

export const DEFAULT_VAD: VadOptions = { thresholdDbfs: -38, minSpeechMs: 60 };

export const VAD_FRAME_MS = 10;

export function frameDbfs(frame: Int16Array): number {
  if (frame.length === 0) return -Infinity;
  let sum = 0;
  for (let i = 0; i < frame.length; i++) sum += frame[i]! * frame[i]!;
  const rms = Math.sqrt(sum / frame.length);
  return rms > 0 ? 20 * Math.log10(rms / 32768) : -Infinity;
}

/** Splits a stream of samples into whole 10 ms frames and reports each one's voicing. */
export class FrameSplitter {
  readonly frameLen: number;
  #buf: Int16Array;
  #fill = 0;

  constructor(sampleRate: number) {
    this.frameLen = Math.max(1, Math.round((sampleRate * VAD_FRAME_MS) / 1000));
    this.#buf = new Int16Array(this.frameLen);
  }

  /** Calls `onFrame` for every frame completed by `samples`. */
  push(samples: Int16Array, onFrame: (frame: Int16Array) => void): void {
    let at = 0;
    while (at < samples.length) {
      const take = Math.min(this.frameLen - this.#fill, samples.length - at);
      this.#buf.set(samples.subarray(at, at + take), this.#fill);
      this.#fill += take;
      at += take;
      if (this.#fill === this.frameLen) {
        onFrame(this.#buf);
        this.#fill = 0;
      }
    }
  }
}
