/**
 * Word error rate: word-level Levenshtein distance between a reference and a hypothesis after
 * both are normalised the same way, so that spelling conventions ("10:30" vs "ten thirty",
 * "what's" vs "what is", "p.m." vs "p m") are not counted as recognition errors. Pure.
 */
import { numberToWords, ordinalToWords } from './text/number-words.ts';

export interface WerResult {
  /**
   * (substitutions + deletions + insertions) / reference words; 0 when
   * both are empty, 1 per inserted word when only the reference is empty
   */
  wer: number;
  substitutions: number;
  deletions: number;
  insertions: number;
  /** number of words in the normalised reference */
  referenceWords: number;
  reference: string[];
  hypothesis: string[];
}

// Contractions are expanded on both sides; "'d" and "'s" are ambiguous ("I'd" = I would / I had,
// "it's" = it is / it has), but any consistent choice scores a recogniser fairly.
const CONTRACTIONS: ReadonlyArray<[RegExp, string]> = [
  [/\bwon't\b/g, 'will not'],
  [/\bcan't\b/g, 'can not'],
  [/\bcannot\b/g, 'can not'],
  [/\bain't\b/g, 'is not'],
  [/n't\b/g, ' not'],
  [/'re\b/g, ' are'],
  [/'ve\b/g, ' have'],
  [/'ll\b/g, ' will'],
  [/'d\b/g, ' would'],
  [/\bi'm\b/g, 'i am'],
  [/\blet's\b/g, 'let us'],
  [/\b(what|where|when|who|how|that|there|here|it|he|she)'s\b/g, '$1 is'],
];

/**
 * Digits as words: "10:30" → "ten thirty", "9:05" → "nine oh five",
 * "$8,000" → "eight thousand dollars", "21st" → "twenty first".
 */
function numbersToWords(text: string): string {
  return text
    .replace(/\$(\d[\d,]*)/g, (_, n: string) => `${n} dollars`)
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/\b(\d{1,2}):(\d{2})\b/g, (_, h: string, m: string) => {
      const min = Number(m);
      const minutes = min === 0 ? '' : min < 10 ? ` oh ${numberToWords(min)}` : ` ${numberToWords(min)}`;
      return `${numberToWords(Number(h))}${minutes}`;
    })
    .replace(/\b(\d+)(st|nd|rd|th)\b/g, (_, n: string) => ordinalToWords(Number(n)))
    .replace(/\d+/g, (n) => ` ${numberToWords(Number(n))} `)
    .replace(/%/g, ' percent ');
}

/**
 * Lowercase words without punctuation, digits spelled out, contractions expanded, hyphens split,
 * "a.m."/"p.m." spelled as letters (the way the recogniser's dictionary has them).
 */
export function normalizeForWer(text: string): string[] {
  let t = text.toLowerCase().replace(/[’`]/g, "'");
  // "p.m.", "10pm", "pm" → "p m"; a bare "am" is left alone because it is usually the verb
  t = t
    .replace(/\b([ap])\.\s?m\b\.?/g, '$1 m')
    .replace(/(\d)\s*([ap])m\b/g, '$1 $2 m')
    .replace(/\bpm\b/g, 'p m');
  t = numbersToWords(t);
  for (const [re, to] of CONTRACTIONS) t = t.replace(re, to);
  t = t.replace(/[^a-z0-9' ]+/g, ' ').replace(/(^|\s)'+|'+(?=\s|$)/g, ' ');
  return t.split(/\s+/).filter(Boolean);
}

/** Word error rate of `hypothesis` against `reference`, after normalizeForWer on both. */
export function wordErrorRate(reference: string, hypothesis: string): WerResult {
  return alignWords(normalizeForWer(reference), normalizeForWer(hypothesis));
}

/** Levenshtein alignment of two word sequences, counting each kind of edit. */
export function alignWords(ref: readonly string[], hyp: readonly string[]): WerResult {
  type Cell = { cost: number; s: number; d: number; i: number };
  let prev: Cell[] = Array.from({ length: hyp.length + 1 }, (_, j) => ({ cost: j, s: 0, d: 0, i: j }));
  for (let r = 1; r <= ref.length; r++) {
    const cur: Cell[] = [{ cost: r, s: 0, d: r, i: 0 }];
    for (let h = 1; h <= hyp.length; h++) {
      const diag = prev[h - 1]!;
      const up = prev[h]!;
      const left = cur[h - 1]!;
      const same = ref[r - 1] === hyp[h - 1];
      const sub = { cost: diag.cost + (same ? 0 : 1), s: diag.s + (same ? 0 : 1), d: diag.d, i: diag.i };
      const del = { cost: up.cost + 1, s: up.s, d: up.d + 1, i: up.i };
      const ins = { cost: left.cost + 1, s: left.s, d: left.d, i: left.i + 1 };
      // ties prefer the diagonal so an error is reported as one substitution, not a delete + insert
      cur.push(sub.cost <= del.cost && sub.cost <= ins.cost ? sub : del.cost <= ins.cost ? del : ins);
    }
    prev = cur;
  }
  const end = prev[hyp.length]!;
  const wer = ref.length === 0 ? hyp.length : end.cost / ref.length;
  return {
    wer,
    substitutions: end.s,
    deletions: end.d,
    insertions: end.i,
    referenceWords: ref.length,
    reference: [...ref],
    hypothesis: [...hyp],
  };
}

/** Corpus-level WER: total edits over total reference words (not the mean of per-utterance rates). */
export function aggregateWer(results: readonly WerResult[]): number {
  const words = results.reduce((n, r) => n + r.referenceWords, 0);
  const edits = results.reduce((n, r) => n + r.substitutions + r.deletions + r.insertions, 0);
  return words === 0 ? edits : edits / words;
}
