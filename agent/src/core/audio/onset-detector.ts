/**
 * A fast speech-onset detector on frame loudness: it fires within two 10 ms frames of a sound
 * rising well above the line's noise floor. It is the first, cheap half of barge-in: it lets her
 * fall silent ~60 ms before the neural VAD (which needs 64 ms of audio plus inference) can confirm
 * that the sound is speech. A false alarm only costs a short pause, which the caller of this
 * detector undoes when no confirmation follows. Pure: takes RMS values, returns decisions.
 */
export interface OnsetOptions {
  /** consecutive loud frames that make an onset */
  minLoudFrames: number;
  /** loud = above the noise floor times this (4 ≈ 12 dB) … */
  floorRatio: number;
  /** … and above this absolute RMS in int16 units (≈ -38 dBFS), so digital silence never triggers */
  minRms: number;
  /** quiet frames after which a new onset can fire */
  releaseFrames: number;
  /** how fast the floor follows quieter frames (0..1 per frame); louder frames move it 10× slower */
  floorAdapt: number;
}

export const DEFAULT_ONSET_OPTIONS: OnsetOptions = {
  minLoudFrames: 2,
  floorRatio: 4,
  minRms: 400,
  releaseFrames: 20,
  floorAdapt: 0.1,
};

export type OnsetEvent = 'onset' | 'release';

export class OnsetDetector {
  readonly #o: OnsetOptions;
  #floor = 0;
  #loud = 0;
  #quiet = 0;
  #active = false;

  constructor(opts: Partial<OnsetOptions> = {}) {
    this.#o = { ...DEFAULT_ONSET_OPTIONS, ...opts };
  }

  get noiseFloor(): number {
    return this.#floor;
  }

  /** inside a sound: an onset fired and no release since */
  get active(): boolean {
    return this.#active;
  }

  /** consecutive loud frames up to and including the last one pushed (0: the last frame was quiet) */
  get loudFrames(): number {
    return this.#loud;
  }

  /**
   * One frame's RMS; returns 'onset' on the frame that completes a loud run, 'release' once it has been quiet again.
   */
  push(rms: number): OnsetEvent | undefined {
    const o = this.#o;
    const loud = rms > Math.max(o.minRms, this.#floor * o.floorRatio);
    // the floor tracks the quiet parts of the line: fast downwards, slowly upwards (a steady hum
    // raises it; speech, being loud and brief, hardly does). Inside a sound it barely moves: its
    // softer syllables are not the line's noise, and a floor that climbed onto the speech would
    // call a pause in the middle of it and then miss the real end.
    const k =
      rms < this.#floor ? o.floorAdapt : this.#active ? o.floorAdapt / 100 : loud ? o.floorAdapt / 10 : o.floorAdapt;
    this.#floor += (rms - this.#floor) * k;
    if (loud) {
      this.#quiet = 0;
      this.#loud++;
      if (!this.#active && this.#loud >= o.minLoudFrames) {
        this.#active = true;
        return 'onset';
      }
      return undefined;
    }
    this.#loud = 0;
    if (this.#active && ++this.#quiet >= o.releaseFrames) {
      this.#active = false;
      return 'release';
    }
    return undefined;
  }
}

/** RMS of int16 samples, in int16 units. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, samples.length));
}
