/**
 * Spoken English contracts: "we are" → "we're", "do not" → "don't". Only where a contraction is
 * grammatical: never at the end of a clause ("yes, it is." stays), and "have" only as an auxiliary
 * ("I've booked", not "I've a question"). Pure.
 */

/** [uncontracted, contracted]; the first word's capital is kept. */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['cannot', "can't"],
  ['can not', "can't"],
  ['will not', "won't"],
  ['do not', "don't"],
  ['does not', "doesn't"],
  ['did not', "didn't"],
  ['is not', "isn't"],
  ['are not', "aren't"],
  ['was not', "wasn't"],
  ['were not', "weren't"],
  ['would not', "wouldn't"],
  ['should not', "shouldn't"],
  ['could not', "couldn't"],
  ['has not', "hasn't"],
  ['have not', "haven't"],
  ['I am', "I'm"],
  ['you are', "you're"],
  ['we are', "we're"],
  ['they are', "they're"],
  ['it is', "it's"],
  ['that is', "that's"],
  ['there is', "there's"],
  ['here is', "here's"],
  ['what is', "what's"],
  ['who is', "who's"],
  ['let us', "let's"],
  ['I will', "I'll"],
  ['we will', "we'll"],
  ['you will', "you'll"],
  ['they will', "they'll"],
  ['it will', "it'll"],
  ['that will', "that'll"],
  ['I would', "I'd"],
  ['we would', "we'd"],
  ['you would', "you'd"],
];
/** "have" contracts only before a past participle */
const HAVE_SUBJECTS = ['I', 'we', 'you', 'they'] as const;
const PARTICIPLES =
  'been|got|gotten|booked|scheduled|found|made|had|sent|noted|added|moved|' +
  'cancel+ed|seen|done|checked|reserved|passed|put|set';

function keepCase(original: string, replacement: string): string {
  if (original[0] === original[0]!.toUpperCase() && original[0] !== 'I')
    return replacement[0]!.toUpperCase() + replacement.slice(1);
  return replacement;
}

const RULES: Array<[RegExp, string]> = [
  ...PAIRS.map(([from, to]): [RegExp, string] => {
    const words = from
      .split(' ')
      .map((w, i) => (i === 0 && w !== 'I' ? `[${w[0]!.toUpperCase()}${w[0]}]${w.slice(1)}` : w));
    // followed by a word: a contraction cannot end a clause
    return [new RegExp(`\\b${words.join('\\s+')}\\b(?=\\s+[A-Za-z])`, 'g'), to];
  }),
  ...HAVE_SUBJECTS.map((s): [RegExp, string] => {
    const subj = s === 'I' ? 'I' : `[${s[0]!.toUpperCase()}${s[0]}]${s.slice(1)}`;
    return [new RegExp(`\\b${subj}\\s+have\\b(?=\\s+(?:${PARTICIPLES})\\b)`, 'g'), `${s}'ve`];
  }),
];

export function contract(text: string): string {
  let out = text;
  for (const [re, to] of RULES) out = out.replace(re, (m) => keepCase(m, to));
  // "can't not" and similar double negatives never come from these rules; "it's not" reads better than "it isn't"
  return out;
}

/** Uncontracted forms a speaker would contract (for the naturalness check). */
export function uncontracted(text: string): string[] {
  const found: string[] = [];
  for (const [re] of RULES) for (const m of text.matchAll(new RegExp(re.source, 'g'))) found.push(m[0]);
  return found;
}
