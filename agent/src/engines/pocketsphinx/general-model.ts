import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DEBIAN_POCKETSPHINX } from './decoder.ts';

/**
 * The general English model Debian's pocketsphinx-en-us ships (en-us.lm.bin: a trigram model of
 * conversational American English, 72,547 words), read through sphinxbase to rank its words by
 * unigram probability. The recogniser interpolates this model with the clinic's at decode time (see
 * decoder-worker.mjs); the ranking decides which of its words the dictionary carries, since every
 * dictionary word is searched at every frame and 72k of them would make decoding several times slower.
 */

interface Sphinxbase {
  read(config: null, path: string, type: number, lmath: unknown): unknown;
  free(model: unknown): number;
  counts(model: unknown): unknown;
  word(model: unknown, wid: number): string;
  prob(model: unknown, wid: number, history: null, nHist: number, nUsed: number[]): number;
  decodeCounts(ptr: unknown): ArrayLike<number>;
  logmath(): unknown;
}

let bindings: Sphinxbase | undefined;

function sphinxbase(lib: string): Sphinxbase {
  if (bindings) return bindings;
  const koffi = createRequire(import.meta.url)('koffi');
  const sb = koffi.load(lib);
  koffi.opaque('sb_ngram_model_t');
  koffi.opaque('sb_logmath_t');
  koffi.opaque('sb_cmd_ln_t');
  koffi.opaque('sb_FILE');
  sb.func('void err_set_logfp(sb_FILE *stream)')(null);
  const logmathInit = sb.func('sb_logmath_t *logmath_init(double base, int shift, int use_table)');
  bindings = {
    read: sb.func(
      'sb_ngram_model_t *ngram_model_read(sb_cmd_ln_t *config, const char *file, int type, sb_logmath_t *lmath)',
    ),
    free: sb.func('int ngram_model_free(sb_ngram_model_t *model)'),
    counts: sb.func('const uint32_t *ngram_model_get_counts(sb_ngram_model_t *model)'),
    word: sb.func('const char *ngram_word(sb_ngram_model_t *model, int wid)'),
    prob: sb.func('int ngram_ng_prob(sb_ngram_model_t *model, int wid, int *history, int n_hist, _Out_ int *n_used)'),
    decodeCounts: (ptr) => koffi.decode(ptr, 'uint32_t', 1) as ArrayLike<number>,
    logmath: () => logmathInit(1.0001, 0, 0),
  };
  return bindings;
}

const ranked = new Map<string, string[]>();

/**
 * The general model's words, most probable first (sentence markers and <UNK> left out). Read once
 * per path per process: about half a second.
 */
export function generalWordsByFrequency(
  lmPath: string = DEBIAN_POCKETSPHINX.lm,
  sphinxbaseLib: string = DEBIAN_POCKETSPHINX.sphinxbaseLib,
): string[] {
  // sphinxbase reads any path it is given; a missing file is said plainly here
  if (!existsSync(lmPath))
    throw new Error(`the general language model ${lmPath} is missing (Debian's pocketsphinx-en-us)`);
  const cached = ranked.get(lmPath);
  if (cached) return cached;
  const sb = sphinxbase(sphinxbaseLib);
  const model = sb.read(null, lmPath, 0, sb.logmath());
  if (!model) throw new Error(`the general language model ${lmPath} could not be read`);
  try {
    const n = sb.decodeCounts(sb.counts(model))[0]!;
    const used = [0];
    const scored: Array<[string, number]> = [];
    for (let wid = 0; wid < n; wid++) {
      const w = sb.word(model, wid);
      if (!w || /^<.*>$/.test(w)) continue;
      scored.push([w, sb.prob(model, wid, null, 0, used)]);
    }
    // ties (common among rare words) broken by spelling, so the list is the same on every machine
    scored.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const words = scored.map(([w]) => w);
    ranked.set(lmPath, words);
    return words;
  } finally {
    sb.free(model);
  }
}
