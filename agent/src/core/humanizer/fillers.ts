/**
 * Fillers, rare: hesitation sounds ("um", "uh") are always removed — a voice model reads them
 * badly — and of the softer discourse fillers ("well", "you know", "actually") at most one is
 * kept per reply. Pure.
 */

const HESITATIONS = /(^|[\s,])(?:um+|uh+|uhm|erm?|hmm+|mm+)(?=[\s,.!?]|$)[,]?/gi;
export const SOFT_FILLERS = [
  'you know',
  'i mean',
  'basically',
  'actually',
  'literally',
  'honestly',
  'kind of',
  'sort of',
  'like',
  'well',
  'so',
  'okay so',
  'anyway',
] as const;
/** as fillers these stand at the start of a sentence followed by a comma, or are set off by commas */
const SOFT_RE = new RegExp(`(?<=^|[.!?]\\s+|,\\s*)(${SOFT_FILLERS.join('|')}),\\s*`, 'gi');

export function removeHesitations(text: string): string {
  return text
    .replace(HESITATIONS, '$1')
    .replace(/^\s*,\s*/, '')
    .replace(/\s{2,}/g, ' ');
}

/** Keeps the first `allowed` soft fillers of `text`, drops the rest; returns how many were kept. */
export function limitFillers(text: string, allowed: number): { text: string; kept: number } {
  let kept = 0;
  const out = text.replace(SOFT_RE, (m) => {
    if (kept < allowed) {
      kept++;
      return m;
    }
    // the sentence now starts with its next word, which takes the capital (below)
    return '';
  });
  return { text: out.replace(/(^|[.!?]\s+)([a-z])/g, (_m, l: string, c: string) => l + c.toUpperCase()), kept };
}

/** Every filler in the text: hesitations and comma-set soft fillers (for the naturalness check). */
export function findFillers(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(HESITATIONS)) found.push(m[0].trim());
  for (const m of text.matchAll(SOFT_RE)) found.push(m[1]!);
  return found;
}
