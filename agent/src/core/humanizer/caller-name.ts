/**
 * The caller's name from what they said: "my name is Sarah Jones", "this is Sarah", "I'm Sarah",
 * "Sarah here", "it's Sarah calling". "I'm" and "this is" are mostly followed by other things
 * ("I'm calling about…", "I'm looking for…", "this is about my booking"), so a word there counts as
 * a name only if it could be one: not a common English word, not a verb or adjective form. Works
 * on recogniser output too, which is lowercase and unpunctuated. Pure.
 */

export interface CallerName {
  /** "Sarah" — what she calls the caller */
  first: string;
  /** "Sarah Jones" when a surname followed */
  full: string;
}

/** Words that follow "I'm" / "this is" / "it's" and are not names. */
const NOT_NAMES = new Set(
  `a an the just not also still really very so too here there calling looking wondering interested trying hoping
  planning thinking asking going having getting ready available free new curious scared nervous worried from about
  on at in with for to of glad happy sure afraid booked done all over under good fine okay ok great well sorry fine
  confused unsure busy away back home out over right wrong late early open closed able unable pregnant sick ill
  allergic considering after before your my his her their our it its that this what who how why when where yes no
  yeah yep nope hi hello hey thanks thank please um uh er like kind sort gonna wanna actually literally basically
  currently already almost definitely probably maybe booking appointment consultation patient client customer member
  mom mother dad father wife husband friend calling interested gonna one two three four five six seven eight nine
  ten twenty thirty forty fifty hoping following wanting needing regarding concerned thrilled excited tired done
  pleased disappointed upset annoyed frustrated fed fed-up only more less much bit little lot pretty quite rather
  somewhat totally completely the voxanne again phone number name`.split(/\s+/),
);

const LEADS: ReadonlyArray<{ re: RegExp; strict: boolean }> = [
  {
    re: /\b(?:my name is|my name's|name is|the name is|name's)\s+([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?/i,
    strict: false,
  },
  { re: /\b(?:you can call me|call me)\s+([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?/i, strict: true },
  { re: /\b(?:this is|it's|its|it is)\s+([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?/i, strict: true },
  { re: /\b(?:i'm|im|i am)\s+([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?/i, strict: true },
  {
    re: /^(?:hi,?\s+|hello,?\s+|hey,?\s+)?([a-z][a-z'-]*)(?:\s+([a-z][a-z'-]*))?\s+(?:here|speaking)\b/i,
    strict: true,
  },
];

function couldBeName(word: string, strict: boolean): boolean {
  const w = word.toLowerCase().replace(/'s$/, '');
  if (w.length < 2 || NOT_NAMES.has(w)) return false;
  if (!strict) return true;
  // verb forms and adverbs after "I'm" are states, not names
  return !/(?:ing|ed|ly|ful|ous|ive|able|ible)$/.test(w);
}

const cap = (w: string): string => w[0]!.toUpperCase() + w.slice(1).toLowerCase();

export function extractCallerName(text: string): CallerName | undefined {
  // a title is not the name: "this is Dr. Smith" → Smith
  const untitled = text.replace(/\b(?:dr|doctor|mr|mrs|ms|miss|mister)\b\.?\s+/gi, '');
  for (const { re, strict } of LEADS) {
    const m = re.exec(untitled);
    if (!m) continue;
    const first = m[1]!;
    if (!couldBeName(first, strict)) continue;
    // "this is Sarah" in a transcript with a capitalised first word elsewhere? Lowercase transcripts
    // carry no such signal, so the word list above is the guard
    const second = m[2];
    const surname =
      second && couldBeName(second, true) && !/^(?:and|i|calling|here|speaking)$/i.test(second)
        ? cap(second)
        : undefined;
    const f = cap(first.replace(/'s$/i, ''));
    return { first: f, full: surname ? `${f} ${surname}` : f };
  }
  return undefined;
}
