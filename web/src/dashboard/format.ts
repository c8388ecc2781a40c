// Pure formatting for the dashboard. Every function takes what it needs (time zone, "now") as an
// argument, so the tests are deterministic and the browser passes its own zone.

export const EMPTY = '—';

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** 420 → "420 ms", 1234 → "1.23 s"; missing figures are a dash, not "0 ms". */
export function formatMs(ms: number | null | undefined): string {
  if (!isNum(ms)) return EMPTY;
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** Whole dollars when the amount is whole, cents otherwise. */
export function formatMoney(cents: number | null | undefined, currency = 'USD'): string {
  if (!isNum(cents)) return EMPTY;
  const whole = cents % 100 === 0;
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: whole ? 0 : 2,
  }).format(cents / 100);
}

export function formatCount(n: number | null | undefined): string {
  return isNum(n) ? new Intl.NumberFormat('en-US').format(n) : EMPTY;
}

/** answerRate is a ratio 0..1 (0.953 → "95%"; one decimal below 10% and between 99% and 100%). */
export function formatPercent(ratio: number | null | undefined): string {
  if (!isNum(ratio)) return EMPTY;
  const pct = ratio * 100;
  const precise = (pct > 0 && pct < 10) || (pct > 99 && pct < 100);
  return `${precise ? pct.toFixed(1) : Math.round(pct)}%`;
}

/** Call length: "45 s", "3 min 05 s", "1 h 02 min". No end yet → dash. */
export function formatDuration(startIso: string, endIso: string | null | undefined): string {
  if (!endIso) return EMPTY;
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (!Number.isFinite(ms) || ms < 0) return EMPTY;
  return formatSpan(ms);
}

export function formatSpan(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

function ymd(d: Date, timeZone?: string): string {
  // en-CA formats as YYYY-MM-DD
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

export function formatTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return EMPTY;
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }).format(d);
}

/** "Today, 2:05 PM", "Yesterday, 9:10 AM", "Tomorrow, …", else "Mon, Nov 23, 2:05 PM". */
export function formatDateTime(iso: string, now: Date, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return EMPTY;
  return `${formatDayLabel(iso, now, timeZone)}, ${formatTime(iso, timeZone)}`;
}

export function formatDayLabel(iso: string, now: Date, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return EMPTY;
  const day = ymd(d, timeZone);
  const offsets: [number, string][] = [
    [0, 'Today'],
    [-1, 'Yesterday'],
    [1, 'Tomorrow'],
  ];
  for (const [offset, label] of offsets) {
    if (ymd(new Date(now.getTime() + offset * 86_400_000), timeZone) === day) return label;
  }
  const sameYear = ymd(d, timeZone).slice(0, 4) === ymd(now, timeZone).slice(0, 4);
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: sameYear ? undefined : 'numeric',
  }).format(d);
}

/** A chart axis label for 'YYYY-MM-DD' (a calendar date, no zone): "Mon 23". */
export function formatChartDay(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const weekday = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short' }).format(d);
  return `${weekday} ${Number(m[3])}`;
}

/** "just now", "4 min ago", "2 h ago" — for the live page. */
export function formatSince(iso: string, now: Date): string {
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms)) return EMPTY;
  if (ms < 10_000) return 'just now';
  return `${formatSpan(ms)} ago`;
}

export const CHANNEL_LABELS: Readonly<Record<string, string>> = {
  web: 'Web',
  sip: 'Phone (SIP)',
  twilio: 'Phone (Twilio)',
  'twilio-media': 'Phone (Twilio Media Streams)',
  'twilio-relay': 'Phone (Twilio ConversationRelay)',
};
export const channelLabel = (c: string): string => CHANNEL_LABELS[c] ?? c;

/** "in_progress" → "In progress" */
export function humanize(word: string | null | undefined): string {
  if (!word) return EMPTY;
  const spaced = word.replace(/[_-]+/g, ' ').trim().toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/**
 * A booking carries the service's id from the knowledge base ("rhinoplasty", "tummy-tuck", "bbl");
 * short ids are initialisms and read better in capitals.
 */
export function serviceLabel(id: string | null | undefined): string {
  if (!id) return EMPTY;
  return /^[a-z]{2,4}$/i.test(id) && !/^(lip|face|neck|arm|eye|nose|skin|brow|chin|ear|hair)s?$/i.test(id)
    ? id.toUpperCase()
    : humanize(id);
}

/** Minutes the zone is ahead of UTC at that instant (New York in winter: -300). */
function zoneOffsetMinutes(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return (
    (Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) -
      Math.floor(at / 1000) * 1000) /
    60_000
  );
}

type WallFields = [number, number, number, number, number, number, number];

/**
 * The instant a wall-clock time on a calendar day ('YYYY-MM-DD', 'HH:MM[:SS.mmm]') happens in a zone,
 * as ISO; no zone = the browser's. A date filter means the clinic's day, not UTC's.
 */
export function zonedInstant(date: string, time: string, timeZone?: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?$/.exec(time);
  if (!m || !t) return null;
  // year, month (0-based), day, hours, minutes, seconds, milliseconds: read as UTC, or in the browser's zone
  const parts = [m[1], Number(m[2]) - 1, m[3], t[1], t[2], t[3] ?? 0, t[4] ?? 0].map(Number) as WallFields;
  const wall = Date.UTC(...parts);
  if (!timeZone) {
    const local = new Date(...parts);
    return Number.isNaN(local.getTime()) ? null : local.toISOString();
  }
  // the offset at the guessed instant, then again at the corrected one (a DST change between them)
  let at = wall - zoneOffsetMinutes(wall, timeZone) * 60_000;
  at = wall - zoneOffsetMinutes(at, timeZone) * 60_000;
  return new Date(at).toISOString();
}
