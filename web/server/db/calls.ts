/** Call records: written by the agent through the internal API as the call happens, read by the dashboard. */
import type { LiveCall, MetricsMinute } from '@voxanne/contracts/dashboard';
import { CALL_FLAGS } from '@voxanne/contracts/records-api';
import type { CallEnd, CallStart as RecordsCallStart, Channel, TurnRecord } from '@voxanne/contracts/records-api';
import type { Queryable } from './db.ts';
import { iso, num } from './db.ts';

/** a call as the agent announces it (the tenant is the route's, resolved before this) */
export type CallStart = Omit<RecordsCallStart, 'tenant'>;
export type TurnInput = TurnRecord;
export type CallEndInput = CallEnd;

export type { LiveCall } from '@voxanne/contracts/dashboard';

/** true when the call is new (201), false when it was already recorded (200) */
export async function startCall(db: Queryable, tenantId: string, c: CallStart): Promise<boolean> {
  const rows = await db.query(
    `insert into call_sessions (id, tenant_id, room, channel, caller_identity, caller_phone_masked, started_at,
       engine_stt, engine_llm, engine_tts, mode, current_state, state_since)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'IDLE', $7)
     on conflict (id) do nothing returning id`,
    [
      c.callId,
      tenantId,
      c.room,
      c.channel,
      c.callerIdentity,
      c.callerPhoneMasked ?? null,
      c.startedAt,
      c.engines.stt,
      c.engines.llm,
      c.engines.tts,
      c.engines.mode,
    ],
  );
  if (rows.length) await refreshMinute(db, tenantId, c.startedAt);
  return rows.length > 0;
}

export async function callTenant(db: Queryable, callId: string): Promise<string | undefined> {
  const [r] = await db.query<{ tenant_id: string }>('select tenant_id from call_sessions where id = $1', [callId]);
  return r?.tenant_id;
}

export async function addTurn(db: Queryable, tenantId: string, callId: string, t: TurnInput): Promise<boolean> {
  const m = t.metrics ?? {};
  const rows = await db.query(
    `insert into conversation_turns (call_id, idx, speaker, text, started_at, ended_at, interrupted,
       stt_final_ms, end_of_turn_ms, llm_first_token_ms, tts_first_byte_ms, v2v_ms)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (call_id, idx, speaker) do nothing returning idx`,
    [
      callId,
      t.index,
      t.speaker,
      t.text,
      t.startedAt,
      t.endedAt,
      t.interrupted,
      m.sttFinalMs ?? null,
      m.endOfTurnMs ?? null,
      m.llmFirstTokenMs ?? null,
      m.ttsFirstByteMs ?? null,
      m.v2vMs ?? null,
    ],
  );
  if (rows.length) await refreshMinute(db, tenantId, t.endedAt);
  return rows.length > 0;
}

/** true when the change is new, false when this event id was already stored (a retried write) */
export async function addState(
  db: Queryable,
  callId: string,
  s: { id: string; state: string; at: string; reason?: string | undefined },
): Promise<boolean> {
  const rows = await db.query(
    `insert into call_states (call_id, event_id, state, at, reason) values ($1, $2, $3, $4, $5)
     on conflict (call_id, event_id) do nothing returning id`,
    [callId, s.id, s.state, s.at, s.reason ?? null],
  );
  if (!rows.length) return false;
  // a flag for staff (EMERGENCY) is on the timeline but is not where the conversation stands
  if ((CALL_FLAGS as readonly string[]).includes(s.state)) return true;
  // out-of-order deliveries must not move the current state backwards
  await db.query(
    `update call_sessions set current_state = $2, state_since = $3
     where id = $1 and ended_at is null and (state_since is null or state_since <= $3)`,
    [callId, s.state, s.at],
  );
  return true;
}

export async function endCall(db: Queryable, tenantId: string, callId: string, e: CallEndInput): Promise<void> {
  await db.query(
    `update call_sessions set ended_at = $2, status = $3, outcome = $4, summary = ` +
      `$5, current_state = 'ENDED', state_since = $2 where id = $1`,
    [callId, e.endedAt, e.status, e.outcome ?? null, e.summary ?? null],
  );
  await refreshMinute(db, tenantId, e.endedAt);
}

/** what a recovered job needs to go on with a call: where it stands and what was said */
export interface CallForAgent {
  callId: string;
  room: string;
  status: string;
  startedAt: string;
  turns: { index: number; speaker: string; text: string; interrupted: boolean }[];
}

export async function callForAgent(db: Queryable, callId: string): Promise<CallForAgent | undefined> {
  const [r] = await db.query<Record<string, unknown>>(
    'select id, room, status, started_at from call_sessions where id = $1',
    [callId],
  );
  if (!r) return undefined;
  const turns = await db.query<Record<string, unknown>>(
    // within a turn index the caller spoke before she answered
    `select idx, speaker, text, interrupted from conversation_turns where call_id = $1 order by idx, speaker = 'agent'`,
    [callId],
  );
  return {
    callId: String(r.id),
    room: String(r.room),
    status: String(r.status),
    startedAt: iso(r.started_at)!,
    turns: turns.map((t) => ({
      index: Number(t.idx),
      speaker: String(t.speaker),
      text: String(t.text),
      interrupted: Boolean(t.interrupted),
    })),
  };
}

export async function liveCall(db: Queryable, callId: string): Promise<LiveCall | undefined> {
  const [r] = await db.query<Record<string, unknown>>(
    `select id, caller_identity, caller_phone_masked, channel, current_state, ` +
      `state_since, started_at from call_sessions where id = $1`,
    [callId],
  );
  return r && toLive(r);
}

/** calls in progress: not ended, started within the last `maxAgeMs` (a worker that died never ends its call) */
export async function liveCalls(
  db: Queryable,
  tenantId: string,
  now: Date,
  maxAgeMs = 2 * 3600_000,
): Promise<LiveCall[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select id, caller_identity, caller_phone_masked, channel, current_state, state_since, started_at from call_sessions
     where tenant_id = $1 and ended_at is null and started_at > $2 order by started_at desc`,
    [tenantId, new Date(now.getTime() - maxAgeMs).toISOString()],
  );
  return rows.map(toLive);
}

function toLive(r: Record<string, unknown>): LiveCall {
  return {
    id: String(r.id),
    caller: String(r.caller_phone_masked ?? r.caller_identity),
    channel: String(r.channel) as Channel,
    state: String(r.current_state ?? 'IDLE'),
    since: iso(r.state_since ?? r.started_at)!,
    startedAt: iso(r.started_at)!,
  };
}

/**
 * Recomputes one minute's aggregates for the clinic from the records themselves, so a retried
 * or late write can never count twice.
 */
export async function refreshMinute(db: Queryable, tenantId: string, at: string): Promise<void> {
  const t = new Date(at);
  t.setUTCSeconds(0, 0);
  const from = t.toISOString();
  const to = new Date(t.getTime() + 60_000).toISOString();
  await db.query(
    `insert into system_metrics (tenant_id, minute, calls, turns, v2v_p50_ms, v2v_p95_ms, errors)
     select $1, $2::timestamptz,
       (select count(*)::int from call_sessions where tenant_id = $1 and started_at >= $2 and started_at < $3),
       (select count(*)::int from conversation_turns t join call_sessions c on c.id = t.call_id
          where c.tenant_id = $1 and t.ended_at >= $2 and t.ended_at < $3),
       (select percentile_cont(0.5) within group (order by t.v2v_ms) from conversation_turns t join call_sessions c on
         c.id = t.call_id
          where c.tenant_id = $1 and t.ended_at >= $2 and t.ended_at < $3 and t.v2v_ms is not null),
       (select percentile_cont(0.95) within group (order by t.v2v_ms) from conversation_turns t join call_sessions c
         on c.id = t.call_id
          where c.tenant_id = $1 and t.ended_at >= $2 and t.ended_at < $3 and t.v2v_ms is not null),
       (select count(*)::int from call_sessions where tenant_id = $1 and status = 'failed' and ended_at >= $2 and
         ended_at < $3)
     on conflict (tenant_id, minute) do update set calls = excluded.calls, turns = excluded.turns,
       v2v_p50_ms = excluded.v2v_p50_ms, v2v_p95_ms = excluded.v2v_p95_ms, errors = excluded.errors`,
    [tenantId, from, to],
  );
}

export async function metricsBetween(
  db: Queryable,
  tenantId: string,
  from: string,
  to: string,
): Promise<MetricsMinute[]> {
  const rows = await db.query<Record<string, unknown>>(
    'select minute, calls, turns, v2v_p50_ms, v2v_p95_ms, errors from system_metrics ' +
      'where tenant_id = $1 and minute >= $2 and minute < $3 order by minute',
    [tenantId, from, to],
  );
  return rows.map((r) => ({
    minute: iso(r.minute)!,
    calls: Number(r.calls),
    turns: Number(r.turns),
    v2vP50: num(r.v2v_p50_ms),
    v2vP95: num(r.v2v_p95_ms),
    errors: Number(r.errors),
  }));
}
