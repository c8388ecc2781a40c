/**
 * Keypad entry on a phone call: a caller asked for a phone number or a date of birth may type it
 * instead of saying it, ending with `#` (the convention of phone menus). Pure: each key press gives
 * the next state and what to do. `*` starts the entry over. While she is not collecting anything and
 * nothing has been typed, the keys mean what they always did: `0` is "a person, please"
 * (phone-number.ts `dtmfIntent`), the others nothing.
 */
import { dtmfIntent } from './phone-number.ts';

/** the digits typed so far, not yet ended with `#` */
export interface KeypadState {
  digits: string;
}

export const EMPTY_KEYPAD: KeypadState = { digits: '' };

/** more than any phone number or date: a stuck key or a bored caller, not an answer */
const MAX_DIGITS = 20;

export type KeypadAction =
  | { type: 'none' }
  /** "press 0 for a person" */
  | { type: 'person' }
  /** the caller ended the entry with `#`: these words are their answer, as if they had said them */
  | { type: 'answer'; text: string };

/**
 * One key. `collecting`: she has just asked for something the keypad can give (core/dictation.ts:
 * a phone number or a date of birth), so a 0 is a digit.
 */
export function keypadPress(
  state: KeypadState,
  key: string,
  collecting: boolean,
): { state: KeypadState; action: KeypadAction } {
  if (key === '#') {
    if (!state.digits) return { state, action: { type: 'none' } };
    return { state: EMPTY_KEYPAD, action: { type: 'answer', text: typedAnswer(state.digits) } };
  }
  if (key === '*') return { state: EMPTY_KEYPAD, action: { type: 'none' } };
  if (!/^\d$/.test(key)) return { state, action: { type: 'none' } };
  // outside an entry the keys mean what they always did: 0 is a person, the rest nothing
  if (!collecting && !state.digits)
    return { state, action: dtmfIntent(key) === 'person' ? { type: 'person' } : { type: 'none' } };
  if (state.digits.length >= MAX_DIGITS) return { state, action: { type: 'none' } };
  return { state: { digits: state.digits + key }, action: { type: 'none' } };
}

/**
 * Typed digits as the words a caller would have said: a phone number as its digits, eight digits
 * (MMDDYYYY) as a numeric date the brain reads as one ("03/04/1985").
 */
export function typedAnswer(digits: string): string {
  return /^\d{8}$/.test(digits) ? `${digits.slice(0, 2)}/${digits.slice(2, 4)}/${digits.slice(4)}` : digits;
}
