/**
 * Digits and symbols in free LLM text rewritten as the words a voice should say: prices and
 * price ranges, clock times, dates, ordinals, percentages, phone numbers (digit by digit) and
 * plain numbers. Pure; the order of the rules matters (a phone number must be read as digits
 * before the plain-number rule would read it as "six hundred nineteen").
 */
import { MONTHS } from '../text/calendar.ts';
import { digitsToWords, dollarsToWords, numberToWords, ordinalToWords } from '../text/number-words.ts';
import { timeToWords } from '../text/time-words.ts';

const MONTH_RE =
  '(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|' +
  'Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\\.?';

/** 2026 → "twenty twenty six", 2000 → "two thousand", 2005 → "two thousand five", 1999 → "nineteen ninety nine". */
export function yearToWords(y: number): string {
  if (y >= 2000 && y < 2010) return numberToWords(y);
  if (y < 1100 || y > 2099) return numberToWords(y);
  const hi = Math.floor(y / 100);
  const lo = y % 100;
  if (lo === 0) return `${numberToWords(hi)} hundred`;
  return `${numberToWords(hi)} ${lo < 10 ? `oh ${numberToWords(lo)}` : numberToWords(lo)}`;
}

function monthIndex(name: string): number {
  const key = name.slice(0, 3).toLowerCase();
  return MONTHS.findIndex((m) => m.slice(0, 3).toLowerCase() === key);
}

const toInt = (s: string): number => Number(s.replace(/,/g, ''));

/** "8,000" / "8k" / "1.5k" → 8000 / 8000 / 1500 */
function amount(digits: string, k: string | undefined): number {
  const n = Number(digits.replace(/,/g, ''));
  return Math.round(k ? n * 1000 : n);
}

function dollars(digits: string, k: string | undefined, cents?: string): string {
  const whole = amount(digits, k);
  const c = cents && !k ? Number(cents.padEnd(2, '0').slice(0, 2)) : 0;
  if (c === 0) return dollarsToWords(whole);
  return `${dollarsToWords(whole)} and ${numberToWords(c)} ${c === 1 ? 'cent' : 'cents'}`;
}

/** "2" "30" "pm" → "two thirty p m"; hours past 12 are read as 24-hour. */
function clock(h: string, m: string | undefined, suffix: string | undefined): string {
  let hour = Number(h);
  const minute = m ? Number(m) : 0;
  if (hour > 23 || minute > 59) return m ? `${h}:${m}` : h;
  const s = suffix?.toLowerCase().replace(/[^ap]/g, '');
  if (s === 'p' && hour < 12) hour += 12;
  if (s === 'a' && hour === 12) hour = 0;
  if (!s && hour <= 12) {
    // "at 2:30" with no a m / p m: say the time the way it was written, without guessing
    const hh = numberToWords(hour === 0 ? 12 : hour);
    return minute === 0
      ? `${hh} o'clock`
      : `${hh} ${minute < 10 ? `oh ${numberToWords(minute)}` : numberToWords(minute)}`;
  }
  return timeToWords(`${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
}

/** A phone number as digits in groups: "(619) 555-0142" → "six one nine, five five five, zero one four two". */
function phone(raw: string): string {
  let digits = raw.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  if (digits.length === 7) return `${digitsToWords(digits.slice(0, 3))}, ${digitsToWords(digits.slice(3))}`;
  if (digits.length === 10) {
    return [digits.slice(0, 3), digits.slice(3, 6), digits.slice(6)].map(digitsToWords).join(', ');
  }
  const groups: string[] = [];
  for (let i = 0; i < digits.length; i += 3) groups.push(digits.slice(i, i + 3));
  return groups.map(digitsToWords).join(', ');
}

type Rule = [RegExp, (...m: string[]) => string];

const NUM = '(\\d{1,3}(?:,\\d{3})+|\\d+)';
const MONEY = `\\$\\s?${NUM}(?:\\.(\\d{1,2}))?([kK](?![a-z]))?`;

const RULES: Rule[] = [
  // phone numbers: North American with separators, E.164, or 7-digit local
  [/(?<![\w$])(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)/g, (m) => phone(m)],
  [/(?<![\w$])\+\d{10,15}(?!\d)/g, (m) => phone(m)],
  [/(?<![\w$.,])\d{3}-\d{4}(?![\d-])/g, (m) => phone(m)],
  // price ranges: "$8,000-$12,000", "$8k to $12k", "$8,000 - 12,000"
  [
    new RegExp(`${MONEY}\\s*(?:-|–|—|to)\\s*\\$?\\s?${NUM}(?:\\.(\\d{1,2}))?([kK](?![a-z]))?(?![\\d%])`, 'g'),
    (_m, a, ac, ak, b, bc, bk) => {
      const lo = amount(a!, ak || bk);
      const hi = amount(b!, bk);
      if (ac || bc) return `${dollars(a!, ak || bk, ac)} to ${dollars(b!, bk, bc)}`;
      return lo === hi ? dollarsToWords(hi) : `${numberToWords(lo)} to ${dollarsToWords(hi)}`;
    },
  ],
  [new RegExp(MONEY, 'g'), (_m, a, c, k) => dollars(a!, k, c)],
  // "8,000 dollars" keeps its unit; the plain-number rule below reads the digits
  // clock times with a m / p m, ranges of them ("9am-5pm", "9-5pm")
  // "2 p.m. See you" ends a sentence with the abbreviation's dot: keep one
  [/\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.\s?m\.(?=\s+[A-Z]|\s*$)/gi, (_m, h, mm, s) => `${clock(h!, mm, `${s}m`)}.`],
  [/\b(\d{1,2})(?::(\d{2}))?\s*([ap])(?:\.\s?m\.|\s?m)(?![a-z])/gi, (_m, h, mm, s) => clock(h!, mm, `${s}m`)],
  [/\b([01]?\d|2[0-3]):([0-5]\d)\b/g, (_m, h, mm) => clock(h!, mm, undefined)],
  // ISO dates
  [
    /\b(\d{4})-(\d{2})-(\d{2})\b/g,
    (m, y, mo, d) => {
      const month = MONTHS[Number(mo) - 1];
      return month && Number(d) >= 1 && Number(d) <= 31
        ? `${month} ${ordinalToWords(Number(d))}, ${yearToWords(Number(y))}`
        : m;
    },
  ],
  // "March 3rd, 2026", "Mar 3", "3 March"
  [
    new RegExp(`\\b${MONTH_RE}\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?\\b`, 'gi'),
    (m, mon, d, y) => {
      const i = monthIndex(mon!);
      if (i < 0 || Number(d) < 1 || Number(d) > 31) return m;
      return `${MONTHS[i]} ${ordinalToWords(Number(d))}${y ? `, ${yearToWords(Number(y))}` : ''}`;
    },
  ],
  [
    new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH_RE}\\b`, 'gi'),
    (m, d, mon) => {
      const i = monthIndex(mon!);
      return i < 0 || Number(d) < 1 || Number(d) > 31 ? m : `${MONTHS[i]} ${ordinalToWords(Number(d))}`;
    },
  ],
  // US numeric dates "3/14" or "3/14/2026"
  [
    /\b(1[0-2]|0?[1-9])\/(3[01]|[12]\d|0?[1-9])(?:\/(\d{2}|\d{4}))?\b/g,
    (_m, mo, d, y) => {
      const year = y ? (y.length === 2 ? 2000 + Number(y) : Number(y)) : undefined;
      return `${MONTHS[Number(mo) - 1]} ${ordinalToWords(Number(d))}${year ? `, ${yearToWords(year)}` : ''}`;
    },
  ],
  [/\b(\d+)(?:st|nd|rd|th)\b/gi, (_m, d) => ordinalToWords(toInt(d!))],
  [/\b(\d+(?:\.\d+)?)\s?%/g, (_m, n) => `${decimal(n!)} percent`],
  // years after "in"/"since"/"of"/"by" are said as years
  [/\b(in|since|of|by|from|until)\s+((?:19|20)\d{2})\b/gi, (_m, w, y) => `${w} ${yearToWords(Number(y))}`],
  // plain number ranges "7-10 days" → "seven to ten days"
  [/\b(\d[\d,]*)\s?[-–—]\s?(\d[\d,]*)\b/g, (_m, a, b) => `${numberToWords(toInt(a!))} to ${numberToWords(toInt(b!))}`],
  [/\b\d+\.\d+\b/g, (m) => decimal(m)],
  [
    /\b\d{1,3}(?:,\d{3})+\b|\b\d+\b/g,
    (m) => (toInt(m) > Number.MAX_SAFE_INTEGER ? digitsToWords(m.replace(/,/g, '')) : numberToWords(toInt(m))),
  ],
  // time ranges written with a dash after the times became words: "nine a m-five p m"
  [/\b(a m|p m|noon|midnight|o'clock)\s*[-–—]\s*/g, (_m, s) => `${s} to `],
  [/\b(between [a-z ]+?) to ([a-z ]+? dollars)\b/gi, (_m, a, b) => `${a} and ${b}`],
  [/\s*&\s*/g, () => ' and '],
  [/~\s*/g, () => 'about '],
  [/\s*\+\s*(?=[a-z])/gi, () => ' plus '],
];

function decimal(s: string): string {
  const [whole, frac] = s.split('.');
  const w = numberToWords(Number(whole));
  if (!frac) return w;
  return `${w} point ${[...frac].map((d) => numberToWords(Number(d))).join(' ')}`;
}

export function speakNumbers(text: string): string {
  let out = text;
  for (const [re, fn] of RULES)
    out = out.replace(re, (...args: unknown[]) =>
      fn(...(args.filter((a) => typeof a === 'string' || a === undefined) as string[])),
    );
  return out;
}

/** Whether any digit or number symbol is left for a voice to read out. */
export function hasDigits(text: string): boolean {
  return /[\d$%]/.test(text);
}
