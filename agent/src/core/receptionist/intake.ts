/**
 * A new patient's intake, as the offline brain hears and says it: who counts as new, the answers
 * to the intake questions (insurance or self-pay, the reason, how they heard of the clinic), and
 * the spoken forms she echoes back (a date of birth, an email address). Pure.
 */
import { MONTHS } from '../text/calendar.ts';
import { numberToWords, ordinalToWords } from '../text/number-words.ts';
import { capitalize } from './speak.ts';
import { hasAny, tokenize } from './text-match.ts';

const NEW_PATIENT = [
  'new patient',
  'first time',
  'first visit',
  'first appointment',
  'never been',
  'havent been',
  'not been there',
  'not been before',
  'new to the clinic',
  'new here',
];

/** "I'm a new patient", "it's my first time": the booking takes the intake */
export const isNewPatient = (text: string): boolean => hasAny(tokenize(text), NEW_PATIENT, false);

const DECLINE = ['dont have', 'do not have', 'rather not', 'prefer not', 'skip', 'no email', 'none', 'not sure'];
/** the caller would rather not answer, or has nothing to give */
export const declines = (text: string): boolean => hasAny(tokenize(text), DECLINE, false);

const SELF_PAY = [
  'self pay',
  'selfpay',
  'self-pay',
  'no insurance',
  'not insured',
  'uninsured',
  'cash',
  'pay myself',
  'out of pocket',
  'paying myself',
  'pay out of pocket',
];
const CARRIERS = [
  'Aetna',
  'Anthem',
  'Blue Cross Blue Shield',
  'Blue Cross',
  'Blue Shield',
  'Cigna',
  'Humana',
  'Kaiser',
  'Medicare',
  'Medicaid',
  'UnitedHealthcare',
  'United Healthcare',
  'Tricare',
  'Oscar',
];

/** the carrier's name, "self-pay", or the caller's own words for one not on the list */
export function insuranceAnswer(text: string): string | undefined {
  const t = tokenize(text);
  if (hasAny(t, SELF_PAY, false)) return 'self-pay';
  const lower = text.toLowerCase();
  const known = CARRIERS.find((c) => lower.includes(c.toLowerCase()));
  if (known) return known;
  return freeAnswer(text);
}

const PREAMBLE =
  /^(?:(?:um|uh|well|so|yeah|yes|oh|okay|ok),?\s+)*(?:i have|i've got|i got|it's|it is|its|i'm with|we have|i'm coming for|i'm coming in for|i want|i would like|i'd like|for|from|through|via)\s+/i;

/** the caller's answer in their words, without the lead-in ("it's for frown lines" → "frown lines") */
export function freeAnswer(text: string): string | undefined {
  let s = text.trim().replace(/[.!?]+$/, '');
  // "it's for …", "well, I have …": every lead-in, one after the other
  for (let before = ''; before !== s;) {
    before = s;
    s = s.replace(PREAMBLE, '').trim();
  }
  return s ? s.slice(0, 200) : undefined;
}

const YEAR_TAIL = (n: number): string => (n === 0 ? 'hundred' : n < 10 ? `oh ${numberToWords(n)}` : numberToWords(n));

/** "1985-03-04" → "March fourth, nineteen eighty five" */
export function birthDateToWords(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  const year =
    y >= 2000 && y < 2010
      ? `two thousand${y > 2000 ? ` ${numberToWords(y - 2000)}` : ''}`
      : `${numberToWords(Math.floor(y / 100))} ${YEAR_TAIL(y % 100)}`;
  return `${MONTHS[m - 1]} ${ordinalToWords(d)}, ${year.replace(/-/g, ' ')}`;
}

/** "maria.lopez7@gmail.com" → "maria dot lopez seven at gmail dot com" (spoken, not spelled) */
export function emailToWords(email: string): string {
  return email
    .replace(/@/g, ' at ')
    .replace(/\./g, ' dot ')
    .replace(/_/g, ' underscore ')
    .replace(/-/g, ' dash ')
    .replace(/\d/g, (d) => ` ${numberToWords(Number(d))} `)
    .replace(/\s+/g, ' ')
    .trim();
}

/** "self-pay" → "Self-pay"; a carrier as it is */
export const insuranceToWords = (insurance: string): string =>
  insurance === 'self-pay' ? 'Self-pay' : capitalize(insurance);
