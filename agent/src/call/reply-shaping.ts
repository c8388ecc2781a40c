import { CallerAddressBook, ReplyHumanizer } from '../core/humanizer/index.ts';
import type { TextShaper } from './reply.ts';

/**
 * How every reply of a call is shaped for the voice (numbers as words, short sentences, the caller's
 * name now and then: core/humanizer), and the caller's name as the call learns it. A reply's answer
 * shaper is kept with its turn until the reply ends, which tells the address book whether the name was
 * used.
 */
export class ReplyShaping {
  readonly #names = new CallerAddressBook();
  readonly #guard: ((sentence: string) => boolean) | undefined;
  #answer: { turn: number; humanizer: ReplyHumanizer } | undefined;

  /** `guard`: true for a sentence of hers that must not be spoken (a leak of her instructions) */
  constructor(guard?: (sentence: string) => boolean) {
    this.#guard = guard;
  }

  /** the caller's name, once given */
  get callerName(): string | undefined {
    return this.#names.name?.full;
  }

  /** reply `turn` answers the caller's `userText` (absent: she says a line of her own) */
  started(turn: number, userText: string | undefined): void {
    if (userText) this.#names.heard(userText, turn);
  }

  /** the shaper of reply `turn`: 'answer' for her answer to the caller, 'line' for her own lines */
  shaper(turn: number): (kind: 'answer' | 'line') => TextShaper {
    return (kind) => {
      const h = new ReplyHumanizer({
        kind,
        seed: turn,
        ...(kind === 'answer' ? this.#names.forAnswer(turn) : {}),
        ...(kind === 'answer' && this.#guard ? { guard: this.#guard } : {}),
      });
      if (kind === 'answer') this.#answer = { turn, humanizer: h };
      return h;
    };
  }

  /** reply `turn` is over, however it ended */
  ended(turn: number): void {
    const answer = this.#answer?.turn === turn ? this.#answer.humanizer : undefined;
    this.#names.replied(turn, answer?.usedName ?? false);
  }
}
