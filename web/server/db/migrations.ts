/**
 * The one schema, as numbered migrations. Applied in order at web-server start inside a
 * transaction each, recorded in schema_migrations; an advisory lock keeps two servers starting
 * against one PostgreSQL from applying the same step twice. Never edit a released step: add one.
 */
import type { Db } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tenants, users, sessions, calls, turns, states, bookings, metrics',
    sql: `
create table tenants (
  id text primary key,
  slug text not null unique,
  name text not null,
  agent_name text not null,
  voice text not null,
  greeting text not null,
  instructions text not null default '',
  silence_timeout_ms integer not null default 3000,
  knowledge_base_yaml text not null,
  created_at timestamptz not null default now()
);
create table users (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  email text not null unique,
  name text not null,
  role text not null check (role in ('owner', 'staff')),
  password_hash text not null,
  created_at timestamptz not null default now()
);
create table sessions (
  token_hash text primary key,
  user_id text not null references users(id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions(user_id);
create table call_sessions (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  room text not null,
  channel text not null check (channel in ('web', 'sip', 'twilio')),
  caller_identity text not null,
  caller_phone_masked text,
  started_at timestamptz not null,
  ended_at timestamptz,
  status text not null default 'in_progress' check (status in ('in_progress', 'completed', 'abandoned', 'failed',
    'transferred')),
  outcome text,
  summary text,
  engine_stt text not null,
  engine_llm text not null,
  engine_tts text not null,
  mode text not null check (mode in ('cloud', 'offline', 'fallback')),
  current_state text,
  state_since timestamptz
);
create index call_sessions_tenant_started on call_sessions(tenant_id, started_at desc);
create table conversation_turns (
  call_id text not null references call_sessions(id) on delete cascade,
  idx integer not null,
  speaker text not null check (speaker in ('caller', 'agent')),
  text text not null,
  started_at timestamptz not null,
  ended_at timestamptz not null,
  interrupted boolean not null default false,
  stt_final_ms real,
  end_of_turn_ms real,
  llm_first_token_ms real,
  tts_first_byte_ms real,
  v2v_ms real,
  primary key (call_id, idx, speaker)
);
create table call_states (
  id bigint generated always as identity primary key,
  call_id text not null references call_sessions(id) on delete cascade,
  state text not null,
  at timestamptz not null,
  reason text
);
create index call_states_call on call_states(call_id, at);
create table bookings (
  id text primary key,
  tenant_id text not null references tenants(id) on delete cascade,
  call_id text,
  name text not null,
  phone text not null,
  service text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  status text not null check (status in ('booked', 'cancelled')),
  price_cents integer,
  created_at timestamptz not null default now()
);
-- one booking per slot per clinic: the database, not a read-then-write, refuses the second caller
create unique index bookings_one_per_slot on bookings(tenant_id, starts_at) where status = 'booked';
create index bookings_tenant_phone on bookings(tenant_id, phone);
create table system_metrics (
  tenant_id text not null references tenants(id) on delete cascade,
  minute timestamptz not null,
  calls integer not null default 0,
  turns integer not null default 0,
  v2v_p50_ms real,
  v2v_p95_ms real,
  errors integer not null default 0,
  primary key (tenant_id, minute)
);
`,
  },
  {
    version: 2,
    name: 'idempotent state changes: a client-generated id per call event',
    // The agent retries a write whose answer it did not get; the server may have stored it. The
    // id makes the retry a no-op (insert … on conflict do nothing). Rows written before this
    // step keep a null id, which a unique index never treats as equal.
    sql: `
alter table call_states add column event_id text;
create unique index call_states_event on call_states(call_id, event_id);
`,
  },
  {
    version: 3,
    name: 'channels: twilio-media and twilio-relay',
    // the two ways a plain Twilio number reaches her (issue 15); the inline check of step 1 has
    // PostgreSQL's (and PGlite's) default name
    sql: `
alter table call_sessions drop constraint call_sessions_channel_check;
alter table call_sessions add constraint call_sessions_channel_check
  check (channel in ('web', 'sip', 'twilio', 'twilio-media', 'twilio-relay'));
`,
  },
  {
    version: 4,
    name: 'audit trail: every staff view of patient information, append-only',
    // No foreign keys: an entry outlives the user or clinic it names (HIPAA keeps audit records for
    // six years). The trigger refuses update, delete and truncate in the database itself, beneath
    // an API that has no route to try. (No ';' ends a line inside the function: splitStatements.)
    sql: `
create table audit_events (
  id bigint generated always as identity primary key,
  tenant_id text not null,
  at timestamptz not null,
  user_id text not null,
  user_email text not null,
  user_name text not null,
  action text not null,
  target text not null,
  ip text not null,
  user_agent text
);
create index audit_events_tenant_at on audit_events(tenant_id, at desc, id desc);
create function audit_events_append_only() returns trigger language plpgsql
  as $$ begin raise exception 'audit_events is append-only'; end $$;
create trigger audit_events_no_update before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();
`,
  },
  {
    version: 5,
    name: 'new-patient intake stored with the booking',
    // one JSON object (contracts PatientIntake: date of birth, email, insurance, reason, referral):
    // staff read it as a whole, and a field added later needs no step of its own
    sql: `
alter table bookings add column intake jsonb;
`,
  },
];

/** Applies every migration not yet recorded; returns the versions applied now. */
export async function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): Promise<number[]> {
  await db.query(`create table if not exists schema_migrations (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`);
  const applied: number[] = [];
  for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
    const done = await db.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(7240601)');
      const seen = await tx.query('select 1 from schema_migrations where version = $1', [m.version]);
      if (seen.length) return false;
      for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

/** One statement per query: the extended protocol both drivers use takes a single statement. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}
