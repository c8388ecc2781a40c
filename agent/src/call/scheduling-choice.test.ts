/**
 * Which calendar a call books into is the clinic's setting (scheduling: builtin | fhir in its
 * knowledge base, edited on the dashboard's Settings page): the built-in one behind the records
 * API, or the clinic's EHR over FHIR; the tools and the brain are the same either way. A FHIR
 * server that is down ends in a message for the front desk, written to the call's records.
 */
import { initializeLogger, llm } from '@livekit/agents';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, test } from 'vitest';
import { FakeFhirServer } from '../../../test/fakes/fhir/fake-fhir.ts';
import { RulesLLM } from '../engines/rules/rules-llm.ts';
import type { Engines } from '../engines/types.ts';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { createRecordsClient, prepareCall } from './clinic-services.ts';

initializeLogger({ pretty: false, level: 'warn' });
const base = await loadKnowledgeBase();
const SECRET = 'test-secret-0123456789abcdef0123456789';
const now = () => new Date('2026-03-02T17:00:00Z');
const logged: string[] = [];
const logger = {
  debug() {},
  info: (_o: object, m: string) => void logged.push(m),
  warn: (_o: object, m: string) => void logged.push(m),
  error: (_o: object, m: string) => void logged.push(m),
  child() {
    return logger;
  },
};
const engines = {
  llm: new RulesLLM({ kb: base }),
  stt: {},
  tts: {},
  info: { stt: 's', llm: 'rules', tts: 't', offline: true },
} as unknown as Engines;

let fake: FakeFhirServer;
let records: { url: string; seen: Array<{ method: string; url: string; body: unknown }>; close: () => void };

/** the web server's records API, as far as a call needs it: config for the tenant, 200 for writes */
async function recordsServer(kb: KnowledgeBase) {
  const seen: Array<{ method: string; url: string; body: unknown }> = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += String(c)));
    req.on('end', () => answer(req, res, body));
  });
  const answer = (req: IncomingMessage, res: import('node:http').ServerResponse, body: string) => {
    seen.push({ method: req.method!, url: req.url!, body: body ? JSON.parse(body) : undefined });
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url!.endsWith('/config'))
      return res.end(
        JSON.stringify({
          tenant: 'riverside',
          agentName: kb.agent.name,
          voice: kb.agent.voice,
          greeting: kb.agent.greeting,
          instructions: '',
          silenceTimeoutMs: 5000,
          knowledgeBase: kb,
        }),
      );
    if (req.url!.includes('/availability')) return res.end(JSON.stringify({ slots: [] }));
    res.end('{}');
  };
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => server.close() };
}

beforeEach(async () => {
  fake = new FakeFhirServer();
  await fake.start();
  fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: ['2026-03-03T10:00:00-08:00'] });
  logged.length = 0;
});
afterEach(async () => {
  records?.close();
  await fake.stop();
});

async function callFor(kb: KnowledgeBase) {
  records = await recordsServer(kb);
  const settings = { VOXANNE_RECORDS_URL: records.url, VOXANNE_TENANT: 'riverside', RECORDS_API_KEY: SECRET };
  return prepareCall({
    kb: base,
    engines,
    callId: 'call-9',
    settings,
    client: createRecordsClient(settings)!,
    logger,
    now,
    greeting: base.agent.greeting,
  });
}

const fhirKb = (): KnowledgeBase => ({
  ...base,
  scheduling: {
    system: 'fhir',
    fhir: {
      baseUrl: fake.baseUrl,
      auth: 'none',
      scope: 'system/*.rs',
      schedules: { consultation: 'dr-lee' },
      timeoutMs: 1000,
    },
  },
});

test('scheduling: fhir in the clinic’s settings: availability comes from its EHR, not the records API', async () => {
  const p = await callFor(fhirKb());
  const r = JSON.parse(
    await p.tools!.run(
      'check_availability',
      JSON.stringify({ service: 'consultation', date: '2026-03-03' }),
      new llm.ChatContext(),
    ),
  ) as { ok: boolean; slots: Array<{ startsAt: string; time: string }> };
  assert.deepEqual(r.slots, [{ startsAt: '2026-03-03T10:00:00-08:00', time: 'ten a m' }]);
  assert.ok(!records.seen.some((s) => s.url.includes('/availability')));
  assert.ok(logged.includes('scheduling over FHIR'));
});

test('no scheduling setting (builtin): the records API’s calendar, the EHR never asked', async () => {
  const p = await callFor(base);
  await p.tools!.run(
    'check_availability',
    JSON.stringify({ service: 'consultation', date: '2026-03-03' }),
    new llm.ChatContext(),
  );
  assert.ok(records.seen.some((s) => s.url.includes('/tenants/riverside/availability')));
  assert.equal(fake.seen.length, 0);
});

test('the EHR down: the message for the front desk goes to the call’s records as a CALLBACK flag', async () => {
  const p = await callFor(fhirKb());
  fake.down = true;
  const chat = new llm.ChatContext();
  const down = JSON.parse(
    await p.tools!.run('check_availability', JSON.stringify({ service: 'consultation', date: '2026-03-03' }), chat),
  ) as { ok: boolean; error: string };
  assert.deepEqual([down.ok, down.error], [false, 'unavailable']);
  const r = JSON.parse(
    await p.tools!.run(
      'take_message',
      JSON.stringify({ name: 'Sarah Jones', phone: '6195550100', request: 'book a consultation on Tuesday' }),
      chat,
    ),
  ) as { ok: boolean };
  assert.equal(r.ok, true);
  assert.equal(await p.recorder!.flush(2000), 0);
  const states = records.seen.filter((s) => s.url.endsWith('/calls/call-9/states'));
  assert.equal(states.length, 1);
  const body = states[0]!.body as { state: string; reason: string };
  assert.equal(body.state, 'CALLBACK');
  assert.equal(body.reason, 'Please call back Sarah Jones at +16195550100: book a consultation on Tuesday');
});

test('fhir with SMART auth but no key on this agent: every tool unavailable, never the builtin calendar', async () => {
  const kb = fhirKb();
  const p = await callFor({
    ...kb,
    scheduling: { ...kb.scheduling!, fhir: { ...kb.scheduling!.fhir!, auth: 'smart-backend', clientId: 'x' } },
  });
  const r = JSON.parse(
    await p.tools!.run(
      'check_availability',
      JSON.stringify({ service: 'consultation', date: '2026-03-03' }),
      new llm.ChatContext(),
    ),
  ) as { ok: boolean; error: string };
  assert.deepEqual([r.ok, r.error], [false, 'unavailable']);
  assert.ok(logged.includes('FHIR scheduling not usable; taking messages instead'));
  assert.ok(!records.seen.some((s) => s.url.includes('/availability')));
});
