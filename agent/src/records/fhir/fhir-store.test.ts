/**
 * The FHIR scheduling adapter against the fake FHIR R4 server (test/fakes/fhir), in both of the
 * server's modes: plain REST (search, create, versioned update) and the IHE ITI Scheduling
 * operations ($find, $hold, $book) declared in its CapabilityStatement. In process, no stack.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'vitest';
import { FakeFhirServer } from '../../../../test/fakes/fhir/fake-fhir.ts';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import { runBookingTool } from '../booking-tools.ts';
import { SlotTakenError } from '../types.ts';
import { FhirClient } from './client.ts';
import { FhirBookingStore } from './fhir-store.ts';

const kb = await loadKnowledgeBase();
// Monday 2026-03-02, 09:00 in San Diego
const now = () => new Date('2026-03-02T17:00:00Z');
const TUE = ['09:00', '09:30', '10:00', '10:30'].map((t) => `2026-03-03T${t}:00-08:00`);

let fake: FakeFhirServer;

function storeFor(f: FakeFhirServer, timeoutMs = 2000): FhirBookingStore {
  return new FhirBookingStore({
    client: new FhirClient({ baseUrl: f.baseUrl, timeoutMs }),
    kb,
    tenant: 'riverside',
    schedules: { consultation: 'dr-lee' },
    now,
  });
}

const booking = (startsAt: string, name = 'Sarah Jones', phone = '+16195550100') => ({
  callId: 'call-1',
  name,
  phone,
  service: 'consultation',
  startsAt,
});

for (const mode of ['rest', 'ihe'] as const) {
  describe(`FHIR scheduling, ${mode === 'ihe' ? 'IHE $find/$hold/$book' : 'plain REST'}`, () => {
    beforeEach(async () => {
      fake = new FakeFhirServer({ ihe: mode === 'ihe' });
      await fake.start();
      fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', service: 'consultation', starts: TUE });
    });
    afterEach(() => fake.stop());

    test('finds the free slots of the service’s Schedule on the clinic’s day', async () => {
      fake.takeSlot(TUE[1]!);
      const slots = await storeFor(fake).availability('2026-03-03', 'consultation');
      assert.deepEqual(
        slots.map((s) => s.startsAt),
        [TUE[0], TUE[2], TUE[3]],
      );
      assert.equal(slots[0]!.endsAt, '2026-03-03T09:30:00-08:00');
      const paths = fake.seen.map((r) => `${r.method} ${r.path.split('?')[0]}`);
      if (mode === 'ihe') assert.ok(paths.includes('GET /Appointment/$find'), paths.join(', '));
      else assert.ok(paths.includes('GET /Slot') && !paths.some((p) => p.includes('$')), paths.join(', '));
    });

    test('books an Appointment: status booked, the Patient (found or created) and the Practitioner', async () => {
      const store = storeFor(fake);
      await store.availability('2026-03-03', 'consultation');
      const b = await store.book({ ...booking(TUE[2]!), birthDate: '1990-04-12' });
      assert.equal(b.status, 'booked');
      assert.equal(b.startsAt, TUE[2]);
      assert.equal(b.name, 'Sarah Jones');
      assert.equal(b.phone, '+16195550100');
      assert.equal(b.service, 'consultation');
      assert.equal(b.callId, 'call-1');
      const appt = fake.get('Appointment', b.id)!;
      assert.equal(appt.status, 'booked');
      const refs = appt.participant.map((p) => p.actor.reference).sort();
      const patients = fake.all('Patient');
      assert.equal(patients.length, 1);
      assert.deepEqual(refs, [`Patient/${patients[0]!.id}`, 'Practitioner/lee']);
      assert.equal(patients[0]!.birthDate, '1990-04-12');
      assert.deepEqual(patients[0]!.name?.[0], { text: 'Sarah Jones', family: 'Jones', given: ['Sarah'] });
      const slot = fake.all('Slot').find((s) => s.start === TUE[2])!;
      assert.equal(slot.status, 'busy');
      assert.equal(fake.holdersOf(slot.id).length, 1);
      if (mode === 'ihe') {
        const ops = fake.seen.filter((r) => r.path.includes('$')).map((r) => r.path.split('?')[0]);
        assert.deepEqual(ops, ['/Appointment/$find', '/Appointment/$hold', '/Appointment/$book']);
      }

      // the same person again, by name and birth date, in a new call: found, not created twice
      const again = storeFor(fake);
      await again.availability('2026-03-03', 'consultation');
      await again.book({ ...booking(TUE[3]!), birthDate: '1990-04-12' });
      assert.equal(fake.all('Patient').length, 1);
    });

    test('finds by phone, reschedules (old slot freed) and cancels (slot freed)', async () => {
      const store = storeFor(fake);
      await store.availability('2026-03-03', 'consultation');
      const b = await store.book(booking(TUE[0]!));
      const found = await storeFor(fake).findByPhone('+16195550100');
      assert.deepEqual(
        found.map((x) => [x.id, x.startsAt, x.service, x.name]),
        [[b.id, TUE[0], 'consultation', 'Sarah Jones']],
      );
      const mover = storeFor(fake);
      await mover.availability('2026-03-03', 'consultation');
      const moved = await mover.reschedule(b.id, TUE[3]!);
      assert.equal(moved.id, b.id);
      assert.equal(moved.startsAt, TUE[3]);
      const slotAt = (start: string) => fake.all('Slot').find((s) => s.start === start)!;
      assert.equal(slotAt(TUE[0]!).status, 'free');
      assert.equal(slotAt(TUE[3]!).status, 'busy');
      assert.equal(fake.get('Appointment', b.id)!.start, TUE[3]);

      const cancelled = await storeFor(fake).cancel(b.id);
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(fake.get('Appointment', b.id)!.status, 'cancelled');
      assert.equal(slotAt(TUE[3]!).status, 'free');
      assert.deepEqual(await storeFor(fake).findByPhone('+16195550100'), []);
    });

    test('a slot taken between find and book: slot_taken with fresh times, never a double booking', async () => {
      const store = storeFor(fake);
      await store.availability('2026-03-03', 'consultation');
      fake.stealBeforeWrite(TUE[2]!);
      await assert.rejects(store.book(booking(TUE[2]!)), SlotTakenError);
      const slot = fake.all('Slot').find((s) => s.start === TUE[2])!;
      assert.equal(fake.holdersOf(slot.id).length, 1, 'only the other patient holds it');
      assert.ok(fake.holdersOf(slot.id)[0]!.participant.some((p) => p.actor.reference === 'Patient/someone-else'));
      const fresh = await store.availability('2026-03-03', 'consultation');
      assert.ok(!fresh.some((s) => s.startsAt === TUE[2]), 'the taken time is not offered again');
      assert.ok(fresh.length > 0);
    });

    test('two callers on one slot at once: exactly one Appointment holds it', async () => {
      const a = storeFor(fake);
      const b = storeFor(fake);
      await Promise.all([a.availability('2026-03-03', 'consultation'), b.availability('2026-03-03', 'consultation')]);
      const results = await Promise.allSettled([
        a.book(booking(TUE[1]!, 'Ann Lee', '+16195550101')),
        b.book(booking(TUE[1]!, 'Bob Ray', '+16195550102')),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected')!;
      assert.ok(rejected.reason instanceof SlotTakenError, String(rejected.reason));
      const slot = fake.all('Slot').find((s) => s.start === TUE[1])!;
      assert.equal(fake.holdersOf(slot.id).length, 1);
    });

    test('the server down, or too slow: the booking tools say unavailable (a message, not a guess)', async () => {
      const ctx = (store: FhirBookingStore) => ({
        kb,
        store,
        callId: 'c',
        now,
        lastCallerText: () => 'yes please',
      });
      fake.down = true;
      const down = await runBookingTool(
        'check_availability',
        { service: 'consultation', date: '2026-03-03' },
        ctx(storeFor(fake)),
      );
      assert.deepEqual([down.ok, !down.ok && down.error], [false, 'unavailable']);
      fake.down = false;
      fake.latencyMs = 400;
      const slow = await runBookingTool(
        'check_availability',
        { service: 'consultation', date: '2026-03-03' },
        ctx(storeFor(fake, 150)),
      );
      assert.deepEqual([slow.ok, !slow.ok && slow.error], [false, 'unavailable']);
    });
  });
}

describe('FHIR scheduling, plain REST details', () => {
  beforeEach(async () => {
    fake = new FakeFhirServer();
    await fake.start();
  });
  afterEach(() => fake.stop());

  test('every page of a long day is read (the Bundle’s next links)', async () => {
    const starts = Array.from({ length: 130 }, (_, i) =>
      new Date(Date.parse('2026-03-03T08:00:00-08:00') + i * 5 * 60_000).toISOString(),
    );
    fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts, minutes: 5 });
    const slots = await storeFor(fake).availability('2026-03-03', 'consultation');
    assert.equal(slots.length, 130);
    assert.ok(fake.seen.filter((r) => r.path.startsWith('/Slot')).length >= 2);
  });

  test('a new patient’s intake date of birth finds the Patient by name and birth date', async () => {
    fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: TUE });
    fake.put({
      resourceType: 'Patient',
      id: 'known',
      name: [{ given: ['Sarah'], family: 'Jones' }],
      birthDate: '1990-04-12',
      telecom: [{ system: 'phone', value: '+16195550999' }],
    });
    const store = storeFor(fake);
    await store.availability('2026-03-03', 'consultation');
    // the booking tools' intake (new-patient questions) carries the date of birth
    const withIntake = { ...booking(TUE[1]!), intake: { dateOfBirth: '1990-04-12' } };
    const b = await store.book(withIntake);
    assert.equal(fake.all('Patient').length, 1, 'found by name and birth date, not created');
    assert.ok(fake.get('Appointment', b.id)!.participant.some((p) => p.actor.reference === 'Patient/known'));
    assert.ok(fake.seen.some((r) => r.path.startsWith('/Patient?name=Sarah+Jones&birthdate=1990-04-12')));
  });

  test('a service without a mapped Schedule is found by the Schedule’s service-type', async () => {
    fake.seedSchedule({ id: 'botox-room', practitioner: 'kim', service: 'botox', starts: TUE });
    const slots = await storeFor(fake).availability('2026-03-03', 'botox');
    assert.equal(slots.length, 4);
    assert.ok(fake.seen.some((r) => r.path.startsWith('/Schedule?service-type=')));
  });

  test('an Appointment changed by staff meanwhile (412 on If-Match) is cancelled at its new version', async () => {
    fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: TUE });
    const store = storeFor(fake);
    await store.availability('2026-03-03', 'consultation');
    const b = await store.book(booking(TUE[0]!));
    // a receptionist adds a note in the EHR between our read and our write
    fake.before(/^PUT \/Appointment\//, () => fake.put({ ...fake.get('Appointment', b.id)!, comment: 'bring ID' }));
    const c = await storeFor(fake).cancel(b.id);
    assert.equal(c.status, 'cancelled');
    const stored = fake.get('Appointment', b.id)!;
    assert.equal(stored.status, 'cancelled');
    assert.equal(stored.comment, 'bring ID', 'the staff note is kept, not overwritten');
    assert.deepEqual(
      fake.seen
        .filter((r) => r.method === 'PUT' && r.path.startsWith('/Appointment/'))
        .map((r) => [r.status, r.headers['if-match']]),
      [
        [412, 'W/"1"'],
        [200, 'W/"2"'],
      ],
    );
  });

  test('a failed Appointment create gives the claimed slot back; the OperationOutcome is in the error', async () => {
    fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: TUE });
    const store = storeFor(fake);
    await store.availability('2026-03-03', 'consultation');
    fake.failNext(500, /^POST \/Appointment$/);
    await assert.rejects(store.book(booking(TUE[0]!)), /500 injected failure/);
    assert.equal(fake.all('Slot').find((s) => s.start === TUE[0])!.status, 'free');
    assert.equal(fake.all('Appointment').length, 0);
  });
});
