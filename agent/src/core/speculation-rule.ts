import { OnsetDetector } from './audio/onset-detector.ts';

/** quiet 10 ms frames after which the caller counts as pausing (longer than the gaps inside words) */
export const PAUSE_FRAMES = 8;

/**
 * When to guess: the moment the caller pauses while she listens, with interim words not guessed
 * yet, the answer to those words can be requested ahead of the final transcript. Pure: takes the
 * caller's loudness and interim words, returns the words to prefetch an answer for.
 */
export class SpeculationRule {
  readonly #pause = new OnsetDetector({ releaseFrames: PAUSE_FRAMES });
  #interim = '';
  #guessed = '';

  onInterim(text: string): void {
    this.#interim = text;
  }

  /** One 10 ms frame's loudness; returns the words to guess an answer for, if now is the moment. */
  onLevel(rms: number, listening: boolean): string | undefined {
    if (this.#pause.push(rms) !== 'release') return undefined;
    const text = this.#interim.trim();
    if (!text || text === this.#guessed || !listening) return undefined;
    this.#guessed = text;
    return text;
  }

  /** the caller is audibly speaking now (a loud run, not yet PAUSE_FRAMES of quiet) */
  get callerAudible(): boolean {
    return this.#pause.active;
  }

  /** a final transcript arrived: the next utterance starts from nothing */
  onFinal(): void {
    this.#interim = '';
    this.#guessed = '';
  }
}
