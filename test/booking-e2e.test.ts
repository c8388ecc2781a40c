/**
 * A spoken booking through the real stack: a simulated caller speaks (flite voice) to the agent
 * over a real LiveKit server, fully offline (pocketsphinx, the rules brain, flite), and the booking
 * lands in the records store with the right name, phone and slot — written by the agent through
 * the signed internal API, as are the call, its turns and its summary.
 *
 * The records server here is the contract's stand-in (agent/src/records/testing/); the web
 * server's own implementation of web/server/RECORDS-API.md replaces it by pointing
 * VOXANNE_RECORDS_URL at the stack's web server.
 */
import { dispose } from '@livekit/rtc-node';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { contractSigner } from '../agent/src/call/clinic-services.ts';
import { addDaysToDate, localParts, nextWeekday, zonedIso } from '../agent/src/core/text/calendar.ts';
import { loadKnowledgeBase } from '../agent/src/knowledge/kb.ts';
import { startStandInRecordsServer, type StandInRecordsServer } from '../agent/src/records/testing/stand-in-records-server.ts';
import { SimCaller } from './support/sim-caller.ts';
import { speech48k } from './support/speech.ts';
import { startTestStack, TEST_SECRET, type TestStack } from './support/test-stack.ts';

let stack: TestStack;
let records: StandInRecordsServer;

before(async () => {
  const kb = await loadKnowledgeBase();
  records = await startStandInRecordsServer({ kb, secret: TEST_SECRET, sign: contractSigner });
  stack = await startTestStack('booking-e2e', { VOXANNE_RECORDS_URL: records.url, VOXANNE_TENANT: 'riverside' });
});

after(async () => {
  await dispose();
  await stack?.stop();
  await records?.close();
});

test('a caller books a consultation by voice; the booking, the call and its summary are recorded', async () => {
  const kb = await loadKnowledgeBase();
  const tz = kb.clinic.timezone;
  // "Tuesday" is the next Tuesday after today (open eight to five)
  const today = localParts(new Date(), tz).date;
  const tuesday = nextWeekday(addDaysToDate(today, 1), 'tuesday');
  const c = await SimCaller.join({ url: stack.livekitUrl, apiKey: stack.apiKey, apiSecret: stack.apiSecret, room: `booking-${Date.now()}`, publishMic: true });
  const agentSaid = () => c.transcripts('agent').join(' | ');
  const listening = () => c.states().filter((s) => s === 'LISTENING').length;
  /** says `text` once she is listening, then waits for her answer to match `expect` */
  const turn = async (text: string, expect: RegExp) => {
    await c.waitFor(() => c.states().at(-1) === 'LISTENING', 30_000, `her to listen before "${text}"`);
    const before = c.transcripts('agent').length;
    const heardBefore = listening();
    await c.play(await speech48k(text, { trailingSilenceMs: 700 }));
    try {
      await c.waitFor(
        () => c.transcripts('agent').length > before && listening() > heardBefore && expect.test(c.transcripts('agent').slice(before).join(' ')),
        45_000,
        `an answer to "${text}" matching ${expect}`,
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; she said: ${agentSaid()}; she heard: ${c.transcripts('user').join(' | ')}`);
    }
  };
  try {
    await c.waitFor(() => listening() >= 2, 30_000, 'the greeting to finish');
    await turn("I'd like to book a consultation", /What day works for you\?/);
    await turn('Tuesday', /Which time works for you\?/);
    await turn('ten a m', /Can I get your full name\?/);
    await turn('my name is Sarah Jones', /best phone number/);
    await turn('six one nine five five five two four one eight', /Shall I book that\?/);
    // like a real caller, correct what the recogniser got wrong (it sometimes hears "Jones" as "Johnson")
    const readBack = () => c.transcripts('agent').at(-1) ?? '';
    for (let i = 0; i < 3; i++) {
      const nameOk = /For Sarah Jones,/.test(readBack());
      const phoneOk = /six one nine, five five five, two four one eight\./.test(readBack());
      if (nameOk && phoneOk) break;
      await turn('no', /What would you like to change\?/);
      await turn(nameOk ? 'six one nine five five five two four one eight' : 'my name is Sarah Jones', /Shall I book that\?/);
    }
    assert.match(readBack(), /Let me read that back\. A consultation on .* at ten a m\. For Sarah Jones, at six one nine, five five five, two four one eight\. Shall I book that\?/, 'the read-back');
    assert.equal(records.records.bookings.length, 0, 'nothing booked before the yes');
    await turn('yes', /You're all set/);
    const [b] = records.records.bookings;
    assert.ok(b, 'a booking was written');
    assert.equal(b.name, 'Sarah Jones');
    assert.equal(b.phone, '+16195552418');
    assert.equal(b.service, 'consultation');
    assert.equal(b.startsAt, zonedIso(tuesday, '10:00', tz));
    assert.equal(b.status, 'booked');
  } finally {
    await c.leave();
  }
  // the call's record: the start, the turns as they happened, and the end with its summary
  const waitEnd = async () => {
    for (let i = 0; i < 100 && ![...records.records.calls.values()].some((x) => x.end); i++) await new Promise((r) => setTimeout(r, 100));
  };
  await waitEnd();
  const calls = [...records.records.calls.values()];
  assert.equal(calls.length, 1);
  const call = calls[0]!;
  assert.equal(call.start.tenant, 'riverside');
  assert.equal(call.start.channel, 'web');
  assert.ok(call.turns.some((t) => t.speaker === 'caller' && /sarah jones/i.test(t.text)));
  assert.ok(call.turns.some((t) => t.speaker === 'agent' && /You're all set/.test(t.text)));
  assert.ok(call.states.some((s) => s.state === 'SPEAKING'));
  assert.equal(call.end?.outcome, 'booked');
  assert.match(call.end?.summary ?? '', /Booked consultation for Sarah Jones \(\+16195552418\)/);
  assert.equal(records.rejected, 0, 'every request was signed correctly');
  assert.equal(records.records.bookings[0]!.callId, call.start.callId);
});
