/**
 * What the agent reads and writes about calls and bookings, shaped as the web server's internal
 * API (web/server/RECORDS-API.md) has them. Two interfaces so a call can record itself without
 * knowing about bookings and the booking tools can run without a call recorder.
 */
import type { KnowledgeBase } from '../knowledge/schema.ts';

export interface Slot {
  /** ISO-8601 with offset */
  startsAt: string;
  endsAt: string;
}

export const BOOKING_STATUSES = ['booked', 'cancelled'] as const;

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
  status: (typeof BOOKING_STATUSES)[number];
  priceCents?: number | null;
}

export interface NewBooking {
  callId?: string;
  name: string;
  /** E.164 */
  phone: string;
  service: string;
  startsAt: string;
}

export interface BookingStore {
  /** free slots on the clinic-local `date` (YYYY-MM-DD) for `service`, within opening hours */
  availability(date: string, service: string): Promise<Slot[]>;
  /** rejects with SlotTakenError when the slot is gone */
  book(b: NewBooking): Promise<Booking>;
  /** upcoming, not cancelled */
  findByPhone(phone: string): Promise<Booking[]>;
  reschedule(id: string, startsAt: string): Promise<Booking>;
  cancel(id: string): Promise<Booking>;
}

export const CHANNELS = ['web', 'sip', 'twilio'] as const;
export const CALL_STATUSES = ['completed', 'abandoned', 'failed', 'transferred'] as const;

export interface CallStart {
  callId: string;
  tenant: string;
  room: string;
  channel: (typeof CHANNELS)[number];
  callerIdentity: string;
  callerPhoneMasked?: string;
  startedAt: string;
  engines: { stt: string; llm: string; tts: string; mode: 'cloud' | 'offline' | 'fallback' };
}

export interface TurnRecord {
  index: number;
  speaker: 'caller' | 'agent';
  text: string;
  startedAt: string;
  endedAt: string;
  interrupted: boolean;
  metrics?: { sttFinalMs?: number; endOfTurnMs?: number; llmFirstTokenMs?: number; ttsFirstByteMs?: number; v2vMs?: number };
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
  status: (typeof CALL_STATUSES)[number];
  outcome?: string;
  summary?: string;
}

/**
 * Writes one call as it happens. The writes never block the conversation: they are queued and
 * delivered in order; flush() waits (bounded) for the queue to empty at the end of the call.
 */
export interface CallRecorder {
  start(call: CallStart): void;
  turn(callId: string, t: TurnRecord): void;
  state(callId: string, s: StateRecord): void;
  end(callId: string, e: CallEnd): void;
  /** resolves with the number of writes still undelivered when it gave up (0: everything landed) */
  flush(timeoutMs?: number): Promise<number>;
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

export class RecordsError extends Error {
  override name = 'RecordsError';
  constructor(
    message: string,
    /** HTTP status, or undefined when the server could not be reached */
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly field?: string,
  ) {
    super(message);
  }
}

export class SlotTakenError extends RecordsError {
  override name = 'SlotTakenError';
  constructor(message = 'slot taken') {
    super(message, 409, false);
  }
}

export class NotFoundError extends RecordsError {
  override name = 'NotFoundError';
  constructor(message: string) {
    super(message, 404, false);
  }
}
