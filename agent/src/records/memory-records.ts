/**
 * Bookings and call records in memory, for unit tests and the naturalness suite: the same
 * behaviour as the web server's internal API (free slots within opening hours, one booking per
 * slot, upcoming bookings by phone), with everything written kept for assertions.
 */
import { localParts, weekdayOf, zonedIso } from '../core/text/calendar.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import {
  type Booking,
  type BookingStore,
  type CallEnd,
  type CallRecorder,
  type CallStart,
  type NewBooking,
  NotFoundError,
  RecordsError,
  type Slot,
  SlotTakenError,
  type StateRecord,
  type TurnRecord,
} from './types.ts';

/** slot length, as the web server has it (web/server/db/bookings.ts) */
export const SLOT_MINUTES = 30;

export interface MemoryCall {
  start: CallStart;
  turns: TurnRecord[];
  states: StateRecord[];
  end?: CallEnd;
}

function addMinutes(hhmm: string, min: number): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const t = h * 60 + m + min;
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

export class MemoryRecords implements BookingStore, CallRecorder {
  readonly bookings: Booking[] = [];
  readonly calls = new Map<string, MemoryCall>();
  #seq = 0;

  constructor(
    private readonly kb: KnowledgeBase,
    private readonly now: () => Date = () => new Date(),
    readonly tenant = kb.clinic.id,
  ) {}

  /** every slot of the day within opening hours, taken or not */
  slotsOn(date: string): Slot[] {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
      throw new RecordsError(`date must be YYYY-MM-DD, got "${date}"`, 400, false, 'date');
    const hours = this.kb.hours[weekdayOf(date)];
    if (hours === 'closed') return [];
    const tz = this.kb.clinic.timezone;
    const slots: Slot[] = [];
    for (let t = hours.open; addMinutes(t, SLOT_MINUTES) <= hours.close; t = addMinutes(t, SLOT_MINUTES)) {
      slots.push({ startsAt: zonedIso(date, t, tz), endsAt: zonedIso(date, addMinutes(t, SLOT_MINUTES), tz) });
    }
    return slots;
  }

  #taken(startsAt: string, except?: string): boolean {
    const t = Date.parse(startsAt);
    return this.bookings.some((b) => b.status === 'booked' && b.id !== except && Date.parse(b.startsAt) === t);
  }

  #service(id: string) {
    const s = this.kb.services.find((x) => x.id === id);
    if (!s) throw new RecordsError(`unknown service "${id}"`, 400, false, 'service');
    return s;
  }

  #slotFor(startsAt: string): Slot {
    const t = Date.parse(startsAt);
    if (Number.isNaN(t)) throw new RecordsError(`startsAt is not an ISO time: "${startsAt}"`, 400, false, 'startsAt');
    const date = localParts(new Date(t), this.kb.clinic.timezone).date;
    const slot = this.slotsOn(date).find((s) => Date.parse(s.startsAt) === t);
    if (!slot) throw new RecordsError('startsAt is not a slot within opening hours', 400, false, 'startsAt');
    if (t < this.now().getTime()) throw new RecordsError('startsAt is in the past', 400, false, 'startsAt');
    return slot;
  }

  async availability(date: string, service: string): Promise<Slot[]> {
    this.#service(service);
    const now = this.now().getTime();
    return this.slotsOn(date).filter((s) => Date.parse(s.startsAt) > now && !this.#taken(s.startsAt));
  }

  async book(b: NewBooking): Promise<Booking> {
    const s = this.#service(b.service);
    const slot = this.#slotFor(b.startsAt);
    if (this.#taken(slot.startsAt)) throw new SlotTakenError();
    const booking: Booking = {
      id: `bk_${++this.#seq}`,
      tenant: this.tenant,
      callId: b.callId ?? null,
      name: b.name,
      phone: b.phone,
      service: s.id,
      startsAt: slot.startsAt,
      endsAt: slot.endsAt,
      status: 'booked',
      priceCents: s.price.min === s.price.max ? s.price.min * 100 : null,
      intake: b.intake && Object.keys(b.intake).length ? { ...b.intake } : null,
    };
    this.bookings.push(booking);
    return { ...booking };
  }

  async findByPhone(phone: string): Promise<Booking[]> {
    const now = this.now().getTime();
    return this.bookings
      .filter((b) => b.phone === phone && b.status === 'booked' && Date.parse(b.startsAt) > now)
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
      .map((b) => ({ ...b }));
  }

  #get(id: string): Booking {
    const b = this.bookings.find((x) => x.id === id);
    if (!b) throw new NotFoundError(`no booking "${id}"`);
    return b;
  }

  async reschedule(id: string, startsAt: string): Promise<Booking> {
    const b = this.#get(id);
    const slot = this.#slotFor(startsAt);
    if (this.#taken(slot.startsAt, id)) throw new SlotTakenError();
    b.startsAt = slot.startsAt;
    b.endsAt = slot.endsAt;
    return { ...b };
  }

  async cancel(id: string): Promise<Booking> {
    const b = this.#get(id);
    b.status = 'cancelled';
    return { ...b };
  }

  start(call: CallStart): void {
    if (!this.calls.has(call.callId)) this.calls.set(call.callId, { start: call, turns: [], states: [] });
  }

  #call(id: string): MemoryCall {
    const c = this.calls.get(id);
    if (!c) throw new NotFoundError(`no call "${id}"`);
    return c;
  }

  turn(callId: string, t: TurnRecord): void {
    const c = this.#call(callId);
    if (!c.turns.some((x) => x.index === t.index && x.speaker === t.speaker)) c.turns.push(t);
  }

  state(callId: string, s: StateRecord): void {
    this.#call(callId).states.push(s);
  }

  end(callId: string, e: CallEnd): void {
    this.#call(callId).end = e;
  }

  async flush(): Promise<number> {
    return 0;
  }
}
