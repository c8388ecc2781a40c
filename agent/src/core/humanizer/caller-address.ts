/**
 * Per call: what she knows of the caller's name and when she last used it, so the name comes up
 * when it is new and then now and again — every reply would sound scripted. Pure.
 */
import { extractCallerName, type CallerName } from './caller-name.ts';
import type { HumanizeOptions } from './humanizer.ts';

/** replies between two uses of the caller's name */
const NAME_EVERY = 3;

export class CallerAddressBook {
  #name: CallerName | undefined;
  #givenAtTurn = -1;
  #lastUsedTurn = -Infinity;

  get name(): CallerName | undefined {
    return this.#name;
  }

  /** The caller's words for `turn`; returns the name if they gave one. */
  heard(text: string, turn: number): CallerName | undefined {
    const n = extractCallerName(text);
    if (n) {
      this.#name = n;
      this.#givenAtTurn = turn;
    }
    return n;
  }

  /** Humanizer options for the answer in `turn`. */
  forAnswer(turn: number): Pick<HumanizeOptions, 'callerName' | 'nameJustGiven' | 'suppressName'> {
    if (!this.#name) return {};
    const justGiven = this.#givenAtTurn === turn;
    if (!justGiven && turn - this.#lastUsedTurn < NAME_EVERY) return { suppressName: this.#name.first };
    return { callerName: this.#name.first, nameJustGiven: justGiven };
  }

  replied(turn: number, usedName: boolean): void {
    if (usedName) this.#lastUsedTurn = turn;
  }
}
