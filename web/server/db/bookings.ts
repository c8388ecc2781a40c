/**
 * Appointments. Free slots come from the clinic's opening hours in its own time zone, in
 * SLOT_MINUTES steps; a slot is held by at most one 'booked' row, enforced by the partial unique
 * index bookings_one_per_slot, so two calls booking the same moment get one booking and one 409.
 */
import { randomUUID } from 'node:crypto';
import { localParts, weekdayOf, zonedIso } from '@voxanne/contracts/calendar';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import type { Booking } from '@voxanne/contracts/dashboard';
import type { NewBooking, Slot } from '@voxanne/contracts/records-api';
import type { Queryable } from './db.ts';
import { iso, isUniqueViolation, num } from './db.ts';

export const SLOT_MINUTES = 30;

export type { Booking } from '@voxanne/contracts/dashboard';
export type { NewBooking, Slot } from '@voxanne/contracts/records-api';

/** A request the clinic's calendar refuses; `status` is the HTTP answer, `field` the culprit. */
export class BookingError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

function addMinutes(hhmm: string, min: number): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  const t = h * 60 + m + min;
  return `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

/** every slot of the clinic-local `date` within opening hours, taken or not */
export function slotsOn(kb: KnowledgeBase, date: string): Slot[] {
  const hours = kb.hours[weekdayOf(date)];
  if (hours === 'closed') return [];
  const tz = kb.clinic.timezone;
  const slots: Slot[] = [];
  for (let t = hours.open; addMinutes(t, SLOT_MINUTES) <= hours.close; t = addMinutes(t, SLOT_MINUTES)) {
    slots.push({ startsAt: zonedIso(date, t, tz), endsAt: zonedIso(date, addMinutes(t, SLOT_MINUTES), tz) });
  }
  return slots;
}

function service(kb: KnowledgeBase, id: string) {
  const s = kb.services.find((x) => x.id === id);
  if (!s) throw new BookingError(400, `unknown service "${id}"`, 'service');
  return s;
}

/** the slot starting at `startsAt`, or a 400 naming why it is not one */
function slotAt(kb: KnowledgeBase, startsAt: string, now: Date): Slot {
  const t = Date.parse(startsAt);
  if (Number.isNaN(t)) throw new BookingError(400, 'startsAt must be an ISO-8601 time', 'startsAt');
  const slot = slotsOn(kb, localParts(new Date(t), kb.clinic.timezone).date).find((s) => Date.parse(s.startsAt) === t);
  if (!slot) throw new BookingError(400, 'startsAt is not a slot within opening hours', 'startsAt');
  if (t <= now.getTime()) throw new BookingError(400, 'startsAt is in the past', 'startsAt');
  return slot;
}

export async function availability(
  db: Queryable,
  tenantId: string,
  kb: KnowledgeBase,
  date: string,
  serviceId: string,
  now: Date,
): Promise<Slot[]> {
  service(kb, serviceId);
  const all = slotsOn(kb, date);
  if (!all.length) return [];
  const taken = await db.query<{ starts_at: unknown }>(
    `select starts_at from bookings where tenant_id = $1 and status = 'booked' and starts_at >= $2 and starts_at < $3`,
    [tenantId, all[0]!.startsAt, all[all.length - 1]!.endsAt],
  );
  const busy = new Set(taken.map((r) => Date.parse(iso(r.starts_at)!)));
  return all.filter((s) => Date.parse(s.startsAt) > now.getTime() && !busy.has(Date.parse(s.startsAt)));
}

const COLUMNS =
  'b.id, t.slug, b.call_id, b.name, b.phone, b.service, b.starts_at, b.ends_at, b.status, b.price_cents, ' +
  'b.intake, b.created_at';

/** jsonb comes back parsed from PostgreSQL and PGlite alike; text from an older driver is parsed here */
function intakeOf(v: unknown): Booking['intake'] {
  if (v === null || v === undefined) return null;
  return (typeof v === 'string' ? JSON.parse(v) : v) as Booking['intake'];
}

function toBooking(r: Record<string, unknown>): Booking {
  return {
    id: String(r.id),
    tenant: String(r.slug),
    callId: (r.call_id as string | null) ?? null,
    name: String(r.name),
    phone: String(r.phone),
    service: String(r.service),
    startsAt: iso(r.starts_at)!,
    endsAt: iso(r.ends_at)!,
    status: r.status as Booking['status'],
    priceCents: num(r.price_cents),
    intake: intakeOf(r.intake),
    createdAt: iso(r.created_at)!,
  };
}

async function one(db: Queryable, tenantId: string, id: string): Promise<Booking | undefined> {
  const [r] = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from bookings b join tenants t on t.id = b.tenant_id where b.id = $1 and b.tenant_id = $2`,
    [id, tenantId],
  );
  return r && toBooking(r);
}

export async function book(
  db: Queryable,
  tenantId: string,
  kb: KnowledgeBase,
  b: NewBooking,
  now: Date,
): Promise<Booking> {
  const s = service(kb, b.service);
  const slot = slotAt(kb, b.startsAt, now);
  const id = `bk_${randomUUID()}`;
  try {
    await db.query(
      `insert into bookings (id, tenant_id, call_id, name, phone, service, starts_at, ends_at, status, price_cents,
         intake)
       values ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $10)`,
      // the price the clinic can promise is the bottom of the service's range
      [
        id,
        tenantId,
        b.callId ?? null,
        b.name,
        b.phone,
        s.id,
        slot.startsAt,
        slot.endsAt,
        s.price.min * 100,
        b.intake && Object.keys(b.intake).length ? JSON.stringify(b.intake) : null,
      ],
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw new BookingError(409, 'slot taken');
    throw err;
  }
  return (await one(db, tenantId, id))!;
}

export async function reschedule(
  db: Queryable,
  tenantId: string,
  kb: KnowledgeBase,
  id: string,
  startsAt: string,
  now: Date,
): Promise<Booking> {
  const current = await one(db, tenantId, id);
  if (!current) throw new BookingError(404, `no booking "${id}"`);
  if (current.status !== 'booked') throw new BookingError(409, 'booking is cancelled');
  const slot = slotAt(kb, startsAt, now);
  try {
    await db.query('update bookings set starts_at = $3, ends_at = $4 where id = $1 and tenant_id = $2', [
      id,
      tenantId,
      slot.startsAt,
      slot.endsAt,
    ]);
  } catch (err) {
    if (isUniqueViolation(err)) throw new BookingError(409, 'slot taken');
    throw err;
  }
  return (await one(db, tenantId, id))!;
}

export async function cancel(db: Queryable, tenantId: string, id: string): Promise<Booking> {
  const rows = await db.query(
    `update bookings set status = 'cancelled' where id = $1 and tenant_id = $2 returning id`,
    [id, tenantId],
  );
  if (!rows.length) throw new BookingError(404, `no booking "${id}"`);
  return (await one(db, tenantId, id))!;
}

/** upcoming, not cancelled, for one phone number */
export async function bookingsByPhone(db: Queryable, tenantId: string, phone: string, now: Date): Promise<Booking[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from bookings b join tenants t on t.id = b.tenant_id
     where b.tenant_id = $1 and b.phone = $2 and b.status = 'booked' and b.starts_at > $3 order by b.starts_at`,
    [tenantId, phone, now.toISOString()],
  );
  return rows.map(toBooking);
}

export async function bookingsOfCall(db: Queryable, tenantId: string, callId: string): Promise<Booking[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from bookings b join tenants t on t.id = b.tenant_id where ` +
      `b.tenant_id = $1 and b.call_id = $2 order by b.starts_at`,
    [tenantId, callId],
  );
  return rows.map(toBooking);
}

export async function listBookings(
  db: Queryable,
  tenantId: string,
  f: { from?: string | undefined; to?: string | undefined; status?: string | undefined },
): Promise<Booking[]> {
  const where = ['b.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  if (f.from) where.push(`b.starts_at >= $${params.push(f.from)}`);
  if (f.to) where.push(`b.starts_at < $${params.push(f.to)}`);
  if (f.status) where.push(`b.status = $${params.push(f.status)}`);
  const rows = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from bookings b join tenants t on t.id = b.tenant_id where ` +
      `${where.join(' and ')} order by b.starts_at limit 500`,
    params,
  );
  return rows.map(toBooking);
}
