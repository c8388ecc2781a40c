/** What the dashboard reads about calls: the filtered list and one call with its transcript and timeline. */
import type { CallDetail, CallRow, CallsPage } from '@voxanne/contracts/dashboard';
import type { CallStatus, Channel, RecordSpeaker } from '@voxanne/contracts/records-api';
import type { Queryable } from './db.ts';
import { iso, num, tenantWhere } from './db.ts';
import { bookingsOfCall } from './bookings.ts';

export interface CallFilter {
  status?: string | undefined;
  channel?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
  limit: number;
  offset: number;
}

export type { CallDetail, CallRow } from '@voxanne/contracts/dashboard';

const ROW_COLUMNS = `c.id, c.channel, c.caller_identity, c.caller_phone_masked, c.started_at, c.ended_at, c.status,
  c.outcome,
  (select count(*)::int from conversation_turns t where t.call_id = c.id) as turn_count,
  (select count(*)::int from conversation_turns t where t.call_id = c.id and t.speaker = 'agent' and t.interrupted) as
    barge_ins,
  (select percentile_cont(0.5) within group (order by t.v2v_ms) from conversation_turns t where t.call_id = c.id and
    t.v2v_ms is not null) as v2v_p50,
  exists(select 1 from call_states s where s.call_id = c.id and s.state = 'EMERGENCY') as emergency,
  exists(select 1 from call_states s where s.call_id = c.id and s.state = 'CALLBACK') as callback`;

function toRow(r: Record<string, unknown>): CallRow {
  return {
    id: String(r.id),
    // stored only through the records API, whose schema admits these values alone
    channel: String(r.channel) as Channel,
    caller: String(r.caller_phone_masked ?? r.caller_identity),
    startedAt: iso(r.started_at)!,
    endedAt: iso(r.ended_at),
    status: String(r.status) as CallStatus,
    outcome: (r.outcome as string | null) ?? null,
    turnCount: Number(r.turn_count),
    bargeIns: Number(r.barge_ins),
    v2vP50: num(r.v2v_p50),
    flags: [
      ...(r.emergency === true ? (['EMERGENCY'] as const) : []),
      ...(r.callback === true ? (['CALLBACK'] as const) : []),
    ],
  };
}

export async function listCalls(db: Queryable, tenantId: string, f: CallFilter): Promise<CallsPage> {
  const filter = tenantWhere('c.tenant_id', tenantId);
  const { add, params } = filter;
  if (f.status) add('c.status = ?', f.status);
  if (f.channel) add('c.channel = ?', f.channel);
  if (f.from) add('c.started_at >= ?', f.from);
  if (f.to) add('c.started_at < ?', f.to);
  if (f.q) {
    // a literal search: % and _ typed by a person mean themselves
    const like = `%${f.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    add(
      `(c.caller_identity ilike ? or coalesce(c.caller_phone_masked, '') ilike $${params.length + 1} or
        coalesce(c.summary, '') ilike $${params.length + 1}
      or coalesce(c.outcome, '') ilike $${params.length + 1} or c.id ilike $${params.length + 1})`,
      like,
    );
  }
  const clause = filter.clause;
  const [count] = await db.query<{ n: number }>(
    `select count(*)::int as n from call_sessions c where ${clause}`,
    params,
  );
  const rows = await db.query<Record<string, unknown>>(
    `select ${ROW_COLUMNS} from call_sessions c where ${clause} order by ` +
      `c.started_at desc, c.id limit ${f.limit} offset ${f.offset}`,
    params,
  );
  return { calls: rows.map(toRow), total: Number(count?.n ?? 0) };
}

/** undefined when the call does not exist or belongs to another clinic: the caller answers 404 either way */
export async function callDetail(db: Queryable, tenantId: string, callId: string): Promise<CallDetail | undefined> {
  const [r] = await db.query<Record<string, unknown>>(
    `select ${ROW_COLUMNS}, c.summary, c.engine_stt, c.engine_llm, c.engine_tts, ` +
      `c.mode, c.room from call_sessions c where c.id = $1 and c.tenant_id = $2`,
    [callId, tenantId],
  );
  if (!r) return undefined;
  const turns = await db.query<Record<string, unknown>>(
    `select idx, speaker, text, started_at, ended_at, interrupted, stt_final_ms, end_of_turn_ms, llm_first_token_ms,
      tts_first_byte_ms, v2v_ms
     from conversation_turns where call_id = $1 order by idx, started_at, speaker desc`,
    [callId],
  );
  const states = await db.query<Record<string, unknown>>(
    'select state, at, reason from call_states where call_id = $1 order by at, id',
    [callId],
  );
  return {
    call: {
      ...toRow(r),
      summary: (r.summary as string | null) ?? null,
      engines: {
        stt: String(r.engine_stt),
        llm: String(r.engine_llm),
        tts: String(r.engine_tts),
        mode: String(r.mode),
      },
      room: String(r.room),
      callerIdentity: String(r.caller_identity),
    },
    turns: turns.map((t) => ({
      index: Number(t.idx),
      speaker: String(t.speaker) as RecordSpeaker,
      text: String(t.text),
      startedAt: iso(t.started_at)!,
      endedAt: iso(t.ended_at),
      interrupted: Boolean(t.interrupted),
      metrics: {
        sttFinalMs: num(t.stt_final_ms),
        endOfTurnMs: num(t.end_of_turn_ms),
        llmFirstTokenMs: num(t.llm_first_token_ms),
        ttsFirstByteMs: num(t.tts_first_byte_ms),
        v2vMs: num(t.v2v_ms),
      },
    })),
    states: states.map((s) => ({
      state: String(s.state),
      at: iso(s.at)!,
      reason: (s.reason as string | null) ?? null,
    })),
    bookings: await bookingsOfCall(db, tenantId, callId),
    messages: states
      .filter((s) => s.state === 'CALLBACK')
      .map((s) => ({ at: iso(s.at)!, text: String(s.reason ?? '') })),
  };
}
