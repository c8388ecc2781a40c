/**
 * What a language model really sends before the humanizer: the receptionist's answer rewritten
 * the way Llama writes — digits and dollar signs ("$8,000-$12,000"), clock times ("10:00 AM"),
 * phone numbers as digits, no contractions, sentences run together, an eager opener and stray
 * spaces. The Groq fake answers with this so the naturalness suite tests the humanizer's repairs.
 */
import { TENS_VALUES as TENS, UNIT_VALUES as UNITS } from '../agent/src/core/text/number-words.ts';
const NUM = `(?:${[...Object.keys(UNITS), ...Object.keys(TENS), 'hundred', 'thousand'].join('|')})`;
const RUN = `${NUM}(?:[ -]${NUM})*`;

function value(run: string): number {
  let total = 0;
  let current = 0;
  for (const w of run.toLowerCase().split(/[ -]/)) {
    if (w in UNITS) current += UNITS[w]!;
    else if (w in TENS) current += TENS[w]!;
    else if (w === 'hundred') current = (current || 1) * 100;
    else if (w === 'thousand') {
      total += (current || 1) * 1000;
      current = 0;
    }
  }
  return total + current;
}

const money = (n: number) => `$${n.toLocaleString('en-US')}`;

const EXPAND: Array<[RegExp, string]> = [
  [/\bwe're\b/gi, 'we are'],
  [/\bit's\b/gi, 'it is'],
  [/\bdon't\b/gi, 'do not'],
  [/\bI'm\b/g, 'I am'],
  [/\byou're\b/gi, 'you are'],
  [/\bthat's\b/gi, 'that is'],
  [/\bthere's\b/gi, 'there is'],
  [/\bI'll\b/g, 'I will'],
  [/\bcan't\b/gi, 'cannot'],
  [/\baren't\b/gi, 'are not'],
  [/\bwhat's\b/gi, 'what is'],
  [/\bwe'll\b/gi, 'we will'],
];

export function rawLlmText(spoken: string, callerAskedQuestion: boolean): string {
  let t = spoken;
  // phone numbers read digit by digit
  t = t.replace(
    new RegExp(
      `\\b(?:${Object.keys(UNITS).slice(0, 10).join('|')})(?:,? ` +
        `(?:zero|one|two|three|four|five|six|seven|eight|nine)){9}\\b`,
      'gi',
    ),
    (m) => {
      const d = m
        .replace(/,/g, '')
        .split(' ')
        .map((w) => UNITS[w.toLowerCase()])
        .join('');
      return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
    },
  );
  // price ranges and prices
  t = t.replace(
    new RegExp(`\\b(${RUN}) to (${RUN}) dollars\\b`, 'gi'),
    (_m, a: string, b: string) => `${money(value(a))}-${money(value(b))}`,
  );
  t = t.replace(new RegExp(`\\b(${RUN}) dollars\\b`, 'gi'), (_m, a: string) => money(value(a)));
  // clock times
  t = t.replace(
    new RegExp(`\\b(${NUM})(?: (${NUM}))? ([ap]) m\\b`, 'gi'),
    (_m, h: string, mm: string | undefined, s: string) => {
      const minutes = mm ? value(mm) : 0;
      return `${value(h)}:${String(minutes).padStart(2, '0')} ${s.toUpperCase()}M`;
    },
  );
  t = t.replace(/\bnoon\b/g, '12:00 PM');
  for (const [re, to] of EXPAND)
    t = t.replace(re, (m) => (m[0] === m[0]!.toUpperCase() ? to[0]!.toUpperCase() + to.slice(1) : to));
  // sentences run together, the way a model writes prose
  const sentences = t.split(/(?<=[.!?])\s+/);
  const joined: string[] = [];
  for (let i = 0; i < sentences.length; i++) {
    const a = sentences[i]!;
    const b = sentences[i + 1];
    if (b && a.endsWith('.') && !b.endsWith('?')) {
      joined.push(`${a.slice(0, -1)}, and ${b[0]!.toLowerCase()}${b.slice(1)}`);
      i++;
    } else joined.push(a);
  }
  const body = joined.join('  ').replace(/\. /g, ' . ');
  return callerAskedQuestion ? `Great question! ${body}` : body;
}
