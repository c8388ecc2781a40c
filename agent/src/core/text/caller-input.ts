/**
 * What a caller says, read as data: phone numbers ("six one nine, five five five…" or digits),
 * days ("Tuesday", "tomorrow", "March fifth") and clock times ("ten a m", "2:30", "noon"). Works
 * on typed text and on recogniser output (lowercase words, no digits). Pure given `today`.
 */
import { DAYS, type Day } from '@voxanne/contracts/knowledge-base';
import { addDaysToDate, MONTHS as MONTH_NAMES, nextWeekday, weekdayOf } from './calendar.ts';
import { ORDINAL_VALUES, TENS_VALUES, UNIT_VALUES } from './number-words.ts';

// "oh" and "o" are zeros in a phone number ("six one nine, five five five, oh one four two")
const UNITS: Record<string, number> = { ...UNIT_VALUES, oh: 0, o: 0 };
// a caller's days and clock times never need more than fifty
const TENS: Record<string, number> = Object.fromEntries(Object.entries(TENS_VALUES).filter(([, n]) => n <= 50));
const ORDINALS: Record<string, number> = ORDINAL_VALUES;
const MONTHS = MONTH_NAMES.map((m) => m.toLowerCase());
const WEEK: readonly Day[] = DAYS;

export function words(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/(\d)(am|pm)\b/g, '$1 $2')
    .replace(/[^a-z0-9:'+ ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Words the recogniser writes for a digit it heard ("to" for two); digits only next to other digits. */
const DIGIT_HOMOPHONES: Record<string, number> = { to: 2, too: 2, for: 4, fore: 4, won: 1, ate: 8 };

/**
 * Digits said or typed, in order: "six one nine 555 oh one four two" → "6195550142". "double five"
 * counts twice; "to"/"for" count as two/four only between other digits ("five to four").
 */
export function spokenDigits(text: string): string {
  const ws = words(text);
  const digitAt = (i: number): string | undefined => {
    const w = ws[i];
    if (w === undefined) return undefined;
    if (/^\+?\d+$/.test(w)) return w.replace('+', '');
    if (UNITS[w] !== undefined && UNITS[w]! < 10) return String(UNITS[w]);
    return undefined;
  };
  let out = '';
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    const d = digitAt(i);
    if (d !== undefined) out += d;
    else if ((w === 'double' || w === 'triple') && UNITS[ws[i + 1] ?? ''] !== undefined && UNITS[ws[i + 1]!]! < 10) {
      out += String(UNITS[ws[i + 1]!]).repeat(w === 'double' ? 2 : 3);
      i++;
    } else if (
      DIGIT_HOMOPHONES[w] !== undefined &&
      (digitAt(i - 1) !== undefined || DIGIT_HOMOPHONES[ws[i - 1] ?? ''] !== undefined) &&
      (digitAt(i + 1) !== undefined || DIGIT_HOMOPHONES[ws[i + 1] ?? ''] !== undefined)
    ) {
      out += String(DIGIT_HOMOPHONES[w]);
    }
  }
  return out;
}

/** A North American phone number in the caller's words, as E.164, or undefined. */
export function phoneFromSpeech(text: string): string | undefined {
  const d = spokenDigits(text);
  if (d.length === 10) return `+1${d}`;
  if (d.length === 11 && d.startsWith('1')) return `+${d}`;
  return undefined;
}

/** 1…59 from words at `i`: "twenty", "thirty five", "fifteen"; returns the value and words used. */
function numberAt(ws: readonly string[], i: number): { n: number; used: number } | undefined {
  const w = ws[i];
  if (w === undefined) return undefined;
  if (/^\d{1,2}$/.test(w)) return { n: Number(w), used: 1 };
  if (TENS[w] !== undefined) {
    const u = UNITS[ws[i + 1] ?? ''];
    return u !== undefined && u > 0 && u < 10 ? { n: TENS[w]! + u, used: 2 } : { n: TENS[w]!, used: 1 };
  }
  if (UNITS[w] !== undefined && w !== 'o' && w !== 'oh') return { n: UNITS[w]!, used: 1 };
  return undefined;
}

export interface TimeMention {
  /** HH:MM, 24-hour */
  time: string;
  /** a m / p m was said, or it was "noon" */
  explicit: boolean;
}

/**
 * The clock time in the caller's words. With no a m / p m, 7 to 11 are taken as morning and 12 to 6
 * as afternoon, which is how clinic hours run. `loose` also accepts a bare number ("ten works"),
 * for answers to "which time suits you?".
 */
export function timeFromSpeech(text: string, loose = false): TimeMention | undefined {
  const ws = words(text);
  if (ws.includes('noon') || ws.includes('midday')) return { time: '12:00', explicit: true };
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i]!;
    const colon = /^(\d{1,2}):(\d{2})$/.exec(w);
    let hour: number | undefined;
    let minute = 0;
    let j = i + 1;
    if (colon) {
      hour = Number(colon[1]);
      minute = Number(colon[2]);
    } else {
      const h = numberAt(ws, i);
      if (!h || h.n < 1 || h.n > 12 || h.used > 1) continue;
      hour = h.n;
      j = i + 1;
      if (ws[j] === 'oh' || ws[j] === 'o') {
        const m = numberAt(ws, j + 1);
        if (m && m.n < 10) {
          minute = m.n;
          j += 1 + m.used;
        }
      } else {
        const m = numberAt(ws, j);
        if (m && m.n >= 10 && m.n < 60) {
          minute = m.n;
          j += m.used;
        }
      }
    }
    if (hour === undefined || hour > 23) continue;
    let suffix: 'a' | 'p' | undefined;
    const next = ws.slice(j, j + 2).join(' ');
    if (/^(a m|am|a\.m)/.test(next) || ws[j] === 'morning') suffix = 'a';
    else if (/^(p m|pm|p\.m)/.test(next) || ws[j] === 'afternoon' || ws[j] === 'evening') suffix = 'p';
    const oclock = ws[j] === "o'clock" || ws[j] === 'oclock';
    const atBefore = ws[i - 1] === 'at' || ws[i - 1] === 'around' || ws[i - 1] === 'about' || ws[i - 1] === 'by';
    if (!suffix && !oclock && !atBefore && !colon && !loose) continue;
    if (suffix === 'p' && hour < 12) hour += 12;
    else if (suffix === 'a' && hour === 12) hour = 0;
    else if (!suffix && hour >= 1 && hour <= 6) hour += 12;
    return {
      time: `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`,
      explicit: suffix !== undefined,
    };
  }
  if (ws.includes('morning')) return undefined;
  return undefined;
}

/** The day the caller means, as YYYY-MM-DD on the clinic calendar, or undefined. */
export function dateFromSpeech(text: string, today: string): string | undefined {
  const ws = words(text);
  if (ws.includes('today')) return today;
  if (ws.includes('tomorrow')) return addDaysToDate(today, 1);
  for (let i = 0; i < ws.length; i++) {
    const mi = MONTHS.indexOf(ws[i]!);
    if (mi >= 0) {
      const d = dayNumberAt(ws, i + 1) ?? (i > 0 ? dayNumberBefore(ws, i) : undefined);
      if (d) return nearestDate(today, mi + 1, d);
    }
  }
  for (let i = 0; i < ws.length; i++) {
    const day = WEEK.find((d) => ws[i] === d || ws[i] === `${d}s`);
    if (day) return nextWeekday(addDaysToDate(today, 1), day);
  }
  // "the fifth", "on the 14th"
  for (let i = 0; i < ws.length; i++) {
    if (ws[i] !== 'the') continue;
    const d = dayNumberAt(ws, i + 1);
    if (d) {
      const [y, m] = today.split('-').map(Number) as [number, number];
      return nearestDate(today, m, d, y);
    }
  }
  return undefined;
}

function dayNumberAt(ws: readonly string[], i: number): number | undefined {
  const w = ws[i];
  if (!w) return undefined;
  const m = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(w);
  if (m) return Number(m[1]);
  if (w === 'twenty' || w === 'thirty') {
    const o = ORDINALS[ws[i + 1] ?? ''];
    if (o && o < 10) return (w === 'twenty' ? 20 : 30) + o;
  }
  return ORDINALS[w];
}

function dayNumberBefore(ws: readonly string[], monthAt: number): number | undefined {
  const at = ws[monthAt - 1] === 'of' ? monthAt - 2 : monthAt - 1;
  return at >= 0 ? dayNumberAt(ws, at) : undefined;
}

/** month/day on or after today (this year or next) */
function nearestDate(today: string, month: number, day: number, year?: number): string | undefined {
  if (day < 1 || day > 31) return undefined;
  const y = year ?? Number(today.slice(0, 4));
  for (const yy of [y, y + 1]) {
    const d = `${yy}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
    if (!Number.isNaN(Date.parse(`${d}T12:00:00Z`)) && new Date(`${d}T12:00:00Z`).getUTCDate() === day && d >= today)
      return d;
    if (year === undefined) continue;
    // "the fifth" already past this month means next month
    const nm = month === 12 ? 1 : month + 1;
    return nearestDate(today, nm, day, month === 12 ? y + 1 : y);
  }
  return undefined;
}

export { weekdayOf };
