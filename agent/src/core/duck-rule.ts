import type { Clock, TimerHandle } from './clock.ts';
import { OnsetDetector } from './audio/onset-detector.ts';

/** how long a duck waits for the VAD to confirm speech before she plays on */
export const DUCK_CONFIRM_MS = 250;

/**
 * The first ~60 ms of barge-in, as a rule: on a sharp rise in the caller's loudness while she speaks,
 * pause her voice at once (nothing lost). Either the neural VAD then confirms speech (the barge-in
 * stops her for good and settle() forgets the duck), or it does not, and the duck's own pause is
 * lifted `confirmMs` later. A duck belongs to the utterance (output generation) it paused: its
 * release names that generation, so it can never lift a pause of a later reply.
 */
export class DuckRule {
  readonly #detector = new OnsetDetector();
  #timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly release: (generation: number) => void,
    private readonly confirmMs = DUCK_CONFIRM_MS,
  ) {}

  /** One 10 ms frame's loudness; true: pause her now. `canDuck`: she is speaking and not paused already. */
  onLevel(rms: number, canDuck: boolean): boolean {
    return this.#detector.push(rms) === 'onset' && canDuck;
  }

  /** her voice was paused for this onset: the pause of `generation` is lifted unless speech is confirmed first */
  ducked(generation: number): void {
    this.settle();
    this.#timer = this.clock.setTimeout(() => {
      this.#timer = undefined;
      this.release(generation);
    }, this.confirmMs);
  }

  /** speech confirmed (the barge-in stops her for good) or her turn ended: nothing to lift */
  settle(): void {
    if (this.#timer) this.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
