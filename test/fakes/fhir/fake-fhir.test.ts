// The fake FHIR server's wire shapes, read as raw HTTP: if these drift from FHIR R4, the adapter's
// tests prove nothing about a real EHR.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'vitest';
import { FakeFhirServer } from './fake-fhir.ts';

let fake: FakeFhirServer;
const STARTS = ['09:00', '09:30', '10:00'].map((t) => `2026-03-03T${t}:00-08:00`);

beforeEach(async () => {
  fake = new FakeFhirServer();
  await fake.start();
  fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: STARTS });
});
afterEach(() => fake.stop());

const get = async (path: string) => {
  const r = await fetch(`${fake.baseUrl}/${path}`, { headers: { accept: 'application/fhir+json' } });
  return { status: r.status, type: r.headers.get('content-type'), etag: r.headers.get('etag'), body: await r.json() };
};
const send = async (method: string, path: string, body: unknown, headers: Record<string, string> = {}) => {
  const r = await fetch(`${fake.baseUrl}/${path}`, {
    method,
    headers: { 'content-type': 'application/fhir+json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: r.status, etag: r.headers.get('etag'), body: (await r.json()) as Record<string, unknown> };
};

test('search: a searchset Bundle with total, self and next links, date prefixes and status', async () => {
  const r = await get('Slot?schedule=Schedule/dr-lee&start=ge2026-03-03T09:15:00-08:00&status=free&_count=1');
  assert.equal(r.status, 200);
  assert.equal(r.type, 'application/fhir+json');
  assert.equal(r.body.resourceType, 'Bundle');
  assert.equal(r.body.type, 'searchset');
  assert.equal(r.body.total, 2);
  assert.equal(r.body.entry.length, 1);
  assert.equal(r.body.entry[0].search.mode, 'match');
  assert.equal(r.body.entry[0].resource.start, STARTS[1]);
  const next = r.body.link.find((l: { relation: string }) => l.relation === 'next').url as string;
  const page2 = await get(next.slice(fake.baseUrl.length + 1));
  assert.equal(page2.body.entry[0].resource.start, STARTS[2]);
  assert.equal(
    page2.body.link.find((l: { relation: string }) => l.relation === 'next'),
    undefined,
  );
});

test('Patient search by name and birthdate, identifier; create answers 201 with an ETag', async () => {
  const created = await send('POST', 'Patient', {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:mrn', value: '42' }],
    name: [{ given: ['Sarah'], family: 'Jones' }],
    birthDate: '1990-04-12',
  });
  assert.equal(created.status, 201);
  assert.equal(created.etag, 'W/"1"');
  assert.equal((await get('Patient?name=sarah%20jones&birthdate=1990-04-12')).body.total, 1);
  assert.equal((await get('Patient?name=jones&birthdate=1990-04-13')).body.total, 0);
  assert.equal((await get('Patient?identifier=urn:mrn|42')).body.total, 1);
});

test('If-Match: a stale version gets 412 with an OperationOutcome; the current one 200 and a new ETag', async () => {
  const slot = fake.all('Slot')[0]!;
  const read = await get(`Slot/${slot.id}`);
  assert.equal(read.etag, 'W/"1"');
  const ok = await send('PUT', `Slot/${slot.id}`, { ...read.body, status: 'busy' }, { 'if-match': 'W/"1"' });
  assert.equal(ok.status, 200);
  assert.equal(ok.etag, 'W/"2"');
  const stale = await send('PUT', `Slot/${slot.id}`, { ...read.body, status: 'free' }, { 'if-match': 'W/"1"' });
  assert.equal(stale.status, 412);
  assert.equal(stale.body.resourceType, 'OperationOutcome');
  assert.match(JSON.stringify(stale.body.issue), /version conflict/);
});

test('a second booked Appointment on one Slot is a 409; If-None-Exist on an identifier creates once', async () => {
  const slot = fake.all('Slot')[0]!;
  const appt = (patient: string) => ({
    resourceType: 'Appointment',
    status: 'booked',
    identifier: [{ system: 'urn:b', value: patient }],
    start: slot.start,
    end: slot.end,
    slot: [{ reference: `Slot/${slot.id}` }],
    participant: [{ actor: { reference: `Patient/${patient}` }, status: 'accepted' }],
  });
  const first = await send('POST', 'Appointment', appt('a'), { 'if-none-exist': 'identifier=urn:b|a' });
  assert.equal(first.status, 201);
  const retried = await send('POST', 'Appointment', appt('a'), { 'if-none-exist': 'identifier=urn:b|a' });
  assert.equal(retried.status, 200, 'the retry finds the one already made');
  assert.equal(retried.body.id, first.body.id);
  const second = await send('POST', 'Appointment', appt('b'));
  assert.equal(second.status, 409);
  assert.equal(second.body.resourceType, 'OperationOutcome');
  assert.equal(fake.holdersOf(slot.id).length, 1);
});

test('the IHE operations exist only in ihe mode, and the CapabilityStatement says which', async () => {
  const plain = await get('metadata');
  assert.equal(plain.body.resourceType, 'CapabilityStatement');
  assert.equal(plain.body.fhirVersion, '4.0.1');
  assert.equal(JSON.stringify(plain.body).includes('$find'), false);
  assert.equal(
    (await get('Appointment/$find?start=2026-03-03T00:00:00-08:00&end=2026-03-04T00:00:00-08:00')).status,
    404,
  );
  await fake.stop();
  fake = new FakeFhirServer({ ihe: true });
  await fake.start();
  fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: STARTS });
  const appointment = (await get('metadata')).body.rest[0].resource.find(
    (r: { type: string }) => r.type === 'Appointment',
  );
  assert.deepEqual(
    appointment.operation.map((o: { name: string }) => o.name),
    ['find', 'hold', 'book'],
  );
  const found = await get(
    'Appointment/$find?start=2026-03-03T00:00:00-08:00&end=2026-03-04T00:00:00-08:00&practitioner=Practitioner/lee',
  );
  assert.equal(found.body.total, 3);
  assert.equal(found.body.entry[0].resource.status, 'proposed');
});

test('faults: down is 503 with an OperationOutcome; latency delays the answer', async () => {
  fake.down = true;
  const r = await get('metadata');
  assert.equal(r.status, 503);
  assert.equal(r.body.issue[0].severity, 'fatal');
  fake.down = false;
  fake.latencyMs = 150;
  const t0 = performance.now();
  await get('metadata');
  assert.ok(performance.now() - t0 >= 140);
});
