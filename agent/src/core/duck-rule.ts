import type { Clock, TimerHandle } from './clock.ts';
import { OnsetDetector } from './audio/onset-detector.ts';

/** how long a duck waits for the VAD to confirm speech before she plays on */
export const DUCK_CONFIRM_MS = 250;
/**
 * quiet 10 ms frames after a provisional duck's loud frame that make it a click: longer than the gap
 * between a stop consonant's burst and its vowel ("t|ell"), so a word that starts that way keeps her paused
 */
export const CLICK_QUIET_FRAMES = 5;

/**
 * The first ~50 ms of barge-in, as a rule: on a sharp rise in the caller's loudness while she speaks,
 * pause her voice at once (nothing lost). The pause is taken on the very first loud frame, before the
 * onset detector has seen the second one it needs to call the sound an onset: that pause is provisional.
 * If the line goes quiet again for CLICK_QUIET_FRAMES without an onset (a click, a pop on the line),
 * the pause is lifted then, and she has lost some 60 ms of sound and not a word. Once the sound is an
 * onset, either the neural VAD confirms speech (the barge-in stops her for good and settle() forgets the
 * duck), or it does not, and the duck's own pause is lifted `confirmMs` after the onset. A duck belongs
 * to the utterance (output generation) it paused: its release names that generation, so it can never
 * lift a pause of a later reply.
 */
export class DuckRule {
  readonly #detector = new OnsetDetector();
  #timer: TimerHandle | undefined;
  /** the last onLevel() asked for a duck on a first loud frame: the ducked() that follows is provisional */
  #askedOnFirstFrame = false;
  /** the generation paused on a first loud frame, until the detector calls the sound an onset (or a click) */
  #provisional: { generation: number; quiet: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly release: (generation: number) => void,
    private readonly confirmMs = DUCK_CONFIRM_MS,
  ) {}

  /** One 10 ms frame's loudness; true: pause her now. `canDuck`: she is speaking and not paused already. */
  onLevel(rms: number, canDuck: boolean): boolean {
    this.#askedOnFirstFrame = false;
    const event = this.#detector.push(rms);
    const p = this.#provisional;
    if (p) {
      p.quiet = this.#detector.loudFrames === 0 ? p.quiet + 1 : 0;
      if (event === 'onset') {
        // a sound after all: the VAD has confirmMs from now to call it speech
        this.#provisional = undefined;
        this.ducked(p.generation);
      } else if (p.quiet >= CLICK_QUIET_FRAMES) {
        // a loud frame and quiet again, never two loud ones: a click, not speech; she plays on now
        this.settle();
        this.release(p.generation);
      }
    }
    if (!canDuck) return false;
    if (event === 'onset') return true;
    if (this.#detector.loudFrames === 1 && !this.#detector.active) {
      this.#askedOnFirstFrame = true;
      return true;
    }
    return false;
  }

  /** her voice was paused for this onset: the pause of `generation` is lifted unless speech is confirmed first */
  ducked(generation: number): void {
    const provisional = this.#askedOnFirstFrame;
    this.settle();
    if (provisional) this.#provisional = { generation, quiet: 0 };
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#provisional = undefined;
      this.release(generation);
    }, this.confirmMs);
  }

  /** speech confirmed (the barge-in stops her for good) or her turn ended: nothing to lift */
  settle(): void {
    if (this.#timer) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#provisional = undefined;
    this.#askedOnFirstFrame = false;
  }
}
