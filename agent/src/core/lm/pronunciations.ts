/**
 * Picks the pronunciations a decoder needs out of a CMU-style dictionary text
 * ("word PH PH …", alternates as "word(2) …"). Pure: the caller reads the file.
 */

export interface PronunciationSelection {
  /** dictionary text with only the wanted words (and their alternates), sorted, newline-terminated */
  dictionary: string;
  /** wanted words found neither in the dictionary nor in `extra`, nor spellable as letters */
  missing: string[];
  /** words with no entry that were given letter-by-letter pronunciations ("bbl" → B IY B IY EH L) */
  spelled: string[];
}

export interface SelectOptions {
  /** pronunciations that take precedence over the dictionary: word → one or more phone strings */
  extra?: Readonly<Record<string, string | readonly string[]>>;
}

/** No vowel letter at all: an initialism people read out letter by letter ("bbl", "md"). */
export function isInitialism(word: string): boolean {
  return /^[a-z]{2,6}$/.test(word) && !/[aeiouy]/.test(word);
}

const ENTRY = /^(\S+?)(?:\(\d+\))?\s+(.+?)\s*$/;

/** Returns the dictionary subset for `words`, plus which words could not be pronounced. */
export function selectPronunciations(
  dictText: string,
  words: Iterable<string>,
  opts: SelectOptions = {},
): PronunciationSelection {
  const wanted = new Set(words);
  // a compound ("tummy_tuck") is pronounced as its words in a row, so its words are looked up too
  const parts = new Set([...wanted].filter((w) => w.includes('_')).flatMap((w) => w.split('_')));
  const partPhones = new Map<string, string>();
  const found = new Map<string, string[]>();
  for (const [word, phones] of Object.entries(opts.extra ?? {})) {
    if (!wanted.has(word)) continue;
    const list = typeof phones === 'string' ? [phones] : [...phones];
    if (list.length === 0) throw new RangeError(`extra pronunciation for "${word}" is empty`);
    found.set(
      word,
      list.map((p) => p.trim().toUpperCase()),
    );
  }
  const fromExtra = new Set(found.keys());
  // letters are looked up too, so initialisms can be spelled without a second pass over the text
  const letters = new Map<string, string>();
  for (const line of dictText.split('\n')) {
    const m = ENTRY.exec(line);
    if (!m) continue;
    const word = m[1]!;
    const isLetter = word.length === 1 && word >= 'a' && word <= 'z';
    if (isLetter && !letters.has(word) && !line.includes('(')) letters.set(word, m[2]!);
    if (parts.has(word) && !partPhones.has(word)) partPhones.set(word, m[2]!);
    if (!wanted.has(word) || fromExtra.has(word)) continue;
    let list = found.get(word);
    if (!list) found.set(word, (list = []));
    list.push(m[2]!);
  }
  const missing: string[] = [];
  const spelled: string[] = [];
  const phonesOf = (w: string): string | undefined =>
    found.get(w)?.[0] ??
    (typeof opts.extra?.[w] === 'string' ? (opts.extra[w] as string) : opts.extra?.[w]?.[0])?.trim().toUpperCase() ??
    partPhones.get(w) ??
    (isInitialism(w) && [...w].every((c) => letters.has(c)) ? [...w].map((c) => letters.get(c)).join(' ') : undefined);
  for (const word of wanted) {
    if (found.has(word) || !word.includes('_')) continue;
    const phones = word.split('_').map(phonesOf);
    if (phones.every((p) => p !== undefined)) found.set(word, [phones.join(' ')]);
  }
  for (const word of wanted) {
    if (found.has(word)) continue;
    const parts = isInitialism(word) ? [...word].map((c) => letters.get(c)) : [];
    if (parts.length > 0 && parts.every((p) => p !== undefined)) {
      found.set(word, [parts.join(' ')]);
      spelled.push(word);
    } else {
      missing.push(word);
    }
  }
  const lines: string[] = [];
  for (const word of [...found.keys()].sort()) {
    found.get(word)!.forEach((phones, i) => lines.push(i === 0 ? `${word} ${phones}` : `${word}(${i + 1}) ${phones}`));
  }
  return { dictionary: lines.length ? `${lines.join('\n')}\n` : '', missing: missing.sort(), spelled: spelled.sort() };
}
