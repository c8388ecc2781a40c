/**
 * The agent's ports onto the records (web/server/RECORDS-API.md). The shapes on the wire are the
 * contract, declared once in @voxanne/contracts/records-api and re-exported here for the agent's
 * callers. Two interfaces so a call can record itself without knowing about bookings and the
 * booking tools can run without a call recorder.
 */
import type {
  Booking,
  CallEnd,
  CallStart,
  NewBooking,
  Slot,
  StateRecord,
  TurnRecord,
} from '@voxanne/contracts/records-api';

// every wire shape, for the agent's callers
export type * from '@voxanne/contracts/records-api';

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
  /** writes queued, not yet delivered (a recorder without a queue has none) */
  readonly pending?: number;
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
