import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type NgramOrder, toArpa, trainNgramModel } from '../../core/lm/arpa.ts';
import { expandClasses } from '../../core/lm/classes.ts';
import { selectPronunciations } from '../../core/lm/pronunciations.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { callerClasses, callerSentences, normalizeSentence, tokenizeCorpus } from './corpus.ts';
import { DEBIAN_POCKETSPHINX } from './decoder.ts';
import { generalWordsByFrequency } from './general-model.ts';
import { CLINIC_PRONUNCIATIONS } from './lexicon.ts';

/** where the clinic's models (and the phone line's decoder settings) are cached unless told otherwise */
export const DEFAULT_MODEL_CACHE_DIR = join(tmpdir(), 'voxanne-pocketsphinx');

export interface DomainModelOptions {
  /** n-gram order of the language model; default 3 */
  order?: NgramOrder;
  /** pronunciation source; default the Debian package's cmudict-en-us.dict */
  cmudictPath?: string;
  /** where the .lm and .dict files go; default <os tmpdir>/voxanne-pocketsphinx */
  cacheDir?: string;
  /** more pronunciations (CMU phones), taking precedence over cmudict and the built-in clinic words */
  extraPronunciations?: Readonly<Record<string, string | readonly string[]>>;
  /** more caller sentences to train on, e.g. phrasings seen in real calls */
  extraSentences?: readonly string[];
  /**
   * A word nobody knows how to pronounce: 'throw' (default) fails with MissingPronunciationError
   * naming every such word; 'skip' leaves out the sentences containing them and reports them.
   */
  onMissingWord?: 'throw' | 'skip';
  /**
   * The general English model interpolated with the clinic's at decode time, so phrasings and words
   * the clinic's sentences never had are still recognised; false for the clinic's model alone.
   * Default: Debian's en-us.lm.bin, its DEFAULT_GENERAL_WORDS most frequent words, weight DEFAULT_DOMAIN_WEIGHT.
   */
  general?: GeneralModelOptions | false;
  /**
   * Names, days of the month and services as word classes (core/lm/classes.ts): each member gets
   * every context of its class. Default true; false trains on the filled-in sentences.
   */
  classes?: boolean;
  /** sphinxbase, to read the general model's words; default Debian's libsphinxbase.so.3 */
  sphinxbaseLib?: string;
}

export interface GeneralModelOptions {
  /** the general n-gram model (ARPA or sphinxbase binary); default Debian's en-us.lm.bin */
  lmPath?: string;
  /** how many of its most frequent words the dictionary carries (the search's vocabulary) */
  words?: number;
  /** interpolation weight of the clinic's model, 0–1 (the general model gets the rest) */
  domainWeight?: number;
  /**
   * The same weight for telephone audio (8 kHz lines: SIP, Twilio; streams opened with phoneBand), 0–1;
   * 1 is the clinic's model alone. Narrowband audio is heard less surely, and the general model's words
   * then compete with the clinic's: see DEFAULT_PHONE_DOMAIN_WEIGHT.
   */
  phoneDomainWeight?: number;
}

/** Tuned on the domain and fresh sets of agent/bench/utterances.ts (never on the held-out set). */
export const DEFAULT_GENERAL_WORDS = 10000;
export const DEFAULT_DOMAIN_WEIGHT = 0.7;
/**
 * Measured on the domain and fresh sets through 8 kHz G.711 μ-law (`npm run bench:stt -- --phone`, the
 * README's table "The offline recogniser on the phone line"): 0.7, 0.8 and 0.9 differ by about a point, within
 * one run's noise. 0.9 misheard the booking request of test/twilio-media.test.ts in 2 of 4 runs ("i live
 * had consultation"), so the phone line keeps the wideband weight until a phone-only model does better.
 */
export const DEFAULT_PHONE_DOMAIN_WEIGHT = 0.7;

export interface DomainModel {
  lmPath: string;
  dictPath: string;
  /** the training sentences actually used (with class tokens such as "[first]" when classes are on) */
  sentences: string[];
  /** the word classes and their members (compounds joined by '_'), when classes are on */
  classes: Record<string, string[]>;
  vocabulary: string[];
  /** initialisms given letter-by-letter pronunciations */
  spelled: string[];
  /** words left out under onMissingWord: 'skip' */
  skippedWords: string[];
  /** the interpolated general model, when there is one */
  general?: { lmPath: string; domainWeight: number; phoneDomainWeight: number; words: number };
  buildMs: number;
}

export class MissingPronunciationError extends Error {
  override name = 'MissingPronunciationError';
  constructor(readonly words: readonly string[]) {
    super(
      `no pronunciation for ${words.map((w) => `"${w}"`).join(', ')}: ` +
        'add them to extraPronunciations (CMU phones, e.g. { lipo: "L IH P OW" }) or pass onMissingWord: "skip"',
    );
  }
}

const dictCache = new Map<string, Promise<string>>();

/** The pronunciation dictionary text, read once per path per process (3 MB; sharing it saves ~50 ms per build). */
function readDictionary(path: string): Promise<string> {
  let text = dictCache.get(path);
  if (!text) {
    text = readFile(path, 'utf8');
    dictCache.set(path, text);
    text.catch(() => dictCache.delete(path));
  }
  return text;
}

async function writeOnce(path: string, content: string): Promise<void> {
  try {
    await stat(path);
    return; // named by content hash: an existing file is this content
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  // write-then-rename so a concurrent reader never sees half a file
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/**
 * Builds the recogniser's language model and dictionary for a clinic: caller sentences from the
 * knowledge base, a Witten-Bell trigram model over them, and the pronunciations of their words.
 * Files are named by content hash in `cacheDir`, so rebuilding an unchanged clinic rewrites nothing.
 */
export async function buildDomainModel(kb: KnowledgeBase, opts: DomainModelOptions = {}): Promise<DomainModel> {
  const t0 = performance.now();
  const useClasses = opts.classes ?? true;
  // template repeats are kept (they are the counts); extra sentences are added once each
  const base = callerSentences(kb, { classes: useClasses });
  const known = new Set(base);
  const extras = [...new Set((opts.extraSentences ?? []).map(normalizeSentence))].filter((s) => s && !known.has(s));
  let sentences = [...base, ...extras];
  let classes: Record<string, string[]> = useClasses ? callerClasses(kb) : {};
  const isClass = (w: string) => /^\[\w+\]$/.test(w);
  const words = new Set([
    ...sentences.flatMap((s) => s.split(' ')).filter((w) => !isClass(w)),
    ...Object.values(classes).flat(),
  ]);
  const dictText = await readDictionary(opts.cmudictPath ?? DEBIAN_POCKETSPHINX.dict);
  const extra = { ...CLINIC_PRONUNCIATIONS, ...opts.extraPronunciations };
  let selection = selectPronunciations(dictText, words, { extra });
  let skippedWords: string[] = [];
  if (selection.missing.length > 0) {
    if ((opts.onMissingWord ?? 'throw') === 'throw') throw new MissingPronunciationError(selection.missing);
    skippedWords = selection.missing;
    const missing = new Set(skippedWords);
    sentences = sentences.filter((s) => !s.split(' ').some((w) => missing.has(w)));
    classes = Object.fromEntries(Object.entries(classes).map(([c, ms]) => [c, ms.filter((m) => !missing.has(m))]));
    for (const w of missing) words.delete(w);
    selection = selectPronunciations(dictText, words, { extra });
  }
  const general = opts.general === false ? undefined : resolveGeneral(opts.general);
  const cacheDir = opts.cacheDir ?? DEFAULT_MODEL_CACHE_DIR;
  await mkdir(cacheDir, { recursive: true });
  let dictionary = selection.dictionary;
  if (general) {
    // the general model's most frequent words join the dictionary; one with no pronunciation is simply left out
    const extraWords = (await rankedGeneralWords(general.lmPath, cacheDir, opts.sphinxbaseLib))
      .slice(0, general.words)
      .filter((w) => !words.has(w));
    dictionary = mergeDictionaries(dictionary, selectPronunciations(dictText, extraWords).dictionary);
  }
  const trained = trainNgramModel(tokenizeCorpus(sentences), { order: opts.order ?? 3 });
  const arpa = toArpa(useClasses ? expandClasses(trained, classes) : trained);
  const hash = createHash('sha256').update(arpa).update('\0').update(dictionary).digest('hex').slice(0, 16);
  const dir = cacheDir;
  const lmPath = join(dir, `domain-${hash}.lm`);
  const dictPath = join(dir, `domain-${hash}.dict`);
  await Promise.all([writeOnce(lmPath, arpa), writeOnce(dictPath, dictionary)]);
  return {
    lmPath,
    dictPath,
    sentences,
    classes,
    vocabulary: [...words].sort(),
    spelled: selection.spelled,
    skippedWords,
    ...(general ? { general } : {}),
    buildMs: performance.now() - t0,
  };
}

function resolveGeneral(o: GeneralModelOptions = {}): NonNullable<DomainModel['general']> {
  const domainWeight = o.domainWeight ?? DEFAULT_DOMAIN_WEIGHT;
  if (!(domainWeight > 0 && domainWeight < 1))
    throw new RangeError(`domainWeight must be between 0 and 1, got ${domainWeight}`);
  const phoneDomainWeight = o.phoneDomainWeight ?? DEFAULT_PHONE_DOMAIN_WEIGHT;
  if (!(phoneDomainWeight > 0 && phoneDomainWeight <= 1))
    throw new RangeError(`phoneDomainWeight must be above 0 and at most 1, got ${phoneDomainWeight}`);
  const words = o.words ?? DEFAULT_GENERAL_WORDS;
  if (!Number.isInteger(words) || words < 0) throw new RangeError(`words must be a whole number, got ${words}`);
  return { lmPath: o.lmPath ?? DEBIAN_POCKETSPHINX.lm, domainWeight, phoneDomainWeight, words };
}

/** Two sorted dictionary texts as one, sorted (pocketsphinx wants alternates after their word). */
function mergeDictionaries(a: string, b: string): string {
  const lines = [...a.split('\n'), ...b.split('\n')].filter(Boolean);
  const key = (l: string) => l.slice(0, l.indexOf(' '));
  lines.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/**
 * The general model's words by frequency, kept in the cache directory beside the models (named by the
 * model file's size and time), so a new job process reads a list instead of the 27 MB model.
 */
async function rankedGeneralWords(lmPath: string, dir: string, sphinxbaseLib?: string): Promise<string[]> {
  const { size, mtimeMs } = await stat(lmPath);
  const file = join(dir, `general-${basename(lmPath)}-${size}-${Math.round(mtimeMs)}.words`);
  try {
    return (await readFile(file, 'utf8')).split('\n').filter(Boolean);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const words = generalWordsByFrequency(lmPath, sphinxbaseLib);
  await writeOnce(file, `${words.join('\n')}\n`);
  return words;
}
