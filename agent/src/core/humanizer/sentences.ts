/**
 * Sentences for the ear: split a reply into sentences, and cut any sentence longer than twelve
 * words at its most natural joint (a semicolon, then ", and/but/so", then a comma, then a
 * conjunction), recursively, so every piece still reads as a sentence. Pure.
 */

export const MAX_SENTENCE_WORDS = 12;
/** a piece shorter than this reads as a fragment; cuts that leave one are avoided */
const MIN_PIECE_WORDS = 3;

const ABBREVIATIONS = /(?:^|\s)(?:dr|mr|mrs|ms|st|vs|etc|e\.g|i\.e|approx|jr|sr|a\.m|p\.m)$/i;

export const countWords = (s: string): number => s.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w)).length;

const DIGIT_WORD = /^(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)[,.!?]?$/i;

/**
 * Words as a listener counts them: a phone number read digit by digit ("six one nine, five five
 * five, …") is one item, not ten words, so it never forces a cut in the middle of the number.
 */
export function spokenWordCount(s: string): number {
  const words = s.split(/\s+/).filter((w) => /[A-Za-z0-9]/.test(w));
  let n = 0;
  let run = 0;
  for (const w of words) {
    if (DIGIT_WORD.test(w)) {
      run++;
      continue;
    }
    n += run >= 7 ? 1 : run;
    run = 0;
    n++;
  }
  return n + (run >= 7 ? 1 : run);
}

/**
 * The complete sentences at the start of `text` and the raw rest after them. A sentence is complete
 * once whitespace follows its mark, so a stream cut at "3." or "p.m." never ends one too early.
 */
export function scanSentences(text: string): { sentences: string[]; rest: string } {
  const sentences: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (!'.!?'.includes(ch)) continue;
    let end = i + 1;
    while (end < text.length && '.!?"\')'.includes(text[end]!)) end++;
    if (end >= text.length || !/\s/.test(text[end]!)) continue;
    if (ch === '.' && ABBREVIATIONS.test(text.slice(start, i))) continue;
    const s = text.slice(start, end).trim();
    if (s) sentences.push(s);
    start = end;
    i = end - 1;
  }
  return { sentences, rest: text.slice(start) };
}

/** "Hi. How are you? Fine!" → ["Hi.", "How are you?", "Fine!"]; a trailing fragment keeps no mark. */
export function splitSentences(text: string): string[] {
  const { sentences, rest } = scanSentences(text);
  return rest.trim() ? [...sentences, rest.trim()] : sentences;
}

const QUESTION_START =
  /^(?:would|do|does|did|can|could|is|are|was|were|what|when|where|which|who|why|how|shall|should|will|may|have|has)\b/i;
const CLAUSE_JOINERS = ['and', 'but', 'so'];
const CONJUNCTIONS = ['because', 'which', 'then', 'while', 'though', 'although', 'since', 'if'];
/** after "and"/"but"/"so", these start a new clause rather than continue a list ("waist and thighs") */
const SUBJECTS =
  /^(?:we|you|it|they|i|she|he|most|our|the|your|that|this|there|recovery|its|it's|we're|you're|they're|we'll|you'll)$/i;
/** a cut before one of these leaves the new sentence starting naturally */
const SOFT_STARTS = [
  'for',
  'about',
  'in',
  'on',
  'at',
  'from',
  'after',
  'before',
  'during',
  'until',
  'depending',
  'or',
  'with',
  'plus',
];

interface Cut {
  /** word index where the second piece starts */
  at: number;
  /** lower is better */
  rank: number;
  /** drop the conjunction at the start of the second piece */
  drop: boolean;
}

function candidateCuts(words: string[]): Cut[] {
  const cuts: Cut[] = [];
  for (let i = 1; i < words.length; i++) {
    const prev = words[i - 1]!;
    const w = words[i]!.toLowerCase().replace(/[^a-z]/g, '');
    if (/[;:—–]$/.test(prev) || prev === '—' || prev === '-') cuts.push({ at: i, rank: 0, drop: false });
    // ", and we…" joins two clauses; ", and liposuction" ends a list, a weaker joint
    else if (prev.endsWith(',') && ['and', 'but', 'so'].includes(w))
      cuts.push({ at: i, rank: SUBJECTS.test(words[i + 1] ?? '') ? 1 : 2, drop: w === 'and' });
    else if (prev.endsWith(',') && w === 'which') cuts.push({ at: i, rank: 1, drop: true });
    else if (prev.endsWith(',')) cuts.push({ at: i, rank: 2, drop: false });
    else if (CLAUSE_JOINERS.includes(w) && SUBJECTS.test(words[i + 1] ?? ''))
      cuts.push({ at: i, rank: 3, drop: w === 'and' });
    else if (CONJUNCTIONS.includes(w)) cuts.push({ at: i, rank: 3, drop: w === 'which' });
    else if (SOFT_STARTS.includes(w)) cuts.push({ at: i, rank: 4, drop: false });
  }
  return cuts;
}

function capitalize(s: string): string {
  const i = s.search(/[A-Za-z]/);
  return i < 0 ? s : s.slice(0, i) + s[i]!.toUpperCase() + s.slice(i + 1);
}

function endWith(piece: string, mark: string): string {
  return piece.replace(/[\s,;:—–-]+$/, '').replace(/[.!?]*$/, mark);
}

const NUMBER_WORD =
  /^(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|m|noon|midnight)$/i;

/** Cuts that would split a unit apart: "eight a m | to five p m", "eight thousand | to twelve thousand". */
function blocked(words: readonly string[], at: number): boolean {
  const prev = words[at - 1]!.toLowerCase();
  const w = words[at]!.toLowerCase();
  if ((w === 'to' || w === 'through') && NUMBER_WORD.test(prev)) return true;
  if ((prev === 'a' || prev === 'p') && w.startsWith('m')) return true;
  // inside a number read digit by digit ("six one nine, five five five")
  if (DIGIT_WORD.test(prev) && DIGIT_WORD.test(w)) return true;
  return false;
}

/** One sentence as one or more sentences of at most `max` words. */
export function shortenSentence(sentence: string, max = MAX_SENTENCE_WORDS): string[] {
  const words = sentence.trim().split(/\s+/).filter(Boolean);
  if (spokenWordCount(sentence) <= max) return [sentence.trim()];
  const mark = /[?!]$/.test(sentence.trim()) ? sentence.trim().slice(-1) : '.';
  const mid = words.length / 2;
  const cuts = candidateCuts(words);
  // before a capitalised word (a day, a name) is a last natural resort
  for (let i = MIN_PIECE_WORDS; i <= words.length - MIN_PIECE_WORDS; i++) {
    if (/^[A-Z]/.test(words[i]!) && words[i] !== 'I' && !cuts.some((c) => c.at === i))
      cuts.push({ at: i, rank: 5, drop: false });
  }
  const usable = cuts.filter((c) => {
    const second = c.drop ? words.length - c.at - 1 : words.length - c.at;
    return c.at >= MIN_PIECE_WORDS && second >= MIN_PIECE_WORDS && !blocked(words, c.at);
  });
  let at: number;
  let drop = false;
  if (usable.length > 0) {
    // best joint first; a cut that leaves both halves short enough beats one that doesn't; then balance
    const score = (c: Cut) =>
      c.rank * 10 + (Math.max(c.at, words.length - c.at) <= max ? 0 : 15) + Math.abs(c.at - mid) / words.length;
    const best = usable.reduce((a, b) => (score(b) < score(a) ? b : a));
    at = best.at;
    drop = best.drop;
  } else {
    // no joint at all: the unblocked word boundary nearest the middle
    at = Math.min(max, Math.ceil(mid));
    for (let d = 0; d < words.length; d++) {
      const a = Math.ceil(mid) - d;
      const b = Math.ceil(mid) + d;
      if (a > 0 && a <= max && !blocked(words, a)) {
        at = a;
        break;
      }
      if (b < words.length && b <= max && !blocked(words, b)) {
        at = b;
        break;
      }
    }
  }
  const firstWords = words.slice(0, at);
  let secondWords = words.slice(drop ? at + 1 : at);
  // ", which costs …" becomes "It costs …"
  if (/^which$/i.test(words[at] ?? '') && drop) secondWords = ['it', ...secondWords];
  const firstIsQuestion = mark === '?' && QUESTION_START.test(firstWords[0] ?? '');
  const first = endWith(firstWords.join(' '), firstIsQuestion ? '?' : mark === '!' ? '!' : '.');
  const second = endWith(capitalize(secondWords.join(' ')), mark);
  return [...shortenSentence(first, max), ...shortenSentence(second, max)];
}

const INTERJECTION =
  /^(?:absolutely|of course|perfect|wonderful|great|lovely|excellent|awesome|sure|certainly|okay|ok|alright|all right|got it|no problem|yes|yeah|no|thanks|thank you|hi|hello|sorry|good question|great question)(?:,\s+[A-Z][a-z'-]+)?[.!]$/i;

/** A bare acknowledgement ("Sure.", "Absolutely, Sarah!"): it opens a reply, it isn't one of its sentences. */
export function isInterjection(sentence: string): boolean {
  return INTERJECTION.test(sentence.trim());
}
