/**
 * The booking tools' BookingStore over a clinic's FHIR R4 server: free Slots of the service's
 * Schedule, an Appointment (status booked; the Patient and the Schedule's Practitioner as
 * participants) on one of them, moved and cancelled, and the Patient found or created by name and
 * birth date (or name and phone). Where the server's CapabilityStatement offers the IHE ITI
 * Scheduling operations it uses them (Appointment/$find for availability, $hold then $book to
 * book, $book to move or cancel); otherwise plain search, create and versioned update.
 *
 * A slot someone else took between the offer and the write (409, or 412 on the Slot's version)
 * is a SlotTakenError, which the booking tools answer with fresh times: the slot is claimed by a
 * versioned update before the Appointment is created, so two callers never hold one slot.
 */
import { randomUUID } from 'node:crypto';
import { addDaysToDate, zonedIso } from '../../core/text/calendar.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import {
  type Booking,
  type BookingStore,
  type NewBooking,
  NotFoundError,
  type Slot,
  SlotTakenError,
} from '../types.ts';
import type { FhirClient } from './client.ts';
import { FhirError } from './errors.ts';
import {
  BOOKING_ID_SYSTEM,
  type Bundle,
  type FhirAppointment,
  type FhirPatient,
  type FhirSchedule,
  type FhirSlot,
  humanName,
  iheOperations,
  matches,
  type Parameters,
  participantOf,
  type Reference,
  SERVICE_SYSTEM,
  serviceOf,
  serviceType,
  toBooking,
  toSlot,
} from './resources.ts';

export interface FhirStoreOptions {
  client: FhirClient;
  kb: KnowledgeBase;
  tenant: string;
  /** service id → Schedule id; a service without one is looked up by Schedule service-type */
  schedules: Record<string, string>;
  now: () => Date;
}

/** what availability() offered, so the write uses the same Slot (or proposed Appointment) */
type Offer = { slot: FhirSlot } | { proposed: FhirAppointment };

const isConflict = (err: unknown) => err instanceof FhirError && (err.status === 409 || err.status === 412);

export class FhirBookingStore implements BookingStore {
  readonly #schedules = new Map<string, Promise<FhirSchedule | undefined>>();
  readonly #offers = new Map<string, Offer>();
  readonly #patients = new Map<string, FhirPatient>();

  constructor(private readonly o: FhirStoreOptions) {}

  async #mode(): Promise<'ihe' | 'rest'> {
    const ops = iheOperations(await this.o.client.capabilities());
    return ops.find && ops.book ? 'ihe' : 'rest';
  }

  async #holdSupported(): Promise<boolean> {
    return iheOperations(await this.o.client.capabilities()).hold;
  }

  #schedule(service: string): Promise<FhirSchedule | undefined> {
    let s = this.#schedules.get(service);
    if (!s) {
      const id = this.o.schedules[service];
      s = id
        ? this.o.client.read<FhirSchedule>('Schedule', id).then((r) => r.body)
        : this.o.client
            .search<FhirSchedule>('Schedule', { 'service-type': `${SERVICE_SYSTEM}|${service}`, active: 'true' })
            .then((b) => matches<FhirSchedule>(b, 'Schedule')[0]);
      s.catch(() => this.#schedules.delete(service));
      this.#schedules.set(service, s);
    }
    return s;
  }

  async #scheduleOrFail(service: string): Promise<FhirSchedule> {
    const s = await this.#schedule(service);
    if (!s) throw new FhirError(`no FHIR Schedule for service "${service}" (scheduling.fhir.schedules)`, 400);
    return s;
  }

  /** the Schedule's Practitioner (or PractitionerRole, Location…): who the appointment is with */
  #actors(s: FhirSchedule): Reference[] {
    return s.actor.filter((a) => !a.reference.startsWith('Patient/'));
  }

  #window(date: string, endDate = addDaysToDate(date, 1)): { start: string; end: string } {
    const tz = this.o.kb.clinic.timezone;
    return { start: zonedIso(date, '00:00', tz), end: zonedIso(endDate, '00:00', tz) };
  }

  async availability(date: string, service: string): Promise<Slot[]> {
    const schedule = await this.#scheduleOrFail(service);
    const w = this.#window(date);
    const nowMs = this.o.now().getTime();
    const offers = (await this.#mode()) === 'ihe' ? await this.#find(schedule, w) : await this.#freeSlots(schedule, w);
    const out: Slot[] = [];
    for (const offer of offers) {
      const r = 'slot' in offer ? offer.slot : offer.proposed;
      if (!r.start || !r.end || Date.parse(r.start) <= nowMs) continue;
      this.#offers.set(`${service}|${Date.parse(r.start)}`, offer);
      out.push(toSlot(r));
    }
    return out.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  }

  /** free Slots in the window, every page */
  async #freeSlots(schedule: FhirSchedule, w: { start: string; end: string }): Promise<Offer[]> {
    let bundle: Bundle<FhirSlot> = await this.o.client.search<FhirSlot>('Slot', {
      schedule: `Schedule/${schedule.id}`,
      start: [`ge${w.start}`, `lt${w.end}`],
      status: 'free',
      _sort: 'start',
      _count: '100',
    });
    const slots = matches<FhirSlot>(bundle, 'Slot');
    for (let page = 0; page < 20; page++) {
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      if (!next) break;
      // the server's own paging link, relative to the base it gave
      const path = next.startsWith(this.o.client.base) ? next.slice(this.o.client.base.length + 1) : next;
      bundle = (await this.o.client.request<Bundle<FhirSlot>>('GET', path)).body;
      slots.push(...matches<FhirSlot>(bundle, 'Slot'));
    }
    return slots.filter((s) => s.status === 'free').map((slot) => ({ slot }));
  }

  /** IHE $find: proposed Appointments with the Schedule's Practitioner in the window */
  async #find(schedule: FhirSchedule, w: { start: string; end: string }): Promise<Offer[]> {
    const practitioner = this.#actors(schedule).find((a) => a.reference.startsWith('Practitioner/'));
    const q = new URLSearchParams({ start: w.start, end: w.end });
    if (practitioner) q.set('practitioner', practitioner.reference);
    const r = await this.o.client.request<Bundle<FhirAppointment>>('GET', `Appointment/$find?${q}`);
    return matches<FhirAppointment>(r.body, 'Appointment').map((proposed) => ({ proposed }));
  }

  async #offer(service: string, startsAt: string): Promise<Offer> {
    const known = this.#offers.get(`${service}|${Date.parse(startsAt)}`);
    if (known) return known;
    // not offered on this call (a model passing a time it remembered): ask for exactly that start
    const date = startsAt.slice(0, 10);
    await this.availability(date, service);
    const found = this.#offers.get(`${service}|${Date.parse(startsAt)}`);
    if (!found) throw new SlotTakenError('that time is not free');
    return found;
  }

  async #patient(name: string, phone: string, birthDate: string | undefined): Promise<FhirPatient> {
    const key = `${name.toLowerCase()}|${phone}|${birthDate ?? ''}`;
    const cached = this.#patients.get(key);
    if (cached) return cached;
    const params: Record<string, string> = birthDate ? { name, birthdate: birthDate } : { name, telecom: phone };
    const found = matches<FhirPatient>(await this.o.client.search<FhirPatient>('Patient', params), 'Patient');
    // several people of one name and birth date: the one with this phone, else the first
    let p = found.find((x) => x.telecom?.some((t) => t.value === phone)) ?? found[0];
    p ??= (
      await this.o.client.create<FhirPatient>({
        resourceType: 'Patient',
        name: [humanName(name)],
        telecom: [{ system: 'phone', value: phone, use: 'mobile' }],
        ...(birthDate ? { birthDate } : {}),
      })
    ).body;
    this.#patients.set(key, p);
    return p;
  }

  async book(b: NewBooking & { birthDate?: string }): Promise<Booking> {
    const schedule = await this.#scheduleOrFail(b.service);
    const offer = await this.#offer(b.service, b.startsAt);
    // the date of birth a new patient's intake carries (issue 17 intake), or a caller's given one
    const birthDate = b.birthDate ?? (b as { intake?: { dateOfBirth?: string } }).intake?.dateOfBirth;
    const patient = await this.#patient(b.name, b.phone, birthDate);
    const participant: FhirAppointment['participant'] = [
      { actor: { reference: `Patient/${patient.id}`, display: b.name }, required: 'required', status: 'accepted' },
      ...this.#actors(schedule).map((actor) => ({ actor, required: 'required' as const, status: 'accepted' as const })),
    ];
    const identifier = [{ system: BOOKING_ID_SYSTEM, value: randomUUID() }];
    let appt: FhirAppointment;
    try {
      appt =
        'proposed' in offer
          ? await this.#bookIhe(offer.proposed, { participant, identifier, serviceType: serviceType(b.service) })
          : await this.#bookRest(offer.slot, { participant, identifier, serviceType: serviceType(b.service) });
    } catch (err) {
      if (isConflict(err)) throw new SlotTakenError();
      throw err;
    } finally {
      // an offer is good for one write: after it, the slot is ours or someone else's
      this.#offers.delete(`${b.service}|${Date.parse(b.startsAt)}`);
    }
    return { ...toBooking(appt, patient, this.o.tenant), service: b.service, callId: b.callId ?? null };
  }

  async #bookIhe(proposed: FhirAppointment, extra: Partial<FhirAppointment>): Promise<FhirAppointment> {
    const participant = [
      ...extra.participant!,
      ...proposed.participant.filter((p) => !extra.participant!.some((x) => x.actor.reference === p.actor.reference)),
    ];
    let pending: FhirAppointment = { ...proposed, ...extra, participant, status: 'pending' };
    delete pending.id;
    if (await this.#holdSupported()) {
      pending = (await this.o.client.operation<FhirAppointment>('Appointment/$hold', params(pending))).body;
    }
    return bookedOf((await this.o.client.operation<unknown>('Appointment/$book', params(pending))).body);
  }

  async #bookRest(slot: FhirSlot, extra: Partial<FhirAppointment>): Promise<FhirAppointment> {
    // claim the slot first, at the version we read: a 412 here means someone else was quicker
    const read = await this.o.client.read<FhirSlot>('Slot', slot.id!);
    if (read.body.status !== 'free') throw new SlotTakenError();
    const claimed = await this.o.client.update<FhirSlot>({ ...read.body, status: 'busy' }, read.etag);
    try {
      const created = await this.o.client.create<FhirAppointment>(
        {
          resourceType: 'Appointment',
          status: 'booked',
          start: slot.start,
          end: slot.end,
          slot: [{ reference: `Slot/${slot.id}` }],
          ...extra,
          participant: extra.participant!,
        },
        { ifNoneExist: `identifier=${BOOKING_ID_SYSTEM}|${extra.identifier![0]!.value}` },
      );
      return created.body;
    } catch (err) {
      await this.#release(claimed.body);
      throw err;
    }
  }

  /** the slot back to free; a failure here leaves it busy, which double-books nobody */
  async #release(slot: FhirSlot): Promise<void> {
    try {
      const cur = await this.o.client.read<FhirSlot>('Slot', slot.id!);
      if (cur.body.status !== 'free') await this.o.client.update<FhirSlot>({ ...cur.body, status: 'free' }, cur.etag);
    } catch {
      // deliberately ignored: the EHR's staff see a busy slot without an appointment, never two appointments
    }
  }

  async findByPhone(phone: string): Promise<Booking[]> {
    const patients = matches<FhirPatient>(
      await this.o.client.search<FhirPatient>('Patient', { telecom: phone }),
      'Patient',
    );
    const now = this.o.now().toISOString();
    const out: Booking[] = [];
    for (const p of patients) {
      const b = await this.o.client.search<FhirAppointment>('Appointment', {
        patient: `Patient/${p.id}`,
        date: `ge${now}`,
        status: 'booked',
        _sort: 'date',
      });
      for (const a of matches<FhirAppointment>(b, 'Appointment')) out.push(toBooking(a, p, this.o.tenant));
    }
    return out.sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  }

  async #appointment(id: string): Promise<{ appt: FhirAppointment; etag: string | undefined; patient?: FhirPatient }> {
    let r;
    try {
      r = await this.o.client.read<FhirAppointment>('Appointment', id);
    } catch (err) {
      if (err instanceof FhirError && (err.status === 404 || err.status === 410))
        throw new NotFoundError(`no appointment ${id}`);
      throw err;
    }
    if (r.body.status === 'cancelled') throw new NotFoundError(`appointment ${id} is cancelled`);
    const pid = participantOf(r.body, 'Patient');
    const patient = pid
      ? (await this.o.client.read<FhirPatient>('Patient', pid).catch(() => undefined))?.body
      : undefined;
    return { appt: r.body, etag: r.etag, ...(patient ? { patient } : {}) };
  }

  async reschedule(id: string, startsAt: string): Promise<Booking> {
    const { appt, etag, patient } = await this.#appointment(id);
    const service = serviceOf(appt);
    if (!service) throw new FhirError(`Appointment/${id} has no service Voxanne knows`, 400);
    const offer = await this.#offer(service, startsAt);
    let moved: FhirAppointment;
    try {
      if ('proposed' in offer) {
        const p = offer.proposed;
        moved = bookedOf(
          (
            await this.o.client.operation<unknown>(
              'Appointment/$book',
              params({ ...appt, start: p.start!, end: p.end!, slot: p.slot ?? [], status: 'booked' }),
            )
          ).body,
        );
      } else {
        const read = await this.o.client.read<FhirSlot>('Slot', offer.slot.id!);
        if (read.body.status !== 'free') throw new SlotTakenError();
        const claimed = await this.o.client.update<FhirSlot>({ ...read.body, status: 'busy' }, read.etag);
        try {
          moved = (
            await this.o.client.update<FhirAppointment>(
              { ...appt, start: offer.slot.start, end: offer.slot.end, slot: [{ reference: `Slot/${offer.slot.id}` }] },
              etag,
            )
          ).body;
        } catch (err) {
          await this.#release(claimed.body);
          throw err;
        }
        for (const ref of appt.slot ?? []) await this.#release({ id: ref.reference.split('/').pop()! } as FhirSlot);
      }
    } catch (err) {
      if (isConflict(err)) throw new SlotTakenError();
      throw err;
    } finally {
      this.#offers.delete(`${service}|${Date.parse(startsAt)}`);
    }
    return toBooking(moved, patient, this.o.tenant);
  }

  async cancel(id: string): Promise<Booking> {
    const { appt, etag, patient } = await this.#appointment(id);
    let cancelled: FhirAppointment;
    if ((await this.#mode()) === 'ihe') {
      cancelled = bookedOf(
        (await this.o.client.operation<unknown>('Appointment/$book', params({ ...appt, status: 'cancelled' }))).body,
      );
    } else {
      try {
        cancelled = (await this.o.client.update<FhirAppointment>({ ...appt, status: 'cancelled' }, etag)).body;
      } catch (err) {
        if (!(err instanceof FhirError && err.status === 412)) throw err;
        // changed meanwhile (a staff note, a reminder flag): cancel the current version
        const again = await this.#appointment(id);
        cancelled = (await this.o.client.update<FhirAppointment>({ ...again.appt, status: 'cancelled' }, again.etag))
          .body;
      }
      for (const ref of appt.slot ?? []) await this.#release({ id: ref.reference.split('/').pop()! } as FhirSlot);
    }
    return toBooking(cancelled, patient, this.o.tenant);
  }
}

function params(appointment: FhirAppointment): Parameters {
  return { resourceType: 'Parameters', parameter: [{ name: 'appointment-resource', resource: appointment }] };
}

/** $book answers with the Appointment itself or a Bundle holding it */
function bookedOf(body: unknown): FhirAppointment {
  const r = body as FhirAppointment | Bundle;
  if (r?.resourceType === 'Appointment') return r;
  const a = (r as Bundle)?.entry?.map((e) => e.resource).find((x) => x?.resourceType === 'Appointment');
  if (!a) throw new FhirError('$book answered without an Appointment', 502);
  return a as FhirAppointment;
}
