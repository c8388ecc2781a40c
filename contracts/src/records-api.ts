/**
 * The records API between the agent and the web server (web/server/RECORDS-API.md): the shapes the
 * agent sends and reads back. The web server's request schemas (web/server/records/schemas.ts) are
 * type-checked against these, so a field added on one side only does not compile. How a request
 * is signed is in ./signature.ts.
 */
import type { KnowledgeBase } from './knowledge-base.ts';

/** every route of the internal API is under this prefix */
export const RECORDS_API_PREFIX = '/internal/v1';
/** the signature's headers: ms since the epoch, a once-only nonce, and the hex HMAC (./signature.ts) */
export const TIMESTAMP_HEADER = 'x-voxanne-timestamp';
export const NONCE_HEADER = 'x-voxanne-nonce';
export const SIGNATURE_HEADER = 'x-voxanne-signature';

/**
 * How a caller reached her: the page, a SIP trunk, or a plain Twilio number through Media Streams
 * (`twilio-media`: μ-law over a WebSocket, bridged into a LiveKit room) or ConversationRelay
 * (`twilio-relay`: Twilio's own speech, text over a WebSocket). `twilio` is kept for calls recorded
 * before the two were told apart.
 */
export const CHANNELS = ['web', 'sip', 'twilio', 'twilio-media', 'twilio-relay'] as const;
export type Channel = (typeof CHANNELS)[number];
/** which engines a call ran on: all cloud, all embedded, or embedded after a cloud one failed */
export const ENGINE_MODES = ['cloud', 'offline', 'fallback'] as const;
export type EngineMode = (typeof ENGINE_MODES)[number];
/** how a call ended */
export const END_STATUSES = ['completed', 'abandoned', 'failed', 'transferred'] as const;
export type EndStatus = (typeof END_STATUSES)[number];
/** a stored call's status: still going, or how it ended */
export const CALL_STATUSES = ['in_progress', ...END_STATUSES] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
/**
 * Flags for staff, written as a call's state records (POST /calls/:callId/states) that leave its live
 * state alone: EMERGENCY, she heard emergency words and told the caller to dial the emergency number;
 * CALLBACK, the booking system was down and she took a message for the front desk (the record's
 * `reason` is the message: who to call back, on which number, about what).
 */
export const CALL_FLAGS = ['EMERGENCY', 'CALLBACK'] as const;
export type CallFlag = (typeof CALL_FLAGS)[number];
export const SPEAKERS = ['caller', 'agent'] as const;
export type RecordSpeaker = (typeof SPEAKERS)[number];
export const BOOKING_STATUSES = ['booked', 'cancelled'] as const;
export type BookingStatus = (typeof BOOKING_STATUSES)[number];

export interface Slot {
  /** ISO-8601 with offset */
  startsAt: string;
  endsAt: string;
}

/**
 * What a new patient tells the front desk before the first visit (issue 17), stored with the booking
 * and shown to staff. Every field is optional: a caller may decline one (an insurance of
 * "self-pay" is an answer, not a missing one). `dateOfBirth` is also what identifies the caller
 * later, with their name (core/identity.ts).
 */
export interface PatientIntake {
  /** YYYY-MM-DD */
  dateOfBirth?: string;
  email?: string;
  /** the carrier's name, or "self-pay" */
  insurance?: string;
  /** why they are coming, in their words */
  reason?: string;
  /** how they heard of the clinic */
  referral?: string;
}
export const INTAKE_FIELDS = ['dateOfBirth', 'email', 'insurance', 'reason', 'referral'] as const;

export interface Booking {
  id: string;
  tenant: string;
  callId: string | null;
  name: string;
  phone: string;
  /** service id from the knowledge base */
  service: string;
  startsAt: string;
  endsAt: string;
  status: BookingStatus;
  priceCents?: number | null;
  /** a new patient's intake; null (or absent) when none was taken */
  intake?: PatientIntake | null;
}

export interface NewBooking {
  callId?: string;
  name: string;
  /** E.164 */
  phone: string;
  service: string;
  startsAt: string;
  intake?: PatientIntake;
}

export interface CallStart {
  callId: string;
  tenant: string;
  room: string;
  channel: Channel;
  callerIdentity: string;
  callerPhoneMasked?: string;
  startedAt: string;
  engines: { stt: string; llm: string; tts: string; mode: EngineMode };
}

export interface TurnMetricsRecord {
  sttFinalMs?: number;
  endOfTurnMs?: number;
  llmFirstTokenMs?: number;
  ttsFirstByteMs?: number;
  v2vMs?: number;
}

export interface TurnRecord {
  index: number;
  speaker: RecordSpeaker;
  text: string;
  startedAt: string;
  endedAt: string;
  interrupted: boolean;
  metrics?: TurnMetricsRecord;
}

export interface StateRecord {
  /**
   * Unique within the call, made once by the writer and sent again with every retry, so a write
   * whose answer was lost is stored once. The HTTP recorder makes one when it is absent.
   */
  id?: string;
  state: string;
  at: string;
  reason?: string;
}

export interface CallEnd {
  endedAt: string;
  status: EndStatus;
  outcome?: string;
  summary?: string;
}

export interface TenantConfig {
  tenant: string;
  agentName: string;
  voice: string;
  greeting: string;
  instructions: string;
  silenceTimeoutMs: number;
  knowledgeBase: KnowledgeBase;
}
