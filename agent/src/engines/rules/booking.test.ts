/**
 * Appointments on the offline path, end to end in text: the rules brain through the reply
 * pipeline's tool loop (llmText), the appointment tools over the in-memory store, the humanizer.
 */
import { initializeLogger, llm } from '@livekit/agents';
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { bookingTools } from '../../call/clinic-services.ts';
import { TextConversation } from '../../call/text-conversation.ts';
import { buildInstructions } from '../../core/instructions.ts';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import { MemoryRecords } from '../../records/memory-records.ts';
import type { BookingStore } from '../../records/types.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { RulesLLM } from './rules-llm.ts';

initializeLogger({ pretty: false, level: 'warn' });
const kb = await loadKnowledgeBase();
// Monday 2026-03-02, 09:00 in San Diego
const now = () => new Date('2026-03-02T17:00:00Z');

/** `callerPhone`: a phone call from that number (E.164); none: a web call */
function conversation(
  store: BookingStore = new MemoryRecords(kb, now),
  callId = 'call-1',
  callerPhone?: string,
  base: KnowledgeBase = kb,
) {
  return new TextConversation({
    model: new RulesLLM({ kb: base, now }),
    instructions: buildInstructions(base, { booking: true }),
    tools: bookingTools({ kb: base, store, callId, now, ...(callerPhone ? { callerPhone: () => callerPhone } : {}) }),
  });
}
const SARAH_DOB = '1985-03-04';
const SARAH = {
  name: 'Sarah Jones',
  phone: '+16195550100',
  service: 'botox',
  startsAt: '2026-03-03T10:00:00-08:00',
  intake: { dateOfBirth: SARAH_DOB },
};
/** a web caller proves who they are: the booking's phone number, name and date of birth */
const IDENTIFY = ['619 555 0100', 'Sarah Jones', 'March fourth, nineteen eighty five'];

async function talk(c: TextConversation, ...lines: string[]) {
  const out = [];
  for (const l of lines) out.push(await c.say(l));
  return out;
}

/** the caller talked over her last reply: the history keeps only `heard` of it, as a live call does */
function heardOnly(c: TextConversation, heard: string) {
  const last = c.history.items.at(-1) as InstanceType<typeof llm.ChatMessage>;
  c.history.items.splice(
    c.history.items.length - 1,
    1,
    llm.ChatMessage.create({ role: 'assistant', content: heard, createdAt: last.createdAt }),
  );
}

/** Sarah's visit booked, then a call from its own line (its identity proven) that asks to move it */
async function rescheduleFromHerLine(...lines: string[]) {
  const store = new MemoryRecords(kb, now);
  await store.book(SARAH);
  const c = conversation(store, 'call-1', SARAH.phone);
  return { store, c, r: await talk(c, 'I need to reschedule my appointment', '619 555 0100', ...lines) };
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

test('reschedule, look up and cancel: the caller proves who they are first, then confirms before writing', async () => {
  const store = new MemoryRecords(kb, now);
  const b = await store.book(SARAH);
  const c = conversation(store);
  const r = await talk(c, 'I need to reschedule my appointment', ...IDENTIFY, 'Thursday', '2pm');
  assert.match(r[0]!.reply, /What phone number is the booking under\?/);
  assert.match(r[1]!.reply, /Can I get your full name\?/);
  assert.match(r[2]!.reply, /What's your date of birth\?/);
  assert.doesNotMatch(
    r
      .slice(0, 3)
      .map((t) => t.reply)
      .join(' '),
    /Botox/,
    'nothing before the identity is proven',
  );
  assert.match(r[3]!.reply, /I see your Botox tomorrow at ten a m\. What day would you like instead\?/);
  assert.match(r[5]!.reply, /I'll move your Botox to Thursday, March fifth at two p m\. Shall I move it\?/);
  assert.equal(store.bookings[0]!.startsAt, b.startsAt, 'not moved before the yes');
  assert.match((await c.say('yes')).reply, /Done\. Your Botox is now Thursday, March fifth at two p m\./);
  assert.equal(store.bookings[0]!.startsAt, '2026-03-05T14:00:00-08:00');

  // from the phone the booking was made with, the line is the proof (the clinic's default rule)
  const line = conversation(store, 'call-2', '+16195550100');
  const l = await talk(line, 'when is my appointment?');
  assert.match(l[0]!.reply, /You're booked for Botox on Thursday, March fifth at two p m\./);

  const x = await talk(line, 'I want to cancel my appointment', 'no');
  assert.match(x[0]!.reply, /Shall I cancel it\?/);
  assert.match(x[1]!.reply, /I'll keep your Botox as it is/);
  assert.equal(store.bookings[0]!.status, 'booked');
  const y = await talk(line, 'actually please cancel my appointment', 'yes');
  assert.match(y[1]!.reply, /Your Botox on Thursday, March fifth at two p m is cancelled\./);
  assert.equal(store.bookings[0]!.status, 'cancelled');
});

test('a mismatch reveals nothing: the same answer as no booking at all, and nothing can be moved', async () => {
  const store = new MemoryRecords(kb, now);
  await store.book(SARAH);
  const answer = async (...identify: string[]) =>
    (await talk(conversation(store), 'when is my appointment?', ...identify)).at(-1)!;
  const wrongDob = await answer('619 555 0100', 'Sarah Jones', 'April third, nineteen eighty five');
  const wrongName = await answer('619 555 0100', 'Sarah Smith', 'March fourth, nineteen eighty five');
  const nobody = await answer('619 555 0177', 'Sarah Jones', 'March fourth, nineteen eighty five');
  assert.match(nobody.reply, /I couldn't find a booking that matches those details\./);
  assert.match(nobody.reply, /call you back/);
  assert.equal(wrongDob.reply, nobody.reply);
  assert.equal(wrongName.reply, nobody.reply);
  assert.doesNotMatch(wrongDob.reply + wrongName.reply, /Botox|Tuesday|ten a m/);
  // another line than the booking's proves nothing: she asks for the details instead
  const other = await talk(conversation(store, 'c3', '+16195550199'), 'when is my appointment?');
  assert.match(other[0]!.reply, /What phone number is the booking under\?/);
  // where the clinic's rule is name and date of birth, the booking's own line is not enough
  const strict: KnowledgeBase = { ...kb, identity: { rule: 'name-and-dob' } };
  const s = await talk(conversation(store, 'c4', '+16195550100', strict), 'when is my appointment?');
  assert.match(s[0]!.reply, /What phone number is the booking under\?/);

  // whoever calls the tools: a booking id not proven on this call is not found, and nothing moves
  const tools = bookingTools({ kb, store, callId: 'c5', now });
  const chat = llm.ChatContext.empty();
  chat.addMessage({ role: 'assistant', content: 'Shall I cancel it?' });
  chat.addMessage({ role: 'user', content: 'yes' });
  const id = store.bookings[0]!.id;
  assert.match(await tools.run('cancel_appointment', JSON.stringify({ bookingId: id }), chat), /"error":"not_found"/);
  assert.match(
    await tools.run('find_booking', JSON.stringify({ phone: '6195550100' }), chat),
    /"error":"not_verified"/,
  );
  assert.match(await tools.run('find_booking', '{}', chat), /"error":"not_verified"/);
  assert.equal(store.bookings[0]!.status, 'booked');
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
  const t = await talk(c, 'when is my appointment', '619 555 0177', 'Sarah Jones', 'March fourth nineteen eighty five');
  assert.match(t[3]!.reply, /I couldn't find a booking that matches those details\./);
  assert.match(t[3]!.reply, /call you back/);

  const down: BookingStore = {
    availability: () => Promise.reject(new Error('ECONNREFUSED')),
    book: () => Promise.reject(new Error('ECONNREFUSED')),
    findByPhone: () => Promise.reject(new Error('ECONNREFUSED')),
    reschedule: () => Promise.reject(new Error('ECONNREFUSED')),
    cancel: () => Promise.reject(new Error('ECONNREFUSED')),
  };
  const d = conversation(down);
  const u = await talk(d, 'I want to cancel my appointment', ...IDENTIFY);
  // she takes a message instead (agent/src/records/fhir/fhir-conversation.test.ts stores one) with the
  // name and number the caller just gave; this call has nowhere to store it, so she says that too
  // rather than promise a call back
  assert.deepEqual(
    u[3]!.tools.map((t) => t.name),
    ['find_booking', 'take_message'],
  );
  assert.equal(u[3]!.tools[1]!.args.request, 'cancel their appointment');
  assert.match(u[3]!.reply, /I can't leave a message right now either\. Please call us again a little later\./);
});

test("the tools refuse to write without the caller's yes, whoever calls them", async () => {
  const store = new MemoryRecords(kb, now);
  const tools = bookingTools({ kb, store, callId: 'c', now });
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
  heardOnly(c, 'Okay, a consultation. What day');
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
  heardOnly(c, 'Let me read that back.');
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
  // to the times she offered
  let { store, r } = await rescheduleFromHerLine('Thursday');
  assert.match(r[2]!.reply, /Which time works for you\?/);
  assert.equal(store.bookings[0]!.startsAt, SARAH.startsAt, 'not moved before a time is chosen');
  ({ store, r } = await rescheduleFromHerLine('Thursday', 'Yes, 10 is fine'));
  assert.deepEqual(
    r[3]!.tools.map((t) => t.name),
    ['reschedule_appointment'],
  );
  assert.match(r[3]!.reply, /^Done\. Your Botox is now Thursday, March fifth at ten a m\./);
  assert.equal(store.bookings[0]!.startsAt, '2026-03-05T10:00:00-08:00');

  // to the read-back, repeating what she read
  ({ store, r } = await rescheduleFromHerLine('Thursday at 10', 'Yes, Thursday at 10 is fine'));
  assert.match(r[2]!.reply, /Shall I move it\?/);
  assert.match(r[3]!.reply, /^Done\./);
  assert.equal(store.bookings[0]!.startsAt, '2026-03-05T10:00:00-08:00');

  // a yes with a different detail ("but", "instead") is not a yes to the read-back: nothing is written
  ({ store, r } = await rescheduleFromHerLine('Thursday at 10', 'Yes, but 9 instead'));
  assert.doesNotMatch(r[3]!.reply, /Done/);
  assert.equal(store.bookings[0]!.startsAt, SARAH.startsAt);
  assert.equal(r[3]!.tools.length, 0);
});

test('a new patient: the intake is asked one question at a time, echoed back, read back, then stored', async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  const r = await talk(
    c,
    "Hi, I'm a new patient and I'd like to book Botox.",
    'Tuesday',
    'ten a m',
    'Maria Lopez',
    '619 555 0123',
    'March fourth, nineteen eighty five',
    'm a r i a dot l o p e z at gmail dot com',
    "I'll be self pay",
    "It's for frown lines",
    'A friend told me about you',
  );
  const said = r.map((t) => t.reply);
  assert.match(said[4]!, /first visit, I have a few quick questions\. What's your date of birth\?/);
  assert.match(said[5]!, /I have March fourth, nineteen eighty five\. What's your email address\? Please spell it out/);
  assert.match(said[6]!, /I have maria dot lopez at gmail dot com\. Which insurance carrier/);
  assert.match(said[7]!, /Self-pay, got it\. What's the reason for your visit\?/);
  assert.match(said[8]!, /how did you hear about us\?/);
  assert.match(said[9]!, /Let me read that back\. Botox tomorrow at ten a m\. For Maria Lopez, .*Shall I book that\?/);
  assert.equal(store.bookings.length, 0, 'nothing stored before the yes');
  const done = await c.say('Yes, that is right.');
  assert.match(done.reply, /You're all set/);
  assert.deepEqual(store.bookings[0]!.intake, {
    dateOfBirth: '1985-03-04',
    email: 'maria.lopez@gmail.com',
    insurance: 'self-pay',
    reason: 'frown lines',
    referral: 'A friend told me about you',
  });
  assert.equal(store.bookings[0]!.startsAt, '2026-03-03T10:00:00-08:00', 'the birth date is no appointment day');
});

test('new patient: a wrong echo is corrected, an email missed twice is left out, a carrier is named', async () => {
  const store = new MemoryRecords(kb, now);
  const c = conversation(store);
  const r = await talk(
    c,
    'This is my first visit, can I book a consultation on Tuesday at ten?',
    'Tom Lee',
    '6195550111',
    'March third nineteen ninety',
    "No, that's wrong",
    'April third nineteen ninety',
    'uh it is tom at something',
    'something something',
    'I have Aetna',
    'a tummy tuck consultation',
    'Instagram',
  );
  const said = r.map((t) => t.reply);
  assert.match(said[4]!, /What's your date of birth\?/, 'asked again after the caller said it was wrong');
  assert.match(said[5]!, /I have April third, nineteen ninety\./);
  assert.match(said[6]!, /spell the email address again/);
  assert.match(said[7]!, /No problem\. Which insurance carrier/);
  assert.match(said[8]!, /Aetna, got it\./);
  assert.match(said[10]!, /Shall I book that\?/);
  await c.say('yes');
  assert.equal(store.bookings[0]!.service, 'consultation', 'the reason names no new service');
  assert.deepEqual(store.bookings[0]!.intake, {
    dateOfBirth: '1990-04-03',
    insurance: 'Aetna',
    reason: 'a tummy tuck consultation',
    referral: 'Instagram',
  });
});

test('a returning patient is not asked the intake', async () => {
  const store = new MemoryRecords(kb, now);
  const r = await talk(conversation(store), 'Can I book Botox on Tuesday at ten?', 'Sarah Jones', '6195550100');
  assert.match(r[2]!.reply, /Shall I book that\?/);
});
