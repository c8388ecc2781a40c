/**
 * Dictation-friendly turns. While she collects a phone number, a date of birth or something spelled
 * out, callers read in groups ("six one nine … five five five … zero one zero zero") and pause between
 * them. Those pauses are not the end of the turn: the words wait until the answer is whole, or until
 * the caller has been quiet for DICTATION_HOLD_MS. Pure; an input of the end-of-turn decision in
 * TurnCore (core/turn-core.ts), beside core/end-of-turn.ts.
 */
import { spokenDigits } from './text/caller-input.ts';
import { birthDateFromSpeech, emailFromSpeech, partialBirthDate } from './text/dictated.ts';

export type DictationKind = 'phone' | 'date-of-birth' | 'spelling';

/**
 * How long the words of a dictation wait for the next group. The wait starts at the recogniser's
 * final transcript, which comes after the caller stopped; a caller starting again cancels it once the
 * VAD hears them. 2 s covers a 1.5 s pause between groups plus the VAD's onset confirmation.
 */
export const DICTATION_HOLD_MS = 2000;

/** What her words just asked for, if it is something callers dictate. */
export function dictationAsked(agentText: string): DictationKind | undefined {
  // the question is at the end of what she said; an earlier sentence may echo another answer
  const last = agentText.split(/(?<=[.?!])\s+/).at(-1) ?? '';
  const t = last.toLowerCase();
  if (/\bspell\b|letter by letter|email address/.test(t)) return 'spelling';
  if (/date of birth|birth ?date|birthday|when were you born/.test(t)) return 'date-of-birth';
  if (/phone number|your number|the number|digit by digit/.test(t)) return 'phone';
  return undefined;
}

/** a North American number: ten digits (eleven with the leading 1) */
const PHONE_DIGITS = 10;
/** the words that join a spelled address; after one of them more must come */
const SPELLING_JOINERS = new Set(['at', 'dot', 'underscore', 'dash', 'hyphen', 'period']);

/**
 * Is the dictated answer whole? 'more': hold the turn for the next group. 'judge': the dictation
 * rule has nothing to add (the answer is whole, or the caller said something else): the ordinary
 * end-of-turn rule decides.
 */
export function dictationVerdict(kind: DictationKind, text: string): 'more' | 'judge' {
  const trimmed = text.trim();
  if (!trimmed || /\?["')\]]*$/.test(trimmed)) return 'judge';
  switch (kind) {
    case 'phone': {
      const digits = spokenDigits(trimmed).length;
      if (digits === 0) return 'judge';
      return digits < PHONE_DIGITS ? 'more' : 'judge';
    }
    case 'date-of-birth':
      // the upper bound only checks the date is not in the future; any date will do for "whole"
      if (birthDateFromSpeech(trimmed, '9999-12-31')) return 'judge';
      return partialBirthDate(trimmed) ? 'more' : 'judge';
    case 'spelling': {
      if (emailFromSpeech(trimmed)) return 'judge';
      const tokens = trimmed
        .toLowerCase()
        .replace(/[^a-z0-9 ]+/g, ' ')
        .split(/\s+/)
        .filter(Boolean);
      const last = tokens.at(-1) ?? '';
      // letters one by one, or a joiner: the caller is mid-spelling
      if (/^[a-z0-9]$/.test(last) || SPELLING_JOINERS.has(last)) return 'more';
      // "maria at gmail": an address needs its dot before it is whole
      if (tokens.includes('at') && !tokens.slice(tokens.indexOf('at')).includes('dot')) return 'more';
      return 'judge';
    }
  }
}
