/**
 * The dashboard API's bodies (web/server/records/dashboard-api.ts, under /api/, behind login):
 * the server's queries return these types and the dashboard pages read them, so the two cannot
 * drift apart. Times are ISO-8601 strings, durations ms.
 */
import type { Booking as RecordsBooking, CallFlag, CallStatus, Channel, EngineMode } from './records-api.ts';

export const ROLES = ['owner', 'staff'] as const;
export type Role = (typeof ROLES)[number];

export interface DashboardUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** GET /api/me; POST /api/auth/login answers `{ user }` */
export interface Me {
  user: DashboardUser;
  /** timezone: the clinic's IANA zone; the dashboard shows every time in it */
  tenant: { slug: string; name: string; timezone: string };
}

export interface EnginesUsed {
  stt: string;
  llm: string;
  tts: string;
}

/** GET /api/overview */
export interface Overview {
  callsToday: number;
  callsThisWeek: number;
  bookingsThisWeek: number;
  bookingsUpcoming: number;
  /** booked (not cancelled) this week, at each service's minimum price */
  revenueCents: number;
  /** completed or transferred calls over ended calls this week; null without ended calls */
  answerRate: number | null;
  v2vMs: { p50: number | null; p95: number | null };
  weekly: { date: string; calls: number; bookings: number; v2vP50: number | null }[];
  /** the engines of the latest call; known is false before the first call (then no banner) */
  safeMode: { active: boolean; mode: EngineMode; engines: EnginesUsed; known: boolean };
  /** the clinic's IANA zone: its days are the chart's days */
  timezone: string;
}

/** one row of GET /api/calls */
export interface CallRow {
  id: string;
  channel: Channel;
  /** the masked phone number, or the web caller's identity */
  caller: string;
  startedAt: string;
  endedAt: string | null;
  status: CallStatus;
  outcome: string | null;
  turnCount: number;
  bargeIns: number;
  v2vP50: number | null;
  /** for staff's attention: EMERGENCY, she told the caller to dial the emergency number */
  flags: CallFlag[];
}

/** GET /api/calls */
export interface CallsPage {
  calls: CallRow[];
  /** matching calls in all, for paging */
  total: number;
}

export interface TurnMetrics {
  sttFinalMs: number | null;
  endOfTurnMs: number | null;
  llmFirstTokenMs: number | null;
  ttsFirstByteMs: number | null;
  v2vMs: number | null;
}

export interface Turn {
  index: number;
  speaker: 'caller' | 'agent';
  text: string;
  startedAt: string;
  endedAt: string | null;
  interrupted: boolean;
  metrics: TurnMetrics;
}

/**
 * One entry of a call's timeline: the agent's ConversationState (./protocol.ts), or what the web
 * server wrote about the agent (AGENT_LOST, AGENT_BACK, REAPED; RECORDS-API.md).
 */
export interface StateChange {
  state: string;
  at: string;
  reason: string | null;
}

/** a stored booking: what the records API answers, and when it was made */
export interface Booking extends RecordsBooking {
  priceCents: number | null;
  createdAt: string;
}

/** GET /api/calls/:callId */
export interface CallDetail {
  call: CallRow & {
    summary: string | null;
    engines: EnginesUsed & { mode: string };
    room: string;
    callerIdentity: string;
  };
  turns: Turn[];
  states: StateChange[];
  bookings: Booking[];
  /** messages she took for the front desk on this call (CALLBACK flags), oldest first */
  messages: { at: string; text: string }[];
}

/** a call in progress: GET /api/live lists them, the SSE stream /api/live/stream sends each change */
export interface LiveCall {
  id: string;
  caller: string;
  channel: Channel;
  /** a ConversationState, or ENDED in the stream's last event of a call */
  state: string;
  since: string;
  startedAt: string;
}

/** GET and PUT /api/settings */
export interface Settings {
  agentName: string;
  voice: string;
  greeting: string;
  instructions: string;
  silenceTimeoutMs: number;
  /** YAML text in clinic.yaml's shape */
  knowledgeBase: string;
}

/** one minute of GET /api/metrics */
export interface MetricsMinute {
  minute: string;
  calls: number;
  turns: number;
  v2vP50: number | null;
  v2vP95: number | null;
  errors: number;
}

/**
 * What a staff member looked at that holds patients' information (HIPAA audit controls):
 * a call's transcript, the calls list (callers), the bookings list (names, numbers), the live calls.
 */
export const AUDIT_ACTIONS = ['call.view', 'calls.list', 'bookings.list', 'live.view'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** one recorded view: who, when, what, from where. Append-only: no API route edits or deletes one. */
export interface AuditEntry {
  id: string;
  at: string;
  user: { id: string; email: string; name: string };
  action: AuditAction;
  /** the call's id for call.view; the list's filter (the query string, '' for none) otherwise */
  target: string;
  /** the client address the request came from */
  ip: string;
  userAgent: string | null;
}

/** GET /api/audit (owners only), newest first */
export interface AuditPage {
  entries: AuditEntry[];
  /** matching entries in all, for paging */
  total: number;
}
