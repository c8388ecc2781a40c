import type { Clock, TimerHandle } from '../core/clock.ts';
import { OnsetDetector } from '../core/audio/onset-detector.ts';
import type { AudioOut } from './audio-out.ts';
import type { Logger } from './logger.ts';

/** how long a duck waits for the VAD to confirm speech before she plays on */
export const DUCK_CONFIRM_MS = 250;

/**
 * The first ~60 ms of barge-in: on a sharp rise in the caller's loudness while she speaks, her
 * voice pauses at once (nothing lost). The neural VAD then either confirms speech — the normal
 * barge-in takes over and drops the rest of the reply — or it does not, and she plays on from
 * where she paused.
 */
export class FastDuck {
  readonly #detector = new OnsetDetector();
  #timer: TimerHandle | undefined;

  constructor(
    private readonly o: { clock: Clock; out: AudioOut; isSpeaking: () => boolean; log: Logger; confirmMs?: number },
  ) {}

  /** loudness (RMS) of each 10 ms frame of the caller's audio */
  onLevel(rms: number): void {
    if (this.#detector.push(rms) !== 'onset' || !this.o.isSpeaking() || this.o.out.paused) return;
    const generation = this.o.out.pause();
    if (generation === undefined) return;
    this.o.log.debug({ rms: Math.round(rms) }, 'ducked on a sound onset');
    if (this.#timer) this.o.clock.clearTimeout(this.#timer);
    this.#timer = this.o.clock.setTimeout(() => this.#release(generation), this.o.confirmMs ?? DUCK_CONFIRM_MS);
  }

  /** speech confirmed (the barge-in stops her for good) or her turn ended: nothing to resume */
  settle(): void {
    if (this.#timer) this.o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * The duck belongs to the utterance it paused: its release lifts that pause and nothing else
   * (whatever the conversation state is now; a stopped or finished utterance has no pause left).
   */
  #release(generation: number): void {
    this.#timer = undefined;
    if (!this.o.out.paused || this.o.out.generation !== generation) return;
    this.o.log.info({}, 'duck released: no speech followed the sound');
    void this.o.out.resume(generation);
  }
}
