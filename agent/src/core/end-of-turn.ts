/**
 * Is the caller done? The semantic end-of-turn decision, pure: it reads the words of the turn so far
 * (the final transcripts not yet answered, joined) and, when the adapter has one, an end-of-turn
 * model's probability for the audio just heard. Short STT endpointing makes every pause a final
 * transcript; this rule decides which of those finals end the turn.
 *
 * - Complete: a question mark, or words that end like a finished thought. She answers at once (the
 *   fast path: the speculative answer is already under way).
 * - Unfinished: the words stop where a sentence cannot (a filler, "and", "to", "the", a comma), or a
 *   phone number stops short of its ten digits. She holds the turn for `unfinishedHoldMs` while the
 *   caller gathers their thoughts; their next words extend it.
 * - Ambiguous words and a model that finds the end unlikely (below `unlikelyThreshold`): a shorter
 *   hold, `unlikelyHoldMs`.
 */

export interface EndOfTurnOptions {
  /** how long she waits after words that stop mid-sentence, unless the caller goes on */
  unfinishedHoldMs: number;
  /** how long she waits when only the model finds the end unlikely */
  unlikelyHoldMs: number;
  /** model probability below which the end of turn is unlikely (LiveKit's v1-mini: 0.36 for English) */
  unlikelyThreshold: number;
}

export const DEFAULT_END_OF_TURN: EndOfTurnOptions = {
  unfinishedHoldMs: 1500,
  unlikelyHoldMs: 500,
  unlikelyThreshold: 0.36,
};

export type UnfinishedReason = 'filler' | 'function_word' | 'trailing_comma' | 'short_number' | 'model';

export type TurnVerdict = { kind: 'complete' } | { kind: 'unfinished'; reason: UnfinishedReason; holdMs: number };

/** a hesitation: the caller is still looking for the next word */
const FILLERS = new Set(['um', 'umm', 'uh', 'uhh', 'er', 'erm', 'hmm', 'mm', 'ah']);

/**
 * Words a finished sentence practically never ends on (conjunctions, prepositions, articles,
 * possessives, a subject pronoun, a linking "is" before what it introduces: "my name is", "the best
 * number is"); one that ends with a full stop may ("I think so.", "I'd like that.", "That's what it is.").
 */
const FUNCTION_WORDS = new Set([
  'and',
  'or',
  'but',
  'so',
  'because',
  'if',
  'than',
  'that',
  'to',
  'for',
  'of',
  'on',
  'in',
  'at',
  'with',
  'about',
  'from',
  'into',
  'by',
  'like',
  'the',
  'a',
  'an',
  'my',
  'your',
  'our',
  'his',
  'her',
  'their',
  'i',
  "i'm",
  "i'd",
  "i'll",
  'we',
  "we're",
  'just',
  'is',
  'are',
  'was',
  'were',
]);

const DIGIT_WORDS: Record<string, number> = {
  zero: 1,
  oh: 1,
  o: 1,
  one: 1,
  two: 1,
  three: 1,
  four: 1,
  five: 1,
  six: 1,
  seven: 1,
  eight: 1,
  nine: 1,
  double: 0, // "double five": the next word carries the digits
};
/** a North American number: the caller is not done before ten digits */
const PHONE_DIGITS = 10;
/** fewer digits than this at the end is a quantity or a time, not a number being read out */
const MIN_NUMBER_DIGITS = 3;

/** Digits at the end of the words (spelled or written, across groups); 0 when they end in no digit. */
export function trailingDigits(text: string): number {
  const tokens = text
    .toLowerCase()
    .split(/[\s,.;:!?-]+/)
    .filter(Boolean);
  let digits = 0;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    if (/^\d+$/.test(t)) digits += t.length;
    else if (t in DIGIT_WORDS) digits += DIGIT_WORDS[t]! || (i < tokens.length - 1 ? 1 : 0);
    else break;
  }
  return digits;
}

/** The decision for the words of a turn so far, and the model's probability if there is one. */
export function endOfTurn(
  text: string,
  eotProbability?: number,
  opts: EndOfTurnOptions = DEFAULT_END_OF_TURN,
): TurnVerdict {
  const trimmed = text.trim();
  const hold = (reason: UnfinishedReason): TurnVerdict => ({
    kind: 'unfinished',
    reason,
    holdMs: reason === 'model' ? opts.unlikelyHoldMs : opts.unfinishedHoldMs,
  });
  if (!trimmed) return { kind: 'complete' };
  if (/\?["')\]]*$/.test(trimmed)) return { kind: 'complete' };
  const digits = trailingDigits(trimmed);
  if (digits >= MIN_NUMBER_DIGITS) return digits < PHONE_DIGITS ? hold('short_number') : { kind: 'complete' };
  if (/(,|…|\.\.\.|\s-|—)$/.test(trimmed)) return hold('trailing_comma');
  const words = trimmed
    .toLowerCase()
    .replace(/[^a-z0-9\s'-]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  const last = words.at(-1);
  if (last === undefined) return { kind: 'complete' };
  if (FILLERS.has(last)) return hold('filler');
  if (FUNCTION_WORDS.has(last) && !/[.!]$/.test(trimmed)) return hold('function_word');
  if (eotProbability !== undefined && eotProbability < opts.unlikelyThreshold && !/[.!]$/.test(trimmed))
    return hold('model');
  return { kind: 'complete' };
}
