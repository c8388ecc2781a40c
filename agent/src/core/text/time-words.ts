import { numberToWords } from './number-words.ts';

/**
 * 24-hour "HH:MM" → words a TTS engine reads naturally: "08:00" → "eight a m",
 * "17:30" → "five thirty p m", "09:05" → "nine oh five a m", "12:00" → "noon", "00:00" → "midnight".
 * "a m" / "p m" are spelled as separate letters because engines otherwise say "am" as a word.
 */
export function timeToWords(hhmm: string): string {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`timeToWords: expected "HH:MM" (24-hour), got "${hhmm}"`);
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (minute === 0 && hour === 12) return 'noon';
  if (minute === 0 && hour === 0) return 'midnight';
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  const suffix = hour < 12 ? 'a m' : 'p m';
  const minutes = minute === 0 ? '' : minute < 10 ? ` oh ${numberToWords(minute)}` : ` ${numberToWords(minute)}`;
  return `${numberToWords(hour12)}${minutes} ${suffix}`;
}
