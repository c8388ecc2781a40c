/**
 * Turns a stream of LLM text deltas into speakable chunks as early as possible:
 * a chunk ends at a sentence end, or — for the first chunk of a reply only, so speech starts sooner —
 * at a clause boundary (, ; : —) once enough words have arrived. Pure: no timers, no I/O.
 */
export interface ChunkerOptions {
  /** the first chunk may end at a clause boundary once it has at least this many words */
  firstClauseMinWords: number;
  /** a chunk that has grown this long is cut at its last clause boundary, or at a word if it has none */
  maxWords: number;
}

export const DEFAULT_CHUNKER_OPTIONS: ChunkerOptions = { firstClauseMinWords: 4, maxWords: 25 };

// Abbreviations whose period does not end a sentence.
const ABBREVIATIONS = new Set([
  'dr',
  'mr',
  'mrs',
  'ms',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'approx',
  'no',
  'jr',
  'sr',
  'a.m',
  'p.m',
]);

export class SentenceChunker {
  #buf = '';
  #emitted = 0;
  readonly #opts: ChunkerOptions;

  constructor(opts: Partial<ChunkerOptions> = {}) {
    this.#opts = { ...DEFAULT_CHUNKER_OPTIONS, ...opts };
  }

  /** Adds text; returns the chunks that are complete now. */
  push(delta: string): string[] {
    this.#buf += delta;
    const out: string[] = [];
    for (let cut = this.#nextCut(); cut > 0; cut = this.#nextCut()) {
      const chunk = this.#buf.slice(0, cut).trim();
      this.#buf = this.#buf.slice(cut);
      if (chunk) {
        out.push(chunk);
        this.#emitted++;
      }
    }
    return out;
  }

  /** End of the reply: whatever is left is the last chunk. */
  flush(): string[] {
    const rest = this.#buf.trim();
    this.#buf = '';
    if (!rest) return [];
    this.#emitted++;
    return [rest];
  }

  /** index just past the end of the first complete chunk in the buffer, or 0 */
  #nextCut(): number {
    const b = this.#buf;
    const words = (s: string) => s.trim().split(/\s+/).filter(Boolean).length;
    let lastClause = 0;
    for (let i = 0; i < b.length; i++) {
      const ch = b[i]!;
      const next = b[i + 1];
      // a boundary only counts once we see what follows it (a space), so "3.5" or "e.g." mid-token never split
      if (next === undefined) break;
      if ('.!?'.includes(ch)) {
        let end = i + 1;
        while (end < b.length && /["')\]]/.test(b[end]!)) end++; // closing quotes stay with the sentence
        if (end < b.length && /\s/.test(b[end]!) && !(ch === '.' && this.#isAbbreviation(b, i))) return end;
        continue;
      }
      if (',;:—'.includes(ch) && /\s/.test(next)) {
        lastClause = i + 1;
        if (this.#emitted === 0 && words(b.slice(0, i)) >= this.#opts.firstClauseMinWords) return i + 1;
      }
    }
    if (words(b) > this.#opts.maxWords) {
      if (lastClause > 0) return lastClause;
      let count = 0;
      for (const w of b.matchAll(/\S+/g)) {
        if (++count === this.#opts.maxWords) return (w.index ?? 0) + w[0].length;
      }
    }
    return 0;
  }

  #isAbbreviation(b: string, dot: number): boolean {
    const before = /([A-Za-z.]+)$/.exec(b.slice(0, dot));
    if (!before) return false;
    const word = before[1]!.toLowerCase();
    return ABBREVIATIONS.has(word) || /^[a-z]$/i.test(word); // single initials like "J."
  }
}

/** A whole text cut at its sentence ends only (a fixed line whose audio is made sentence by sentence). */
export function splitSentences(text: string): string[] {
  const c = new SentenceChunker({ firstClauseMinWords: Infinity, maxWords: Infinity });
  return [...c.push(text), ...c.flush()];
}
