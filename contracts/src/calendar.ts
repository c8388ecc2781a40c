/**
 * Clinic-local dates: which day a date is, what an ISO instant is on the clinic's wall clock, and
 * the clinic's wall-clock time as an ISO instant. Shared by the agent (booking, speech) and the
 * web server (slots, charts, seeds), so both sides agree on a clinic's day. Uses Intl for time
 * zones (no node: modules); pure given its arguments.
 */
import type { Day } from './knowledge-base.ts';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

export interface LocalParts {
  /** YYYY-MM-DD on the clinic's calendar */
  date: string;
  weekday: Day;
  /** HH:MM on the clinic's clock */
  time: string;
}

export function localParts(instant: Date, timeZone: string): LocalParts {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const p = Object.fromEntries(f.formatToParts(instant).map((x) => [x.type, x.value]));
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, weekday: weekdayOf(date), time: `${p.hour}:${p.minute}` };
}

export function weekdayOf(date: string): Day {
  return WEEKDAYS[new Date(`${date}T12:00:00Z`).getUTCDay()]!;
}

export function addDaysToDate(date: string, n: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** minutes east of UTC at `instant` in `timeZone` (-420 for Pacific daylight time) */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

function formatOffset(min: number): string {
  const sign = min < 0 ? '-' : '+';
  const a = Math.abs(min);
  return `${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** The clinic's wall-clock `date` `time` as an ISO string with its offset: "2026-03-03T10:00:00-08:00". */
export function zonedIso(date: string, time: string, timeZone: string): string {
  const guess = Date.parse(`${date}T${time}:00Z`);
  let off = offsetMinutes(new Date(guess), timeZone);
  off = offsetMinutes(new Date(guess - off * 60_000), timeZone);
  return `${date}T${time}:00${formatOffset(off)}`;
}

/** The next date (today included) that falls on `day`. */
export function nextWeekday(today: string, day: Day, includeToday = true): string {
  for (let i = includeToday ? 0 : 1; i < 8; i++) {
    const d = addDaysToDate(today, i);
    if (weekdayOf(d) === day) return d;
  }
  throw new RangeError(`nextWeekday: ${day}`);
}
