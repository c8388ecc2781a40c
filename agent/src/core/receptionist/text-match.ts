/**
 * Tolerant matching of caller words against cue phrases. The recogniser only emits words from
 * its vocabulary, so its mistakes are near-homophones ("ours" for "hours"), split or joined words
 * ("face lift" / "facelift", "b b l") and plurals — not spelling errors. Matching therefore
 * allows a small edit distance on longer words, compares joined token windows, and ignores a
 * plural "s". Short words match exactly: at four letters one edit already turns "park" into "part".
 */

/** Lowercase words only: apostrophes dropped ("what's" → "whats"), everything else a separator. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Hesitation sounds the recogniser writes down; they carry no meaning. */
const FILLERS = new Set(['um', 'umm', 'uh', 'uhh', 'uhm', 'er', 'erm', 'ah', 'hmm', 'hm', 'mm', 'mhm']);

export function tokenize(text: string): string[] {
  const n = normalize(text);
  return n ? n.split(' ').filter((t) => !FILLERS.has(t)) : [];
}

/** Optimal-string-alignment distance (a swap of neighbours costs one); stops early above `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Edits tolerated between a heard word and a cue word. Two edits only when both are long, so
 * "schedule" never becomes "reschedule"; one edit needs a cue of five letters or more, which lets
 * "ours" stand for "hours" but keeps "park" from matching "part".
 */
function allowedEdits(heard: string, cue: string): number {
  if (heard.length >= 9 && cue.length >= 9) return 2;
  if (heard.length >= 4 && cue.length >= 5) return 1;
  return 0;
}

function stripPlural(w: string): string {
  return w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w;
}

/** Whether a heard word stands for a cue word. */
export function wordMatches(heard: string, cue: string, fuzzy: boolean): boolean {
  if (heard === cue) return true;
  if (!fuzzy) return false;
  if (stripPlural(heard) === stripPlural(cue)) return true;
  const max = allowedEdits(heard, cue);
  return max > 0 && editDistance(heard, cue, max) <= max;
}

export interface PhraseMatch {
  start: number;
  /** exclusive */
  end: number;
}

/**
 * Finds `phrase` in the caller's tokens. `fuzzy: false` demands the exact words in order (used for
 * short function-word cues like "what time"); `fuzzy: true` also accepts near matches and windows
 * whose joined letters match the joined phrase ("face lift" for "facelift", "b b l" for "bbl").
 */
export function findPhrase(tokens: readonly string[], phrase: string, fuzzy: boolean): PhraseMatch | undefined {
  const want = tokenize(phrase);
  if (want.length === 0) return undefined;
  for (let i = 0; i + want.length <= tokens.length; i++) {
    if (want.every((w, k) => wordMatches(tokens[i + k]!, w, fuzzy))) return { start: i, end: i + want.length };
  }
  if (!fuzzy) return undefined;
  const joined = want.join('');
  const maxWindow = Math.min(tokens.length, want.length + 2, 4);
  for (let len = 1; len <= maxWindow; len++) {
    if (len === want.length && len === 1) continue; // already tried word by word
    for (let i = 0; i + len <= tokens.length; i++) {
      // a split word keeps its first letter; without this "to schedule" would pass for "reschedule"
      if (tokens[i]![0] !== joined[0]) continue;
      if (wordMatches(tokens.slice(i, i + len).join(''), joined, true)) return { start: i, end: i + len };
    }
  }
  return undefined;
}

export function hasAny(tokens: readonly string[], phrases: readonly string[], fuzzy: boolean): boolean {
  return phrases.some((p) => findPhrase(tokens, p, fuzzy) !== undefined);
}

/** Earliest match of any phrase, longest first on ties, for ordering mentions as spoken. */
export function firstMatch(
  tokens: readonly string[],
  phrases: readonly string[],
  fuzzy: boolean,
): PhraseMatch | undefined {
  let best: PhraseMatch | undefined;
  for (const p of phrases) {
    const m = findPhrase(tokens, p, fuzzy);
    if (m && (!best || m.start < best.start || (m.start === best.start && m.end > best.end))) best = m;
  }
  return best;
}
