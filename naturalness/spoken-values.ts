/**
 * Numbers and clock times read back out of spoken text ("eight thousand to twelve thousand
 * dollars" → 8000, 12000; "two thirty p m" → 14:30), so the suite can check them against the
 * knowledge base.
 */
import {
  ORDINAL_VALUES as ORDINALS,
  TENS_VALUES as TENS,
  UNIT_VALUES as UNITS,
} from '../agent/src/core/text/number-words.ts';

const words = (t: string) =>
  t
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
const isNum = (w: string) => w in UNITS || w in TENS || w === 'hundred' || w === 'thousand' || w === 'million';

/** Values of the number phrases in `text`; times and digit-by-digit runs can be left out. */
export function spokenNumbers(text: string, o: { skipTimes?: boolean; skipDigitRuns?: boolean } = {}): number[] {
  const ws = words(text);
  const out: number[] = [];
  for (let i = 0; i < ws.length;) {
    if (!isNum(ws[i]!)) {
      if (ws[i]! in ORDINALS) out.push(ORDINALS[ws[i]!]!);
      i++;
      continue;
    }
    let j = i;
    while (j < ws.length && (isNum(ws[j]!) || (ws[j] === 'oh' && j > i))) j++;
    const run = ws.slice(i, j);
    const next = ws.slice(j, j + 2).join(' ');
    const isTime = /^(a m|p m|o'clock)/.test(next);
    const digitRun = run.length >= 3 && run.every((w) => w in UNITS && UNITS[w]! < 10);
    if (!(o.skipTimes && isTime) && !(o.skipDigitRuns && digitRun)) {
      // "twenty first" and similar: the ordinal joins the number
      if (!digitRun) out.push(value(run));
    }
    i = j;
  }
  return out;
}

function value(run: readonly string[]): number {
  let total = 0;
  let current = 0;
  for (const w of run) {
    if (w in UNITS) current += UNITS[w]!;
    else if (w in TENS) current += TENS[w]!;
    else if (w === 'hundred') current = (current || 1) * 100;
    else if (w === 'thousand' || w === 'million') {
      total += (current || 1) * (w === 'thousand' ? 1000 : 1_000_000);
      current = 0;
    }
  }
  return total + current;
}

/** "ten a m" → "10:00", "two thirty p m" → "14:30", "noon" → "12:00". */
export function spokenTimes(text: string): string[] {
  const ws = words(text);
  const out: string[] = [];
  for (let i = 0; i < ws.length; i++) {
    if (ws[i] === 'noon') out.push('12:00');
    if (ws[i] === 'midnight') out.push('00:00');
    if (!((ws[i] === 'a' || ws[i] === 'p') && ws[i + 1] === 'm')) continue;
    // walk back over the number words before "a m"
    let j = i;
    while (j > 0 && (isNum(ws[j - 1]!) || ws[j - 1] === 'oh')) j--;
    const run = ws.slice(j, i);
    if (run.length === 0) continue;
    const hour = UNITS[run[0]!] ?? 0;
    const minute = run.length > 1 ? value(run.slice(1).filter((w) => w !== 'oh')) : 0;
    let h = hour % 12;
    if (ws[i] === 'p') h += 12;
    out.push(`${String(h).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
  }
  return out;
}
