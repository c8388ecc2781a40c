/**
 * Numbers written out as words, the way a TTS engine should read them aloud. American style:
 * no "and" after hundred ("one hundred fifty"). Pure.
 */

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
] as const;
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'] as const;
const SCALES = [
  [1_000_000_000_000, 'trillion'],
  [1_000_000_000, 'billion'],
  [1_000_000, 'million'],
  [1_000, 'thousand'],
] as const;

function below100(n: number): string {
  if (n < 20) return ONES[n]!;
  const tens = TENS[Math.floor(n / 10)]!;
  return n % 10 === 0 ? tens : `${tens} ${ONES[n % 10]}`;
}

function below1000(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  if (hundreds === 0) return below100(rest);
  const head = `${ONES[hundreds]} hundred`;
  return rest === 0 ? head : `${head} ${below100(rest)}`;
}

/** 3500 → "three thousand five hundred". Whole numbers only; anything else is a caller bug. */
export function numberToWords(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`numberToWords: expected a safe integer, got ${n}`);
  if (n < 0) return `minus ${numberToWords(-n)}`;
  if (n < 1000) return below1000(n);
  const parts: string[] = [];
  let rest = n;
  for (const [size, name] of SCALES) {
    if (rest >= size) {
      parts.push(`${numberToWords(Math.floor(rest / size))} ${name}`);
      rest %= size;
    }
  }
  if (rest > 0) parts.push(below1000(rest));
  return parts.join(' ');
}

const ORDINAL_LAST: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

/** 21 → "twenty first", 12 → "twelfth", 30 → "thirtieth". */
export function ordinalToWords(n: number): string {
  const words = numberToWords(n).split(' ');
  const last = words.pop()!;
  const ord = ORDINAL_LAST[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return [...words, ord].join(' ');
}

// The same words read the other way, for what a caller or a model said: "seven" → 7, "forty" → 40.
/** "zero" … "nineteen" → 0 … 19, in that order */
export const UNIT_VALUES: Readonly<Record<string, number>> = Object.fromEntries(ONES.map((w, n) => [w, n]));
/** "twenty" … "ninety" → 20 … 90, in that order */
export const TENS_VALUES: Readonly<Record<string, number>> = Object.fromEntries(
  TENS.flatMap((w, i) => (w ? [[w, i * 10] as const] : [])),
);
/** the one-word ordinals: "first" … "twentieth" → 1 … 20, "thirtieth" → 30 */
export const ORDINAL_VALUES: Readonly<Record<string, number>> = Object.fromEntries(
  [...Array.from({ length: 20 }, (_, i) => i + 1), 30].map((n) => [ordinalToWords(n), n]),
);

/** 150 → "one hundred fifty dollars"; 1 → "one dollar". */
export function dollarsToWords(n: number): string {
  return `${numberToWords(n)} ${n === 1 ? 'dollar' : 'dollars'}`;
}

/** { min: 8000, max: 12000 } → "eight thousand to twelve thousand dollars"; equal ends say one price. */
export function priceRangeToWords(min: number, max: number): string {
  if (min === max) return dollarsToWords(min);
  return `${numberToWords(min)} to ${dollarsToWords(max)}`;
}

/** "0142" → "zero one four two": for phone numbers and postcodes, read digit by digit. */
export function digitsToWords(digits: string): string {
  if (!/^\d+$/.test(digits)) throw new RangeError(`digitsToWords: expected digits only, got "${digits}"`);
  return [...digits].map((d) => ONES[Number(d)]!).join(' ');
}

/**
 * E.164 "+16195550142" → "six one nine, five five five, zero one four two". North American
 * numbers drop the +1 and are grouped 3-3-4 the way people say them; others are read in groups of
 * three or four so the listener can keep up.
 */
export function phoneNumberToWords(e164: string): string {
  const digits = e164.replace(/^\+/, '');
  if (!/^\d{4,15}$/.test(digits)) throw new RangeError(`phoneNumberToWords: not a phone number: "${e164}"`);
  const national = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  const head = national.slice(0, -4);
  const groups: string[] = [];
  for (let i = 0; i < head.length; i += 3) groups.push(head.slice(i, i + 3));
  groups.push(national.slice(-4));
  return groups.map(digitsToWords).join(', ');
}

/**
 * House numbers are said in pairs: 1200 → "twelve hundred", 1205 → "twelve oh five",
 * 1234 → "twelve thirty four"; round thousands and other sizes are said as plain numbers.
 */
export function houseNumberToWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`houseNumberToWords: expected a whole number, got ${n}`);
  if (n < 1000 || n > 9999 || n % 1000 === 0) return numberToWords(n);
  const high = Math.floor(n / 100);
  const low = n % 100;
  if (low === 0) return `${below100(high)} hundred`;
  return `${below100(high)} ${low < 10 ? `oh ${ONES[low]}` : below100(low)}`;
}
