// The dashboard API's shapes, as the web server's /api/* routes return them.

export type Role = 'owner' | 'staff';
export type Channel = 'web' | 'sip' | 'twilio';
export type AgentState = 'IDLE' | 'LISTENING' | 'PROCESSING' | 'SPEAKING' | 'INTERRUPTED';

export interface Me {
  user: { id: string; email: string; name: string; role: Role };
  /** timezone: the clinic's IANA zone, when the server sends it */
  tenant: { slug: string; name: string; timezone?: string };
}

export interface Overview {
  callsToday: number;
  callsThisWeek: number;
  bookingsThisWeek: number;
  bookingsUpcoming: number;
  revenueCents: number;
  answerRate: number | null;
  v2vMs: { p50: number | null; p95: number | null };
  weekly: { date: string; calls: number; bookings: number; v2vP50: number | null }[];
  safeMode: { active: boolean; mode: 'cloud' | 'offline' | 'fallback'; engines: { stt: string; llm: string; tts: string } };
  /** the clinic's IANA zone: its days are the chart's days */
  timezone?: string;
}

export interface CallRow {
  id: string;
  channel: Channel;
  caller: string;
  startedAt: string;
  endedAt: string | null;
  status: string;
  outcome: string | null;
  turnCount: number;
  bargeIns: number;
  v2vP50: number | null;
}

export interface TurnMetrics {
  sttFinalMs?: number | null;
  endOfTurnMs?: number | null;
  llmFirstTokenMs?: number | null;
  ttsFirstByteMs?: number | null;
  v2vMs?: number | null;
}

export interface Turn {
  index: number;
  speaker: 'caller' | 'agent';
  text: string;
  startedAt: string;
  endedAt: string | null;
  interrupted: boolean;
  metrics?: TurnMetrics | null;
}

export interface StateChange {
  state: AgentState;
  at: string;
  reason?: string | null;
}

export interface Booking {
  id: string;
  name: string;
  phone: string;
  service: string;
  startsAt: string;
  endsAt: string;
  status: string;
  priceCents?: number | null;
  callId?: string | null;
}

export interface CallDetail {
  call: {
    id: string;
    channel: Channel;
    caller: string;
    startedAt: string;
    endedAt: string | null;
    status: string;
    outcome: string | null;
    summary: string | null;
    engines: Record<string, string> | null;
  };
  turns: Turn[];
  states: StateChange[];
  bookings: Booking[];
}

export interface LiveCall {
  id: string;
  caller: string;
  channel: Channel;
  state: AgentState | 'ENDED';
  since: string;
  startedAt: string;
}

export interface Settings {
  agentName: string;
  voice: string;
  greeting: string;
  instructions: string;
  silenceTimeoutMs: number;
  knowledgeBase: string;
}
