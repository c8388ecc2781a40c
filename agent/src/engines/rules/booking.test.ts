/**
 * Appointments on the offline path, end to end in text: the rules brain through the reply
 * pipeline's tool loop (llmText), the appointment tools over the in-memory store, the humanizer.
 */
import { initializeLogger } from '@livekit/agents';
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { bookingTools } from '../../call/clinic-services.ts';
import { TextConversation } from '../../call/text-conversation.ts';
import { buildInstructions } from '../../core/instructions.ts';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import { MemoryRecords } from '../../records/memory-records.ts';
import type { BookingStore } from '../../records/types.ts';
import { RulesLLM } from './rules-llm.ts';

initializeLogger({ pretty: false, level: 'warn' });
const kb = await loadKnowledgeBase();
// Monday 2026-03-02, 09:00 in San Diego
const now = () => new Date('2026-03-02T17:00:00Z');

function conversation(store: BookingStore = new MemoryRecords(kb, now), callId = 'call-1') {
  return new TextConversation({
    model: new RulesLLM({ kb, now }),
    instructions: buildInstructions(kb, { booking: true }),
    tools: bookingTools({ kb, store, callId, now }),
  });
}

async function talk(c: TextConversation, ...lines: string[]) {
  const out = [];
  for (const l of lines) out.push(await c.say(l));
  return out;
}

test('booking: service, day, time, name, phone, a read-back, an explicit yes, then the record', async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  const t = await talk(
    c,
    "Hi, I'd like to book a consultation",
    'Tuesday please',
    'ten a m',
    'my name is Sarah Jones',
    'six one nine five five five zero one zero zero',
  );
  assert.match(t[0]!.reply, /What day works for you\?/);
  assert.deepEqual(
    t[1]!.tools.map((x) => x.name),
    ['check_availability'],
  );
  assert.match(
    t[1]!.reply,
    /tomorrow, I have a few times\. Eight a m, nine a m or ten a m\. Which time works for you\?/i,
  );
  assert.match(t[2]!.reply, /ten a m is free\. Can I get your full name\?/);
  assert.match(t[3]!.reply, /What's the best phone number for you\?/);
  assert.match(
    t[4]!.reply,
    /Let me read that back\. A consultation tomorrow at ten a m\. For Sarah Jones, at six one nine, five five five, zero one zero zero\. Shall I book that\?/,
  );
  assert.equal(store.bookings.length, 0, 'nothing is written before the yes');
  const yes = await c.say('yes please');
  assert.deepEqual(
    yes.tools.map((x) => x.name),
    ['book_appointment'],
  );
  assert.match(yes.reply, /You're all set for tomorrow at ten a m\./);
  assert.deepEqual(
    store.bookings.map((b) => [b.name, b.phone, b.service, b.startsAt, b.callId]),
    [['Sarah Jones', '+16195550100', 'consultation', '2026-03-03T10:00:00-08:00', 'call-1']],
  );
});

test('booking: "no" to the read-back changes it; a closed day and a taken time get other offers', async () => {
  const store = new MemoryRecords(kb, now);
  await store.book({
    name: 'Someone',
    phone: '+16195550199',
    service: 'consultation',
    startsAt: '2026-03-07T09:00:00-08:00',
  });
  const c = conversation(store);
  const t = await talk(
    c,
    'Can I book a BBL consultation on Sunday?',
    'Saturday at 9am',
    'the first one',
    'Tom Lee',
    '619 555 0111',
    'no, wait',
    'make it Friday afternoon',
    'the last one',
    'yes',
  );
  assert.match(t[0]!.reply, /We're closed on Sunday, March eighth\. Would another day work\?/);
  assert.match(t[1]!.reply, /That time isn't free on Saturday, March seventh\./);
  assert.match(t[1]!.reply, /Ten a m, eleven a m or noon\./);
  assert.match(t[2]!.reply, /Saturday, March seventh at ten a m is free/);
  assert.match(t[5]!.reply, /What would you like to change\?/);
  assert.match(t[6]!.reply, /Noon, one p m or two p m\./, 'afternoon times only');
  assert.match(t[7]!.reply, /A consultation on Friday, March sixth at two p m\./);
  assert.match(t[8]!.reply, /You're all set/);
  assert.deepEqual(
    store.bookings.filter((b) => b.name === 'Tom Lee').map((b) => b.startsAt),
    ['2026-03-06T14:00:00-08:00'],
  );
});

test('booking: a slot taken by another call between the offer and the yes is never double-booked', async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  await talk(c, 'I want to book botox on Wednesday at 11am', 'Maria Lopez', '6195550123');
  // another caller takes the same slot meanwhile
  await store.book({
    name: 'Other Caller',
    phone: '+16195550124',
    service: 'botox',
    startsAt: '2026-03-04T11:00:00-08:00',
  });
  const taken = await c.say('yes');
  assert.match(taken.reply, /Sorry, that time was just taken\./);
  assert.match(taken.reply, /Which time works for you\?/);
  assert.equal(store.bookings.filter((b) => b.startsAt === '2026-03-04T11:00:00-08:00').length, 1);
  await talk(c, 'noon');
  const done = await c.say('yes');
  assert.match(done.reply, /You're all set for Wednesday, March fourth at noon\./);
});

test('reschedule, look up and cancel find the booking by phone and confirm before writing', async () => {
  const store = new MemoryRecords(kb, now);
  const b = await store.book({
    name: 'Sarah Jones',
    phone: '+16195550100',
    service: 'botox',
    startsAt: '2026-03-03T10:00:00-08:00',
  });
  const c = conversation(store);
  const r = await talk(c, 'I need to reschedule my appointment', '619 555 0100', 'Thursday', '2pm');
  assert.match(r[0]!.reply, /What phone number is the booking under\?/);
  assert.match(r[1]!.reply, /I see your Botox tomorrow at ten a m\. What day would you like instead\?/);
  assert.match(r[3]!.reply, /I'll move your Botox to Thursday, March fifth at two p m\. Shall I move it\?/);
  assert.equal(store.bookings[0]!.startsAt, b.startsAt, 'not moved before the yes');
  assert.match((await c.say('yes')).reply, /Done\. Your Botox is now Thursday, March fifth at two p m\./);
  assert.equal(store.bookings[0]!.startsAt, '2026-03-05T14:00:00-08:00');

  const l = await talk(c, 'when is my appointment?', '6195550100');
  assert.match(l[1]!.reply, /You're booked for Botox on Thursday, March fifth at two p m\./);

  const x = await talk(c, 'I want to cancel my appointment', '6195550100', 'no');
  assert.match(x[1]!.reply, /Shall I cancel it\?/);
  assert.match(x[2]!.reply, /I'll keep your Botox as it is/);
  assert.equal(store.bookings[0]!.status, 'booked');
  const y = await talk(c, 'actually please cancel my appointment', '6195550100', 'yes');
  assert.match(y[2]!.reply, /Your Botox on Thursday, March fifth at two p m is cancelled\./);
  assert.equal(store.bookings[0]!.status, 'cancelled');
});

test('a question in the middle of a booking is answered, then the booking goes on', async () => {
  const c = conversation();
  const t = await talk(c, 'I want to book a consultation', 'how much is the consultation?', 'Tuesday');
  assert.match(t[1]!.reply, /one hundred fifty dollars/);
  assert.match(t[1]!.reply, /What day works for you\?/);
  assert.deepEqual(
    t[2]!.tools.map((x) => x.name),
    ['check_availability'],
  );
});

test('no booking under the number, and a booking system that is down: she says so and takes a message', async () => {
  const c = conversation();
  const t = await talk(c, 'when is my appointment', '619 555 0177');
  assert.match(t[1]!.reply, /I don't see a booking under six one nine, five five five, zero one seven seven\./);
  assert.match(t[1]!.reply, /call you back/);

  const down: BookingStore = {
    availability: () => Promise.reject(new Error('ECONNREFUSED')),
    book: () => Promise.reject(new Error('ECONNREFUSED')),
    findByPhone: () => Promise.reject(new Error('ECONNREFUSED')),
    reschedule: () => Promise.reject(new Error('ECONNREFUSED')),
    cancel: () => Promise.reject(new Error('ECONNREFUSED')),
  };
  const d = conversation(down);
  const u = await talk(d, 'I want to cancel my appointment', '6195550100', 'Sarah Jones');
  // she takes a message instead (agent/src/records/fhir/fhir-conversation.test.ts stores one); this
  // call has nowhere to store it, so she says that too rather than promise a call back
  assert.match(
    u[1]!.reply,
    /can't reach our booking system just now\. I'll take a message and the front desk will call you back\./,
  );
  assert.match(u[1]!.reply, /Can I get your full name\?/);
  assert.deepEqual(
    u[2]!.tools.map((t) => [t.name, t.args.request]),
    [['take_message', 'cancel their appointment']],
  );
  assert.match(u[2]!.reply, /I can't leave a message right now either\. Please call us again a little later\./);
});

test("the tools refuse to write without the caller's yes, whoever calls them", async () => {
  const store = new MemoryRecords(kb, now);
  const tools = bookingTools({ kb, store, callId: 'c', now });
  const { llm } = await import('@livekit/agents');
  const chat = llm.ChatContext.empty();
  chat.addMessage({ role: 'user', content: 'book me in for ten tomorrow, my number is 6195550100' });
  const booking = {
    service: 'consultation',
    startsAt: '2026-03-03T10:00:00-08:00',
    name: 'Sarah Jones',
    phone: '6195550100',
  };
  const book = async () => JSON.parse(await tools.run('book_appointment', JSON.stringify(booking), chat));
  const out = await book();
  assert.equal(out.error, 'not_confirmed');
  assert.equal(store.bookings.length, 0);
  chat.addMessage({ role: 'assistant', content: 'Would you like to book?' });
  chat.addMessage({ role: 'user', content: "Yes, that's right." });
  const noReadBack = await book();
  assert.equal(noReadBack.error, 'not_confirmed', 'a yes to something that was not read back does not count');
  assert.match(noReadBack.message, /Read the service, day, time, name and phone number back/);
  chat.addMessage({
    role: 'assistant',
    content:
      'A consultation tomorrow at ten a m. For Sarah Jones, at six one nine, five five ' +
      'five, zero one zero zero. Shall I book that?',
  });
  chat.addMessage({ role: 'user', content: "Yes, that's right." });
  const ok = await book();
  assert.equal(ok.ok, true);
  assert.equal(ok.booking.when, 'tomorrow at ten a m');
  const bad = JSON.parse(
    await tools.run('check_availability', JSON.stringify({ service: 'hair transplant', date: 'tuesday' }), chat),
  );
  assert.equal(bad.error, 'invalid');
});

test('a phone number heard only in part is asked for again, not guessed', async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  const t = await talk(
    c,
    'I want to book a consultation on Wednesday at 9am',
    'Sarah Jones',
    'six one nine five five five zero one sarah zero',
    'six one nine five five five two four one eight',
  );
  assert.match(
    t[2]!.reply,
    /Sorry, I didn't catch the whole number\. Could you say the number again, digit by digit\?/,
  );
  assert.match(t[3]!.reply, /at six one nine, five five five, two four one eight\. Shall I book that\?/);
});

test("a question she was cut off in still counts: the caller's answer goes to the booking", async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  await c.say('I want to book a consultation');
  // the caller talked over "What day works for you?": the history holds only what was heard
  const { llm } = await import('@livekit/agents');
  const last = c.history.items.at(-1) as InstanceType<typeof llm.ChatMessage>;
  c.history.items.splice(
    c.history.items.length - 1,
    1,
    llm.ChatMessage.create({ role: 'assistant', content: 'Okay, a consultation. What day', createdAt: last.createdAt }),
  );
  assert.equal(
    (c.history.items.at(-1) as InstanceType<typeof llm.ChatMessage>).textContent,
    'Okay, a consultation. What day',
  );
  const t = await c.say('Tuesday');
  assert.deepEqual(
    t.tools.map((x) => x.name),
    ['check_availability'],
  );
  assert.match(t.reply, /Which time works for you\?/);
});

test('a yes said over the read-back gets the read-back again, not a booking', async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  await talk(c, 'I want to book a consultation on Wednesday at 9am', 'Sarah Jones', '6195550100');
  // the caller said yes over her read-back: only its start was heard
  const { llm } = await import('@livekit/agents');
  const last = c.history.items.at(-1) as InstanceType<typeof llm.ChatMessage>;
  c.history.items.splice(
    c.history.items.length - 1,
    1,
    llm.ChatMessage.create({ role: 'assistant', content: 'Let me read that back.', createdAt: last.createdAt }),
  );
  const t = await c.say('yes');
  assert.equal((t.tools[0]?.result as { error?: string }).error, 'not_confirmed');
  assert.match(t.reply, /Let me read that back\. A consultation on Wednesday, March fourth at nine a m\./);
  assert.equal(store.bookings.length, 0);
  const done = await c.say('yes');
  assert.match(done.reply, /You're all set/);
  assert.equal(store.bookings.length, 1);
});

test('a wrong name in the read-back is corrected by the caller before anything is written', async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  const t = await talk(
    c,
    'I want to book a consultation on Wednesday at 9am',
    'my name is Sarah Johnson',
    '6195552418',
    'no',
    'my name is Sarah Jones',
  );
  assert.match(t[3]!.reply, /What would you like to change\?/);
  assert.match(
    t[4]!.reply,
    /For Sarah Jones, at six one nine, five five five, two four one eight\. Shall I book that\?/,
  );
  await c.say('yes');
  assert.deepEqual(
    store.bookings.map((b) => b.name),
    ['Sarah Jones'],
  );
});

test('"Yes, 10 is fine" is a yes: to the offered times it moves the visit at once, and to the read-back', async () => {
  const seed = { name: 'Sarah Jones', phone: '+16195550100', service: 'botox', startsAt: '2026-03-03T10:00:00-08:00' };
  // to the times she offered
  let store = new MemoryRecords(kb, now);
  await store.book(seed);
  let r = await talk(conversation(store), 'I need to reschedule my appointment', '619 555 0100', 'Thursday');
  assert.match(r[2]!.reply, /Which time works for you\?/);
  assert.equal(store.bookings[0]!.startsAt, seed.startsAt, 'not moved before a time is chosen');
  const c = conversation(store);
  r = await talk(c, 'I need to reschedule my appointment', '619 555 0100', 'Thursday', 'Yes, 10 is fine');
  assert.deepEqual(
    r[3]!.tools.map((t) => t.name),
    ['reschedule_appointment'],
  );
  assert.match(r[3]!.reply, /^Done\. Your Botox is now Thursday, March fifth at ten a m\./);
  assert.equal(store.bookings[0]!.startsAt, '2026-03-05T10:00:00-08:00');

  // to the read-back, repeating what she read
  store = new MemoryRecords(kb, now);
  await store.book(seed);
  r = await talk(
    conversation(store),
    'I need to reschedule my appointment',
    '619 555 0100',
    'Thursday at 10',
    'Yes, Thursday at 10 is fine',
  );
  assert.match(r[2]!.reply, /Shall I move it\?/);
  assert.match(r[3]!.reply, /^Done\./);
  assert.equal(store.bookings[0]!.startsAt, '2026-03-05T10:00:00-08:00');

  // a yes with a different detail ("but", "instead") is not a yes to the read-back: nothing is written
  store = new MemoryRecords(kb, now);
  await store.book(seed);
  r = await talk(
    conversation(store),
    'I need to reschedule my appointment',
    '619 555 0100',
    'Thursday at 10',
    'Yes, but 9 instead',
  );
  assert.doesNotMatch(r[3]!.reply, /Done/);
  assert.equal(store.bookings[0]!.startsAt, seed.startsAt);
  assert.equal(r[3]!.tools.length, 0);
});
