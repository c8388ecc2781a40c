// The agent's own records client (agent/src/records) against the web
// server (web/server/records): both sides of RECORDS-API.md agree.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, it } from 'vitest';
import { RecordsClient } from '../agent/src/records/http-client.ts';
import { agentRecordsClient } from './support/records-client.ts';
import { fetchTenantConfig, HttpBookingStore, HttpCallRecorder } from '../agent/src/records/http-records.ts';
import { signRecordsRequest } from '@voxanne/contracts/signature';
import { SlotTakenError } from '../agent/src/records/types.ts';
import { forEachDatabase } from '../web/server/db/testing/databases.ts';
import {
  call,
  login,
  makeClinic,
  openDay,
  SECRET,
  startRecordsServer,
  type RecordsServer,
} from '../web/server/records/testing.ts';

forEachDatabase('agent records client against the web server', (h) => {
  let web: RecordsServer;
  let client: RecordsClient;
  beforeAll(async () => {
    await makeClinic(h.db, 'riverside', 'Riverside Aesthetic Surgery');
    web = await startRecordsServer(h.db);
    client = agentRecordsClient(web.baseUrl);
  });
  afterAll(() => web?.stop());

  it('config, availability, book (and a second booking of the slot refused), find, reschedule, cancel', async () => {
    const cfg = await fetchTenantConfig(client, 'riverside');
    assert.equal(cfg.knowledgeBase.clinic.id, 'riverside');
    const store = new HttpBookingStore(client, 'riverside');
    const date = openDay(4);
    const slots = await store.availability(date, 'consultation');
    assert.ok(slots.length >= 8);
    const booking = await store.book({
      name: 'Ava Chen',
      phone: '+15557654321',
      service: 'consultation',
      startsAt: slots[0]!.startsAt,
    });
    assert.equal(booking.priceCents, 15000);
    await assert.rejects(
      store.book({
        name: 'Someone Else',
        phone: '+15550000009',
        service: 'consultation',
        startsAt: slots[0]!.startsAt,
      }),
      SlotTakenError,
    );
    assert.equal((await store.findByPhone('+15557654321')).length, 1);
    const moved = await store.reschedule(booking.id, slots[1]!.startsAt);
    assert.equal(Date.parse(moved.startsAt), Date.parse(slots[1]!.startsAt));
    assert.equal((await store.cancel(booking.id)).status, 'cancelled');
    assert.equal((await store.findByPhone('+15557654321')).length, 0);
  });

  it("the call recorder's queued writes land in order and show on the dashboard", async () => {
    const log = { warn: () => {}, error: (o: object, m: string) => assert.fail(`${m} ${JSON.stringify(o)}`) };
    const rec = new HttpCallRecorder(client, log, { sleep: async () => {} });
    const t = Date.now() - 10_000;
    const at = (ms: number) => new Date(t + ms).toISOString();
    rec.start({
      callId: 'agent-c1',
      tenant: 'riverside',
      room: 'call-x',
      channel: 'web',
      callerIdentity: 'caller-x',
      startedAt: at(0),
      engines: { stt: 'pocketsphinx', llm: 'rules', tts: 'flite', mode: 'offline' },
    });
    rec.state('agent-c1', { state: 'LISTENING', at: at(100) });
    rec.turn('agent-c1', {
      index: 0,
      speaker: 'agent',
      text: 'Hi, this is Voxanne.',
      startedAt: at(100),
      endedAt: at(2000),
      interrupted: false,
      metrics: { ttsFirstByteMs: 80 },
    });
    rec.turn('agent-c1', {
      index: 1,
      speaker: 'caller',
      text: 'How much is botox?',
      startedAt: at(2500),
      endedAt: at(4000),
      interrupted: false,
    });
    rec.turn('agent-c1', {
      index: 1,
      speaker: 'agent',
      text: 'Botox is three hundred to six hundred dollars.',
      startedAt: at(4500),
      endedAt: at(7000),
      interrupted: true,
      metrics: { v2vMs: 520, sttFinalMs: 120, endOfTurnMs: 200, llmFirstTokenMs: 150 },
    });
    rec.state('agent-c1', { state: 'INTERRUPTED', at: at(6000), reason: 'barge-in' });
    rec.end('agent-c1', {
      endedAt: at(9000),
      status: 'completed',
      outcome: 'asked about prices',
      summary: 'The caller asked what Botox costs.',
    });
    assert.equal(await rec.flush(), 0);
    const cookie = await login(web.baseUrl, 'staff@riverside.test');
    const d = (await call(web.baseUrl, 'GET', '/api/calls/agent-c1', { cookie })).body;
    assert.equal(d.call.status, 'completed');
    assert.equal(d.call.summary, 'The caller asked what Botox costs.');
    assert.equal(d.call.bargeIns, 1);
    assert.deepEqual(
      d.turns.map((x: { speaker: string }) => x.speaker),
      ['agent', 'caller', 'agent'],
    );
    assert.equal(d.turns[2].metrics.v2vMs, 520);
    assert.deepEqual(
      d.states.map((s: { state: string }) => s.state),
      ['LISTENING', 'INTERRUPTED'],
    );
  });

  it('a SIP caller whose From user holds a NUL byte is recorded; a refused write is sent once, no retry', async () => {
    const errors: object[] = [];
    const log = { warn: () => {}, error: (o: object) => errors.push(o) };
    let posts = 0;
    const counting = new RecordsClient({
      baseUrl: web.baseUrl,
      secret: SECRET,
      sign: signRecordsRequest,
      sleep: async () => {},
      fetch: (input, init) => {
        if (init?.method === 'POST') posts++;
        return fetch(input, init);
      },
    });
    const rec = new HttpCallRecorder(counting, log, { sleep: async () => {} });
    rec.start({
      callId: 'agent-nul',
      tenant: 'riverside',
      room: 'call-_\0evil_x',
      channel: 'sip',
      callerIdentity: 'sip_\0evil',
      callerPhoneMasked: '+1******\0',
      startedAt: new Date().toISOString(),
      engines: { stt: 'pocketsphinx', llm: 'rules', tts: 'flite', mode: 'offline' },
    });
    // a write the server refuses (an index it does not accept): dropped after one attempt, the next goes on
    rec.turn('agent-nul', {
      index: -1,
      speaker: 'caller',
      text: 'x',
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      interrupted: false,
    });
    rec.end('agent-nul', { endedAt: new Date().toISOString(), status: 'abandoned' });
    assert.equal(await rec.flush(), 0);
    assert.equal(posts, 3, 'start, the refused turn once, end');
    assert.equal(errors.length, 1);
    const cookie = await login(web.baseUrl, 'staff@riverside.test');
    const d = (await call(web.baseUrl, 'GET', '/api/calls/agent-nul', { cookie })).body;
    assert.equal(d.call.status, 'abandoned');
    assert.equal(d.call.callerIdentity, 'sip_\uFFFDevil');
    assert.equal(d.call.room, 'call-_\uFFFDevil_x');
  });
});
