/**
 * A call's booking over FHIR, in text: the rules brain, the booking tools and the humanizer (the
 * live call's text path) with the clinic's calendar in the fake FHIR server. The slot taken
 * between her offer and the caller's yes, and the server down, are answered as a caller hears them.
 */
import { initializeLogger } from '@livekit/agents';
import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'vitest';
import { FakeFhirServer } from '../../../../test/fakes/fhir/fake-fhir.ts';
import { bookingTools } from '../../call/clinic-services.ts';
import { TextConversation } from '../../call/text-conversation.ts';
import { buildInstructions } from '../../core/instructions.ts';
import { LINES } from '../../core/receptionist/speak.ts';
import { RulesLLM } from '../../engines/rules/rules-llm.ts';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import { type FrontDeskMessage, messageText } from '../booking-tools.ts';
import { FhirClient } from './client.ts';
import { FhirBookingStore } from './fhir-store.ts';

initializeLogger({ pretty: false, level: 'warn' });
const kb = await loadKnowledgeBase();
// Monday 2026-03-02, 09:00 in San Diego
const now = () => new Date('2026-03-02T17:00:00Z');
const WED = ['09:00', '10:00', '11:00', '12:00'].map((t) => `2026-03-04T${t}:00-08:00`);

let fake: FakeFhirServer;
let messages: FrontDeskMessage[];

beforeEach(async () => {
  fake = new FakeFhirServer();
  await fake.start();
  fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: WED, minutes: 60 });
  messages = [];
});
afterEach(() => fake.stop());

function call(timeoutMs = 2000) {
  const store = new FhirBookingStore({
    client: new FhirClient({ baseUrl: fake.baseUrl, timeoutMs }),
    kb,
    tenant: 'riverside',
    schedules: { botox: 'dr-lee', consultation: 'dr-lee' },
    now,
  });
  return new TextConversation({
    model: new RulesLLM({ kb, now }),
    instructions: buildInstructions(kb, { booking: true }),
    tools: bookingTools({ kb, store, callId: 'call-1', now, takeMessage: async (m) => void messages.push(m) }),
  });
}

test('a booking lands in the EHR: Appointment booked on the Slot, with the Patient and the Practitioner', async () => {
  const c = call();
  for (const line of ['I want to book botox on Wednesday at 11am', 'Maria Lopez', '6195550123']) await c.say(line);
  const done = await c.say('yes');
  assert.match(done.reply, /You're all set for Wednesday, March fourth at eleven a m\./);
  const [appt] = fake.all('Appointment');
  assert.equal(appt?.status, 'booked');
  assert.equal(appt?.start, WED[2]);
  const patient = fake.all('Patient')[0]!;
  assert.deepEqual(patient.telecom, [{ system: 'phone', value: '+16195550123', use: 'mobile' }]);
  assert.deepEqual(appt?.participant.map((p) => p.actor.reference).sort(), [
    `Patient/${patient.id}`,
    'Practitioner/lee',
  ]);
});

test('the slot taken in the EHR between her offer and the yes: a new offer, and one Appointment per slot', async () => {
  const c = call();
  for (const line of ['I want to book botox on Wednesday at 11am', 'Maria Lopez', '6195550123']) await c.say(line);
  fake.stealBeforeWrite(WED[2]!);
  const taken = await c.say('yes');
  assert.match(taken.reply, /Sorry, that time was just taken\./);
  assert.match(taken.reply, /Which time works for you\?/);
  assert.doesNotMatch(taken.reply, /eleven a m/, 'the taken time is not offered again');
  const slot = fake.all('Slot').find((s) => s.start === WED[2])!;
  assert.equal(fake.holdersOf(slot.id).length, 1);
  assert.ok(fake.holdersOf(slot.id)[0]!.participant.some((p) => p.actor.reference === 'Patient/someone-else'));
  await c.say('noon');
  const done = await c.say('yes');
  assert.match(done.reply, /You're all set for Wednesday, March fourth at noon\./);
  const mine = fake
    .all('Appointment')
    .filter((a) =>
      a.participant.some(
        (p) => p.actor.reference !== 'Patient/someone-else' && p.actor.reference.startsWith('Patient/'),
      ),
    );
  assert.deepEqual(
    mine.map((a) => a.start),
    [WED[3]],
  );
});

test('the EHR down: "I\'ll take a message and the front desk will call you back", the message stored', async () => {
  const c = call();
  fake.down = true;
  const first = await c.say("Hi, I'd like to book a consultation on Wednesday");
  assert.ok(first.reply.includes(LINES.takeMessage), first.reply);
  assert.match(first.reply, /Can I get your full name\?/);
  const named = await c.say('Sarah Jones');
  assert.match(named.reply, /What's the best phone number for you\?/);
  const stored = await c.say('six one nine five five five zero one zero zero');
  assert.deepEqual(
    stored.tools.map((t) => t.name),
    ['take_message'],
  );
  assert.match(stored.reply, /The front desk will call you back at six one nine, five five five, zero one zero zero\./);
  assert.deepEqual(messages, [
    { name: 'Sarah Jones', phone: '+16195550100', request: 'book a consultation on 2026-03-04' },
  ]);
  assert.equal(
    messageText(messages[0]!),
    'Please call back Sarah Jones at +16195550100: book a consultation on 2026-03-04',
  );
  assert.equal(fake.all('Appointment').length, 0);
});

test('the EHR goes down at the yes: the message carries the time she had read back', async () => {
  const c = call();
  for (const line of ['I want to book botox on Wednesday at 11am', 'Maria Lopez', '6195550123']) await c.say(line);
  fake.down = true;
  const r = await c.say('yes');
  assert.ok(r.reply.includes(LINES.takeMessage), r.reply);
  assert.match(r.reply, /The front desk will call you back at six one nine, five five five, zero one two three\./);
  assert.deepEqual(messages, [
    { name: 'Maria Lopez', phone: '+16195550123', request: 'book Botox on 2026-03-04 at 11:00' },
  ]);
});
