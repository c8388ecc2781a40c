/**
 * The Overview page's numbers, on the clinic's calendar (its time zone from the knowledge base):
 * today, the last seven days, upcoming bookings, voice-to-voice latency and the engines of the
 * latest call. A clinic's week is a few hundred calls, so the grouping is done here, not in SQL.
 */
import { addDaysToDate, localParts, zonedIso } from '@voxanne/contracts/calendar';
import type { Overview } from '@voxanne/contracts/dashboard';
import type { Queryable } from './db.ts';
import { iso, num } from './db.ts';

export type { Overview } from '@voxanne/contracts/dashboard';

/** nearest-rank percentile of sorted values */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export async function overview(db: Queryable, tenantId: string, timeZone: string, now: Date): Promise<Overview> {
  const today = localParts(now, timeZone).date;
  const days = Array.from({ length: 7 }, (_, i) => addDaysToDate(today, i - 6));
  const weekStart = zonedIso(days[0]!, '00:00', timeZone);
  const dayOf = (v: unknown) => localParts(new Date(iso(v)!), timeZone).date;

  const calls = await db.query<Record<string, unknown>>(
    'select started_at, status from call_sessions where tenant_id = $1 and started_at >= $2',
    [tenantId, weekStart],
  );
  const turns = await db.query<Record<string, unknown>>(
    `select t.ended_at, t.v2v_ms from conversation_turns t join call_sessions c on c.id = t.call_id
     where c.tenant_id = $1 and c.started_at >= $2 and t.v2v_ms is not null`,
    [tenantId, weekStart],
  );
  const made = await db.query<Record<string, unknown>>(
    `select created_at, price_cents from bookings where tenant_id = $1 and status = 'booked' and created_at >= $2`,
    [tenantId, weekStart],
  );
  const [upcoming] = await db.query<{ n: number }>(
    `select count(*)::int as n from bookings where tenant_id = $1 and status = 'booked' and starts_at > $2`,
    [tenantId, now.toISOString()],
  );
  const [latest] = await db.query<Record<string, unknown>>(
    'select engine_stt, engine_llm, engine_tts, mode from call_sessions where ' +
      'tenant_id = $1 order by started_at desc limit 1',
    [tenantId],
  );

  const ended = calls.filter((c) => c.status !== 'in_progress');
  const answered = ended.filter((c) => c.status === 'completed' || c.status === 'transferred');
  const v2vAll = turns.map((t) => num(t.v2v_ms)!).sort((a, b) => a - b);
  const mode = (latest?.mode as Overview['safeMode']['mode'] | undefined) ?? 'offline';

  return {
    callsToday: calls.filter((c) => dayOf(c.started_at) === today).length,
    callsThisWeek: calls.length,
    bookingsThisWeek: made.length,
    bookingsUpcoming: Number(upcoming?.n ?? 0),
    revenueCents: made.reduce((sum, b) => sum + (num(b.price_cents) ?? 0), 0),
    answerRate: ended.length ? answered.length / ended.length : null,
    v2vMs: { p50: percentile(v2vAll, 0.5), p95: percentile(v2vAll, 0.95) },
    weekly: days.map((date) => ({
      date,
      calls: calls.filter((c) => dayOf(c.started_at) === date).length,
      bookings: made.filter((b) => dayOf(b.created_at) === date).length,
      v2vP50: percentile(
        turns
          .filter((t) => dayOf(t.ended_at) === date)
          .map((t) => num(t.v2v_ms)!)
          .sort((a, b) => a - b),
        0.5,
      ),
    })),
    safeMode: {
      // no call yet: nothing is known about the engines, so no banner
      active: latest ? mode !== 'cloud' : false,
      mode,
      engines: {
        stt: String(latest?.engine_stt ?? ''),
        llm: String(latest?.engine_llm ?? ''),
        tts: String(latest?.engine_tts ?? ''),
      },
      known: Boolean(latest),
    },
    timezone: timeZone,
  };
}
