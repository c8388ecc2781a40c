/**
 * Barge-in decided at the edge, from the caller's μ-law frames, while she is speaking. The agent's own
 * barge-in (Silero VAD, state INTERRUPTED, a data message back through the room) takes a few hundred
 * milliseconds to reach the bridge; Twilio, meanwhile, plays what it has queued. Like the browser's
 * on-device VAD and the agent's duck rule (agent/src/core/duck-rule.ts), this rule is the fast, cheap
 * half: a sharp rise in the caller's loudness while her voice is going out sends `clear` at once and
 * holds her next frames. The agent's verdict settles it: its barge-in drops what was held; no verdict
 * within `holdMs` (a cough, a door) and the held frames go out, late by that much and nothing lost.
 *
 * Pure: loudness values and times in, decisions out. It is written here rather than imported because
 * the web server may not import the agent's core (ARCHITECTURE.md, import layering); the agent's
 * onset detector works on 10 ms frames, this one on Twilio's 20 ms frames.
 */
export interface EdgeBargeInOptions {
  /** consecutive loud 20 ms frames that make an onset */
  minLoudFrames: number;
  /** loud = above the line's noise floor times this (4 ≈ 12 dB) … */
  floorRatio: number;
  /** … and above this RMS in int16 units (≈ -38 dBFS), so line silence never triggers */
  minRms: number;
  /** how fast the floor follows quieter frames (0..1 per frame) */
  floorAdapt: number;
  /** quiet frames after which a new onset may fire */
  releaseFrames: number;
  /** how long her frames are held after an edge clear, waiting for the agent's verdict */
  holdMs: number;
}

export const EDGE_BARGE_IN: EdgeBargeInOptions = {
  minLoudFrames: 2,
  floorRatio: 4,
  minRms: 400,
  floorAdapt: 0.1,
  releaseFrames: 10,
  holdMs: 500,
};

export type EdgeDecision =
  /** send `clear` now and hold her frames until `holdUntil` */
  { action: 'clear'; holdUntil: number } | undefined;

export class EdgeBargeIn {
  readonly #o: EdgeBargeInOptions;
  #floor = 0;
  #loud = 0;
  #quiet = 0;
  #active = false;
  #holdUntil = -Infinity;

  constructor(opts: Partial<EdgeBargeInOptions> = {}) {
    this.#o = { ...EDGE_BARGE_IN, ...opts };
  }

  get noiseFloor(): number {
    return this.#floor;
  }

  /**
   * One inbound 20 ms frame: its RMS, whether her voice is going out to Twilio right now, and the time.
   * Returns `clear` on the frame that completes a loud run while she speaks; one per sound.
   */
  caller(rms: number, sheSpeaks: boolean, nowMs: number): EdgeDecision {
    const o = this.#o;
    const loud = rms > Math.max(o.minRms, this.#floor * o.floorRatio);
    // the floor follows the quiet line quickly and hardly moves inside a sound
    const k = rms < this.#floor ? o.floorAdapt : this.#active || loud ? o.floorAdapt / 20 : o.floorAdapt;
    this.#floor += (rms - this.#floor) * k;
    if (!loud) {
      this.#loud = 0;
      if (this.#active && ++this.#quiet >= o.releaseFrames) this.#active = false;
      return undefined;
    }
    this.#quiet = 0;
    if (this.#active || ++this.#loud < o.minLoudFrames) return undefined;
    this.#active = true;
    if (!sheSpeaks) return undefined;
    this.#holdUntil = nowMs + o.holdMs;
    return { action: 'clear', holdUntil: this.#holdUntil };
  }

  /** whether her frame going out now must be held (an edge clear awaits the agent's verdict) */
  holding(nowMs: number): boolean {
    return nowMs < this.#holdUntil;
  }

  /** the agent's barge-in (or her turn ended): nothing is held any more */
  settle(): void {
    this.#holdUntil = -Infinity;
  }
}

/** RMS of int16 samples, in int16 units */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length ? Math.sqrt(sum / samples.length) : 0;
}
