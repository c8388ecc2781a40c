/**
 * Class-based n-grams. The corpus says "my name is [first] [last]" or "on the [ordinal]" instead of
 * one name or date per sentence; the model is trained with the class tokens as words; then every
 * n-gram that holds a class token is expanded into its members, a member predicted with
 * p(member | h) = p(class | h) · p(member | class) (uniform within the class). So every name, date
 * or service the lists hold gets every context any of them has, including the ones a template
 * happened not to fill with it, with the probability the class as a whole earned. Pure.
 *
 * A member of several words is one token joined with underscores ("twenty_second",
 * "tummy_tuck"): a compound word in the dictionary, read back as its words. A member that is also
 * an ordinary word of the corpus gets both probabilities added.
 */
import { type NgramModel } from './arpa.ts';

/** class name → members (single tokens; several words joined with '_') */
export type WordClasses = Readonly<Record<string, readonly string[]>>;

/** The token a class stands as in the corpus: "[first]". */
export const classToken = (name: string): string => `[${name}]`;

const CLASS = /^\[(\w+)\]$/;

/** Expansions past this many n-grams are an error: a template with too many classes in a row. */
export const MAX_EXPANDED_NGRAMS = 2_000_000;

export function expandClasses(model: NgramModel, classes: WordClasses): NgramModel {
  const members = new Map<string, readonly string[]>();
  for (const [name, list] of Object.entries(classes)) {
    if (list.length === 0) throw new RangeError(`class ${name} has no members`);
    for (const m of list) {
      if (!m || /\s/.test(m) || CLASS.test(m)) throw new RangeError(`class ${name}: bad member ${JSON.stringify(m)}`);
    }
    members.set(classToken(name), [...new Set(list)]);
  }
  for (const w of model.vocabulary) {
    if (CLASS.test(w) && !members.has(w)) throw new RangeError(`the corpus uses ${w}, which no class defines`);
  }
  let total = 0;
  /** the concrete n-grams a (class-bearing) n-gram stands for, each with log10 p(member | class) of its last word */
  function* expansions(words: readonly string[]): Generator<[string, number]> {
    const choices = words.map((w) => members.get(w) ?? [w]);
    const size = choices.reduce((n, c) => n * c.length, 1);
    total += size;
    if (total > MAX_EXPANDED_NGRAMS)
      throw new RangeError(`class expansion passed ${MAX_EXPANDED_NGRAMS} n-grams (at "${words.join(' ')}")`);
    const last = choices.at(-1)!;
    const lastLog = members.has(words.at(-1)!) ? -Math.log10(last.length) : 0;
    const idx = new Array<number>(choices.length).fill(0);
    for (let k = 0; k < size; k++) {
      yield [choices.map((c, i) => c[idx[i]!]!).join(' '), lastLog];
      for (let i = idx.length - 1; i >= 0; i--) {
        if (++idx[i]! < choices[i]!.length) break;
        idx[i] = 0;
      }
    }
  }
  const logProbs = model.logProbs.map((m) => {
    const out = new Map<string, number>();
    for (const [key, lp] of m) {
      for (const [k, extra] of expansions(key.split(' '))) {
        const prev = out.get(k);
        const p = lp + extra;
        // the same words reached as a plain word and as a class member: their probabilities add
        out.set(k, prev === undefined ? p : Math.log10(10 ** prev + 10 ** p));
      }
    }
    return out;
  });
  const logBackoffs = model.logBackoffs.map((m) => {
    const out = new Map<string, number>();
    for (const [key, bo] of m) {
      // a context reached both ways keeps its plain weight (written first when the keys are sorted below)
      for (const [k] of expansions(key.split(' '))) if (!out.has(k) || !key.includes('[')) out.set(k, bo);
    }
    return out;
  });
  const vocabulary = [...new Set(model.vocabulary.flatMap((w) => members.get(w) ?? [w]))].sort();
  return { order: model.order, vocabulary, logProbs, logBackoffs };
}
