/**
 * What a caller dictates, read as data: a date of birth ("March fourth, nineteen eighty five",
 * "3/4/1985", read month first as US callers say it) and an email address spelled out ("m a r i a
 * dot lopez at gmail dot com"). Works on typed text and on recogniser output (lowercase words, no
 * digits). Pure.
 */
import { MONTHS as MONTH_NAMES } from './calendar.ts';
import { ORDINAL_VALUES, TENS_VALUES, UNIT_VALUES } from './number-words.ts';

const MONTHS = MONTH_NAMES.map((m) => m.toLowerCase());
const UNITS: Record<string, number> = { ...UNIT_VALUES, oh: 0, o: 0 };
const TEENS_AND_UNITS: Record<string, number> = UNIT_VALUES;

function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\d)(st|nd|rd|th)\b/g, '$1')
    .replace(/[^a-z0-9@.'/ -]+/g, ' ')
    .replace(/(\d)[/.-](?=\d)/g, '$1 ')
    .split(/[\s,-]+/)
    .map((w) => w.replace(/\.$/, ''))
    .filter(Boolean);
}

/** 1…99 from words at `i` ("eighty five", "twelve", "85"), with the words used */
function twoDigitAt(ws: readonly string[], i: number): { n: number; used: number } | undefined {
  const w = ws[i];
  if (w === undefined) return undefined;
  if (/^\d{1,2}$/.test(w)) return { n: Number(w), used: 1 };
  const tens = TENS_VALUES[w];
  if (tens !== undefined) {
    const u = UNITS[ws[i + 1] ?? ''];
    return u !== undefined && u > 0 && u < 10 ? { n: tens + u, used: 2 } : { n: tens, used: 1 };
  }
  // "oh five" in a year ("two thousand oh five" is rare; "nineteen oh five")
  if ((w === 'oh' || w === 'o') && UNITS[ws[i + 1] ?? ''] !== undefined) return { n: UNITS[ws[i + 1]!]!, used: 2 };
  const n = TEENS_AND_UNITS[w];
  return n !== undefined && n > 0 ? { n, used: 1 } : undefined;
}

/** a year from words at `i`: "1985", "nineteen eighty five", "two thousand three", "two thousand and ten" */
function yearAt(ws: readonly string[], i: number): { year: number; used: number } | undefined {
  const w = ws[i];
  if (w === undefined) return undefined;
  if (/^\d{4}$/.test(w)) return { year: Number(w), used: 1 };
  if (w === 'nineteen' || w === 'eighteen') {
    const rest = twoDigitAt(ws, i + 1);
    if (rest) return { year: (w === 'nineteen' ? 1900 : 1800) + rest.n, used: 1 + rest.used };
  }
  if (w === 'two' && ws[i + 1] === 'thousand') {
    const and = ws[i + 2] === 'and' ? 1 : 0;
    const rest = twoDigitAt(ws, i + 2 + and);
    return rest ? { year: 2000 + rest.n, used: 2 + and + rest.used } : { year: 2000, used: 2 };
  }
  if (w === 'twenty') {
    const rest = twoDigitAt(ws, i + 1);
    if (rest && rest.n < 100) return { year: 2000 + rest.n, used: 1 + rest.used };
  }
  return undefined;
}

/** a day of the month from words at `i`: "4", "fourth", "twenty third", "twenty three" */
function dayAt(ws: readonly string[], i: number): { day: number; used: number } | undefined {
  const w = ws[i];
  if (w === undefined) return undefined;
  if (/^\d{1,2}$/.test(w)) return { day: Number(w), used: 1 };
  if (w === 'twenty' || w === 'thirty') {
    const base = w === 'twenty' ? 20 : 30;
    const next = ws[i + 1] ?? '';
    const o = ORDINAL_VALUES[next] ?? TEENS_AND_UNITS[next];
    if (o !== undefined && o > 0 && o < 10) return { day: base + o, used: 2 };
  }
  const o = ORDINAL_VALUES[w];
  if (o !== undefined) return { day: o, used: 1 };
  return undefined;
}

function isoDate(y: number, m: number, d: number, today: string): string | undefined {
  const iso = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const t = Date.parse(`${iso}T12:00:00Z`);
  if (Number.isNaN(t) || new Date(t).getUTCDate() !== d) return undefined;
  // a birth date is in the past, and nobody calling was born before 1900
  return iso >= '1900-01-01' && iso <= today ? iso : undefined;
}

/**
 * A date of birth, YYYY-MM-DD, from the caller's words; undefined without a whole date (a year is
 * required) or with one that cannot be a birth date. Numeric dates are read month first (US).
 */
export function birthDateFromSpeech(text: string, today: string): string | undefined {
  const ws = words(text);
  for (let i = 0; i < ws.length; i++) {
    const mi = MONTHS.indexOf(ws[i]!);
    if (mi < 0) continue;
    // "March fourth, 1985" / "March the fourth nineteen eighty five"
    const at = ws[i + 1] === 'the' ? i + 2 : i + 1;
    const after = dayAt(ws, at);
    if (after) {
      const y = yearAt(ws, at + after.used);
      if (y) return isoDate(y.year, mi + 1, after.day, today);
    }
    // "the fourth of March 1985"
    const beforeAt = ws[i - 1] === 'of' ? i - 2 : i - 1;
    const before = beforeAt >= 0 ? dayAt(ws, beforeAt) : undefined;
    const y = yearAt(ws, i + 1);
    if (before && y) return isoDate(y.year, mi + 1, before.day, today);
  }
  // "3/4/1985", "03 04 1985", "zero three zero four nineteen eighty five"
  const digits = ws
    .map((w) => (/^\d+$/.test(w) ? w : UNITS[w] !== undefined && UNITS[w]! < 10 ? String(UNITS[w]) : ' '))
    .join('')
    .trim();
  const numeric = ws.filter((w) => /^\d+$/.test(w));
  if (numeric.length === 3 && numeric[2]!.length === 4)
    return isoDate(Number(numeric[2]), Number(numeric[0]), Number(numeric[1]), today);
  if (/^\d{8}$/.test(digits))
    return isoDate(Number(digits.slice(4)), Number(digits.slice(0, 2)), Number(digits.slice(2, 4)), today);
  return undefined;
}

/** Whether the words so far could still become a date of birth (a month or a number, no year yet). */
export function partialBirthDate(text: string): boolean {
  const ws = words(text);
  return ws.some(
    (w) =>
      MONTHS.includes(w) ||
      /^\d+$/.test(w) ||
      UNITS[w] !== undefined ||
      TENS_VALUES[w] !== undefined ||
      ORDINAL_VALUES[w] !== undefined,
  );
}

const EMAIL_WORDS: Record<string, string> = {
  at: '@',
  dot: '.',
  period: '.',
  point: '.',
  underscore: '_',
  dash: '-',
  hyphen: '-',
  minus: '-',
};
/** words around an address that are not part of it */
const EMAIL_FILLER = new Set([
  'my',
  'email',
  'e',
  'mail',
  'address',
  'is',
  'its',
  "it's",
  'it',
  'um',
  'uh',
  'sure',
  'yes',
  'yeah',
  'okay',
  'ok',
  'so',
  'thats',
  "that's",
  'the',
  'letter',
  'sign',
]);

/**
 * An email address from spelled-out words: single letters and digits join ("m a r i a"), "at" is @,
 * "dot" is a full stop, other words are taken as they are ("gmail"). Undefined unless the result has
 * the shape of an address.
 */
export function emailFromSpeech(text: string): string | undefined {
  const typed = /[^\s@]+@[^\s@]+\.[a-z]{2,}/i.exec(text);
  if (typed) return typed[0].toLowerCase().replace(/\.$/, '');
  const ws = text
    .toLowerCase()
    .replace(/[^a-z0-9'@._ -]+/g, ' ')
    .split(/[\s,]+/)
    .filter(Boolean);
  // everything before the first letter or "at" that starts the address is preamble ("my email is")
  let start = 0;
  while (start < ws.length && EMAIL_FILLER.has(ws[start]!) && !(ws[start] === 'e' && ws[start + 1] !== 'mail')) start++;
  let out = '';
  for (const w of ws.slice(start)) {
    if (EMAIL_WORDS[w] !== undefined) out += EMAIL_WORDS[w];
    else if (/^[a-z0-9._-]+$/.test(w)) out += w;
  }
  out = out.replace(/\.$/, '');
  return /^[a-z0-9._-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/.test(out) ? out : undefined;
}
