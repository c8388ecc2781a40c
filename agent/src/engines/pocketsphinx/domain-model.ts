import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildArpa, type NgramOrder } from '../../core/lm/arpa.ts';
import { selectPronunciations } from '../../core/lm/pronunciations.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { callerSentences, normalizeSentence, tokenizeCorpus } from './corpus.ts';
import { DEBIAN_POCKETSPHINX } from './decoder.ts';
import { CLINIC_PRONUNCIATIONS } from './lexicon.ts';

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
}

export interface DomainModel {
  lmPath: string;
  dictPath: string;
  /** the training sentences actually used */
  sentences: string[];
  vocabulary: string[];
  /** initialisms given letter-by-letter pronunciations */
  spelled: string[];
  /** words left out under onMissingWord: 'skip' */
  skippedWords: string[];
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
  // template repeats are kept (they are the counts); extra sentences are added once each
  const base = callerSentences(kb);
  const known = new Set(base);
  const extras = [...new Set((opts.extraSentences ?? []).map(normalizeSentence))].filter((s) => s && !known.has(s));
  let sentences = [...base, ...extras];
  const words = new Set(sentences.flatMap((s) => s.split(' ')));
  const dictText = await readDictionary(opts.cmudictPath ?? DEBIAN_POCKETSPHINX.dict);
  let selection = selectPronunciations(dictText, words, {
    extra: { ...CLINIC_PRONUNCIATIONS, ...opts.extraPronunciations },
  });
  let skippedWords: string[] = [];
  if (selection.missing.length > 0) {
    if ((opts.onMissingWord ?? 'throw') === 'throw') throw new MissingPronunciationError(selection.missing);
    skippedWords = selection.missing;
    const missing = new Set(skippedWords);
    sentences = sentences.filter((s) => !s.split(' ').some((w) => missing.has(w)));
    for (const w of missing) words.delete(w);
    selection = selectPronunciations(dictText, words, {
      extra: { ...CLINIC_PRONUNCIATIONS, ...opts.extraPronunciations },
    });
  }
  const arpa = buildArpa(tokenizeCorpus(sentences), { order: opts.order ?? 3 });
  const hash = createHash('sha256').update(arpa).update('\0').update(selection.dictionary).digest('hex').slice(0, 16);
  const dir = opts.cacheDir ?? join(tmpdir(), 'voxanne-pocketsphinx');
  await mkdir(dir, { recursive: true });
  const lmPath = join(dir, `domain-${hash}.lm`);
  const dictPath = join(dir, `domain-${hash}.dict`);
  await Promise.all([writeOnce(lmPath, arpa), writeOnce(dictPath, selection.dictionary)]);
  return {
    lmPath,
    dictPath,
    sentences,
    vocabulary: [...words].sort(),
    spelled: selection.spelled,
    skippedWords,
    buildMs: performance.now() - t0,
  };
}
