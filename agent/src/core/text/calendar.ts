/**
 * How she says clinic-local dates and slots. The date arithmetic itself is shared with the web
 * server and lives in @voxanne/contracts/calendar; it is re-exported here for the agent's callers.
 */
import { addDaysToDate, localParts, weekdayOf } from '@voxanne/contracts/calendar';
import { ordinalToWords } from './number-words.ts';
import { timeToWords } from './time-words.ts';

export {
  addDaysToDate,
  localParts,
  nextWeekday,
  offsetMinutes,
  weekdayOf,
  zonedIso,
  type LocalParts,
} from '@voxanne/contracts/calendar';

/** the month names as written; months are numbered from 1, so MONTHS[m - 1] */
export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** "today", "tomorrow", or "Tuesday, March third" (always the latter when `today` is ''). */
export function describeDate(date: string, today: string): string {
  if (today && date === today) return 'today';
  if (today && date === addDaysToDate(today, 1)) return 'tomorrow';
  const [, m, d] = date.split('-').map(Number) as [number, number, number];
  return `${cap(weekdayOf(date))}, ${MONTHS[m - 1]} ${ordinalToWords(d)}`;
}

/** A slot as she says it: "Tuesday, March third at ten a m". */
export function describeSlot(iso: string, timeZone: string, now: Date): string {
  const p = localParts(new Date(iso), timeZone);
  const today = localParts(now, timeZone).date;
  return `${describeDate(p.date, today)} at ${timeToWords(p.time)}`;
}
