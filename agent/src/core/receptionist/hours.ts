/** Opening hours as spoken sentences. Every time said here is read from the knowledge base. */
import type { Day, KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { timeToWords } from '../text/time-words.ts';

/** Week order, kept here rather than imported from the schema so core stays free of zod at runtime. */
export const WEEK = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const satisfies readonly Day[];

type DayHours = KnowledgeBase['hours'][Day];

export function dayName(day: Day): string {
  return day[0]!.toUpperCase() + day.slice(1);
}

export function addDays(day: Day, n: number): Day {
  return WEEK[(((WEEK.indexOf(day) + n) % 7) + 7) % 7]!;
}

/** The weekday at `date` in the clinic's time zone, e.g. for "are you open today". */
export function dayInTimeZone(date: Date, timeZone: string): Day {
  const name = new Intl.DateTimeFormat('en-US', { weekday: 'long', timeZone }).format(date).toLowerCase();
  const day = WEEK.find((d) => d === name);
  if (!day) throw new RangeError(`dayInTimeZone: unexpected weekday "${name}" for time zone ${timeZone}`);
  return day;
}

export function joinAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items.at(-1)}`;
}

function sameHours(a: DayHours, b: DayHours): boolean {
  if (a === 'closed' || b === 'closed') return a === b;
  return a.open === b.open && a.close === b.close;
}

function span(h: Exclude<DayHours, 'closed'>): string {
  return `${timeToWords(h.open)} to ${timeToWords(h.close)}`;
}

/** Consecutive days (in week order) with identical hours, as "Monday to Wednesday" / "Monday and Tuesday". */
function groupDays(kb: KnowledgeBase, days: readonly Day[]): Array<{ label: string; hours: DayHours }> {
  const runs: Array<{ days: Day[]; hours: DayHours }> = [];
  for (const d of WEEK) {
    if (!days.includes(d)) continue;
    const last = runs.at(-1);
    const adjacent = last && WEEK.indexOf(last.days.at(-1)!) === WEEK.indexOf(d) - 1;
    if (last && adjacent && sameHours(last.hours, kb.hours[d])) last.days.push(d);
    else runs.push({ days: [d], hours: kb.hours[d] });
  }
  return runs.map((r) => {
    const first = dayName(r.days[0]!);
    const last = dayName(r.days.at(-1)!);
    const label = r.days.length === 1 ? first : r.days.length === 2 ? `${first} and ${last}` : `${first} to ${last}`;
    return { label, hours: r.hours };
  });
}

/**
 * The hours for `days` (default: the whole week) as short sentences:
 * "We're open Monday to Wednesday, eight a m to five p m. Thursday, … We're closed on Sunday."
 */
export function describeHoursForSpeech(kb: KnowledgeBase, days: readonly Day[] = WEEK): string {
  const groups = groupDays(kb, days);
  const open = groups.filter((g) => g.hours !== 'closed');
  const closed = groups.filter((g) => g.hours === 'closed').map((g) => g.label);
  const sentences: string[] = [];
  if (open.length === 1 && closed.length === 0 && days.length === 7) {
    sentences.push(`We're open every day, ${span(open[0]!.hours as Exclude<DayHours, 'closed'>)}.`);
  } else {
    open.forEach((g, i) =>
      sentences.push(`${i === 0 ? "We're open " : ''}${g.label}, ${span(g.hours as Exclude<DayHours, 'closed'>)}.`),
    );
  }
  if (closed.length > 0) sentences.push(`We're closed ${closed.length === 7 ? 'all week' : `on ${joinAnd(closed)}`}.`);
  return sentences.join(' ');
}

export const DAY_ASKS = ['open', 'close', 'range'] as const;
export type DayAsk = (typeof DAY_ASKS)[number];

export interface DayQuestion {
  day: Day;
  /** how to name the day: "today", "tomorrow", or undefined for its name */
  label?: string;
  ask: DayAsk;
  /** a yes/no question ("are you open on saturday") gets a yes or no first */
  yesNo: boolean;
  /** the yes/no question was about being closed ("are you closed on sunday") */
  asksClosed: boolean;
}

function nextOpen(kb: KnowledgeBase, after: Day): { day: Day; open: string } | undefined {
  for (let i = 1; i < 7; i++) {
    const d = addDays(after, i);
    const h = kb.hours[d];
    if (h !== 'closed') return { day: d, open: h.open };
  }
  return undefined;
}

/** One day's hours, answering the way it was asked. */
export function describeDayForSpeech(kb: KnowledgeBase, q: DayQuestion): string {
  const h = kb.hours[q.day];
  const when = q.label ? q.label : `on ${dayName(q.day)}`;
  const When = when[0]!.toUpperCase() + when.slice(1);
  if (h === 'closed') {
    const lead = q.yesNo ? (q.asksClosed ? "Yes, we're closed" : "No, we're closed") : "We're closed";
    const next = nextOpen(kb, q.day);
    const again = next ? ` We open again ${dayName(next.day)} at ${timeToWords(next.open)}.` : '';
    return `${lead} ${when}.${again}`;
  }
  if (q.ask === 'open') return `${When}, we open at ${timeToWords(h.open)}.`;
  if (q.ask === 'close') return `${When}, we close at ${timeToWords(h.close)}.`;
  if (q.yesNo) return `${q.asksClosed ? 'No' : 'Yes'}, ${when} we're open ${span(h)}.`;
  return `${When}, we're open ${span(h)}.`;
}
