/**
 * Builds a back-off n-gram language model in ARPA text format from tokenised sentences. Pure.
 *
 * Smoothing is interpolated Witten-Bell: for a context h seen c(h) times with T(h) distinct
 * continuations, p(w|h) = (c(h,w) + T(h)·p(w|h')) / (c(h) + T(h)), where h' drops the oldest
 * word. Written in ARPA's back-off form this needs no renormalisation: a seen n-gram stores the
 * interpolated probability and the context's back-off weight is exactly T(h) / (c(h) + T(h)),
 * because the lower-order mass an unseen word gets is the same in both forms. Witten-Bell suits
 * small, template-generated corpora: it needs no count-of-counts statistics (which Kneser-Ney and
 * Good-Turing estimate badly when almost every count is 1) and reserves more mass for contexts
 * that are followed by many different words ("on" → any weekday).
 *
 * Unigrams interpolate with a uniform distribution the same way, so every vocabulary word keeps
 * a probability floor. The vocabulary is the set of words in the sentences plus </s>; <s> is
 * listed with log-probability -99 as the format requires (it is never predicted).
 */

export const SENTENCE_START = '<s>';
export const SENTENCE_END = '</s>';

export const NGRAM_ORDERS = [1, 2, 3, 4] as const;
export type NgramOrder = (typeof NGRAM_ORDERS)[number];

export interface ArpaOptions {
  /** highest n-gram order; default 3 */
  order?: NgramOrder;
  /** digits after the decimal point of the log10 values; default 6 */
  precision?: number;
}

/** Counts for one context: total count and per-word counts of what followed it. */
interface Context {
  total: number;
  next: Map<string, number>;
}

const SEP = ' ';
const LOG10_NEVER = -99;

function validate(sentences: ReadonlyArray<readonly string[]>): void {
  sentences.forEach((s, i) => {
    for (const w of s) {
      if (!w || /\s/.test(w))
        throw new RangeError(`sentence ${i}: word ${JSON.stringify(w)} is empty or contains whitespace`);
      if (w === SENTENCE_START || w === SENTENCE_END)
        throw new RangeError(`sentence ${i}: ${w} is added automatically and must not appear in the text`);
    }
  });
}

/** A trained model: the probabilities and back-off weights ARPA would store, by order. */
export interface NgramModel {
  order: NgramOrder;
  /** words that can be predicted (every sentence word plus </s>) */
  vocabulary: string[];
  /** per order (index 0 = unigrams): "w1 w2 … wn" → log10 probability */
  logProbs: Array<Map<string, number>>;
  /** per order (index 0 = unigrams): "w1 … wn" → log10 back-off weight, for n-grams that are contexts */
  logBackoffs: Array<Map<string, number>>;
}

/** Trains an interpolated Witten-Bell model of the given order on tokenised sentences. */
export function trainNgramModel(sentences: ReadonlyArray<readonly string[]>, opts: ArpaOptions = {}): NgramModel {
  const order = opts.order ?? 3;
  if (!NGRAM_ORDERS.includes(order))
    throw new RangeError(`order must be one of ${NGRAM_ORDERS.join(', ')}, got ${order}`);
  validate(sentences);
  const used = sentences.filter((s) => s.length > 0);
  if (used.length === 0) throw new RangeError('cannot train a language model on no words');

  // contexts[n] maps an n-word history ("" for unigrams) to what followed it
  const contexts: Array<Map<string, Context>> = Array.from({ length: order }, () => new Map());
  for (const s of used) {
    const seq = [SENTENCE_START, ...s, SENTENCE_END];
    for (let i = 1; i < seq.length; i++) {
      const w = seq[i]!;
      for (let n = 0; n < order && i - n >= 0; n++) {
        const key = seq.slice(i - n, i).join(SEP);
        let ctx = contexts[n]!.get(key);
        if (!ctx) contexts[n]!.set(key, (ctx = { total: 0, next: new Map() }));
        ctx.total++;
        ctx.next.set(w, (ctx.next.get(w) ?? 0) + 1);
      }
    }
  }

  const unigrams = contexts[0]!.get('')!;
  const vocabulary = [...unigrams.next.keys()].sort();
  const probs: Array<Map<string, number>> = Array.from({ length: order }, () => new Map());
  const backoffs: Array<Map<string, number>> = Array.from({ length: order }, () => new Map());

  const uniformMass = unigrams.next.size / (unigrams.total + unigrams.next.size);
  for (const w of vocabulary) {
    const ml = unigrams.next.get(w)! / (unigrams.total + unigrams.next.size);
    probs[0]!.set(w, ml + uniformMass / vocabulary.length);
  }

  // the probability ARPA's back-off rule yields for w after `history` (linear, not log)
  const prob = (history: readonly string[], w: string): number => {
    for (let start = 0; start <= history.length; start++) {
      const h = history.slice(start);
      const p = probs[h.length]?.get([...h, w].join(SEP));
      if (p !== undefined) {
        let weight = 1;
        for (let s = 0; s < start; s++)
          weight *= backoffs[history.length - s - 1]?.get(history.slice(s).join(SEP)) ?? 1;
        return weight * p;
      }
    }
    throw new Error(`internal: word ${w} has no unigram probability`);
  };

  for (let n = 1; n < order; n++) {
    // sorted so the model (and the ARPA text) does not depend on corpus order
    for (const key of [...contexts[n]!.keys()].sort()) {
      const ctx = contexts[n]!.get(key)!;
      const history = key.split(SEP);
      const distinct = ctx.next.size;
      const denom = ctx.total + distinct;
      backoffs[n - 1]!.set(key, distinct / denom);
      for (const [w, c] of ctx.next) {
        probs[n]!.set(`${key}${SEP}${w}`, (c + distinct * prob(history.slice(1), w)) / denom);
      }
    }
  }

  const toLog = (m: Map<string, number>) => new Map([...m].map(([k, v]) => [k, Math.log10(v)]));
  return { order, vocabulary, logProbs: probs.map(toLog), logBackoffs: backoffs.map(toLog) };
}

/** log10 p(w | history) under the model, following the ARPA back-off rule. */
export function logProbability(model: NgramModel, history: readonly string[], w: string): number {
  const h = history.slice(Math.max(0, history.length - (model.order - 1)));
  for (let start = 0; start <= h.length; start++) {
    const suffix = h.slice(start);
    const p = model.logProbs[suffix.length]!.get([...suffix, w].join(SEP));
    if (p === undefined) continue;
    let bo = 0;
    for (let s = 0; s < start; s++) bo += model.logBackoffs[h.length - s - 1]!.get(h.slice(s).join(SEP)) ?? 0;
    return bo + p;
  }
  return Number.NEGATIVE_INFINITY; // not in the vocabulary
}

/** The model as ARPA text, n-grams sorted, ready for pocketsphinx's `-lm`. */
export function toArpa(model: NgramModel, opts: Pick<ArpaOptions, 'precision'> = {}): string {
  const digits = opts.precision ?? 6;
  const fmt = (x: number) => x.toFixed(digits);
  const lines: string[] = ['\\data\\'];
  const unigramCount = model.logProbs[0]!.size + 1; // + <s>
  lines.push(`ngram 1=${unigramCount}`);
  for (let n = 1; n < model.order; n++) lines.push(`ngram ${n + 1}=${model.logProbs[n]!.size}`);
  lines.push('');

  lines.push('\\1-grams:');
  const startBackoff = model.logBackoffs[0]!.get(SENTENCE_START);
  const unigramRows: Array<[string, string]> = [
    [
      SENTENCE_START,
      `${fmt(LOG10_NEVER)}\t${SENTENCE_START}${startBackoff === undefined ? '' : `\t${fmt(startBackoff)}`}`,
    ],
  ];
  for (const [w, lp] of model.logProbs[0]!) {
    const bo = model.order > 1 ? model.logBackoffs[0]!.get(w) : undefined;
    unigramRows.push([w, `${fmt(lp)}\t${w}${bo === undefined ? '' : `\t${fmt(bo)}`}`]);
  }
  for (const [, row] of unigramRows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) lines.push(row);
  lines.push('');

  for (let n = 1; n < model.order; n++) {
    lines.push(`\\${n + 1}-grams:`);
    const keys = [...model.logProbs[n]!.keys()].sort();
    for (const key of keys) {
      const bo = n < model.order - 1 ? model.logBackoffs[n]!.get(key) : undefined;
      lines.push(`${fmt(model.logProbs[n]!.get(key)!)}\t${key}${bo === undefined ? '' : `\t${fmt(bo)}`}`);
    }
    lines.push('');
  }
  lines.push('\\end\\', '');
  return lines.join('\n');
}

/** Trains and serialises in one step. */
export function buildArpa(sentences: ReadonlyArray<readonly string[]>, opts: ArpaOptions = {}): string {
  return toArpa(trainNgramModel(sentences, opts), opts);
}
