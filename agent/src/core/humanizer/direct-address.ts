/**
 * Direct address: "Absolutely, Sarah!" The caller's name is used at most once a reply, only where
 * a person would use it — on an opening acknowledgement, or to thank them right after they gave
 * it — and set off by a comma. Pure.
 */

/** Openers that can carry a name, with the mark that follows "Opener, Name". */
const OPENERS: ReadonlyArray<[RegExp, string]> = [
  [/^(absolutely|of course|perfect|wonderful|great|lovely|excellent|awesome)\b[,.!]?\s*/i, '!'],
  [
    /^(sure|certainly|okay|ok|alright|all right|got it|no problem|yes|thanks|thank you|hi|hello|sorry|good question)\b[,.!]?\s*/i,
    '.',
  ],
];

export interface AddressResult {
  sentences: string[];
  usedName: boolean;
}

/** An opener at the start of a sentence, split off as its own short sentence when more follows. */
export function splitOpener(sentence: string): string[] {
  // an apology or thanks belongs to its sentence ("Sorry, that time was just taken.")
  if (/^(sorry|thanks|thank you)\b/i.test(sentence)) return [sentence];
  for (const [re, mark] of OPENERS) {
    const m = re.exec(sentence);
    if (!m) continue;
    const rest = sentence.slice(m[0].length).trim();
    // "Sure thing" / "Yes it is" are one thought: only an opener followed by a comma or a mark is split
    // "Yes, it is." and "Sure, Sarah." are one thought: only an opener before a whole clause is split off
    if (rest.split(/\s+/).length < 3 || !/[,.!]/.test(m[0])) return [sentence];
    const opener = sentence.slice(0, m[1]!.length);
    return [`${opener}${mark === '!' ? '!' : '.'}`, rest[0]!.toUpperCase() + rest.slice(1)];
  }
  return [sentence];
}

/**
 * Puts `name` on the reply's opener ("Sure." → "Sure, Sarah."), or thanks the caller by name
 * ("Thanks, Sarah.") when they just gave it and the reply has no opener. A name the reply already
 * uses counts; further uses are removed.
 */
export function addressCaller(sentences: readonly string[], name: string, justGiven: boolean): AddressResult {
  const nameRe = new RegExp(`\\b${name.replace(/[^A-Za-z'-]/g, '')}\\b`, 'i');
  const already = sentences.findIndex((s) => nameRe.test(s));
  if (already >= 0) {
    const withoutRepeats = sentences.map((s, i) => (i <= already ? s : removeName(s, name)));
    return { sentences: withoutRepeats, usedName: true };
  }
  const first = sentences[0];
  if (first && /^(hi|hello|hey) there[.!]$/i.test(first)) {
    return { sentences: [`${first.split(' ')[0]}, ${name}!`, ...sentences.slice(1)], usedName: true };
  }
  if (first) {
    for (const [re, mark] of OPENERS) {
      const m = re.exec(first);
      if (!m || first.slice(m[0].length).trim() !== '') continue;
      const opener = first.slice(0, m[1]!.length);
      return { sentences: [`${opener}, ${name}${mark}`, ...sentences.slice(1)], usedName: true };
    }
  }
  if (justGiven) return { sentences: [`Thanks, ${name}.`, ...sentences], usedName: true };
  return { sentences: [...sentences], usedName: false };
}

/** The customer's check: the name appears at most once, set off by a comma or a closing mark. */
export function addressProblems(text: string, name: string): string[] {
  const uses = [...text.matchAll(new RegExp(`\\b${name}\\b`, 'gi'))];
  const problems: string[] = [];
  const addressed = uses.filter((u) => !/\b(?:for|under|name is|name's|named)\s+$/i.test(text.slice(0, u.index)));
  if (addressed.length > 1) problems.push(`name used ${addressed.length} times`);
  for (const u of uses) {
    const before = text.slice(0, u.index);
    const after = text.slice((u.index ?? 0) + u[0].length);
    const vocative = /,\s*$/.test(before) || /^\s*[,.!?]/.test(after) || before.trim() === '';
    // "booked for Sarah Jones" names the booking; it isn't addressing her
    const mention = /\b(?:for|under|name is|name's|named)\s+$/i.test(before);
    if (!vocative && !mention) problems.push('name not set off by a comma');
  }
  return problems;
}

/** The name used as a vocative ("Sure, Sarah!", "Sarah, it's booked") taken out; "for Sarah Jones" stays. */
export function removeName(s: string, name: string): string {
  return s
    .replace(new RegExp(`,\\s*\\b${name}\\b(?=\\s*[.!?,])`, 'gi'), '')
    .replace(new RegExp(`^${name}\\b,\\s*`, 'i'), '')
    .replace(/\s+([.!?])/, '$1')
    .trim()
    .replace(/^([a-z])/, (c) => c.toUpperCase());
}
