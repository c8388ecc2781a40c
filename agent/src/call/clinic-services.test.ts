import { initializeLogger } from '@livekit/agents';
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RulesLLM } from '../engines/rules/rules-llm.ts';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import type { Engines } from '../engines/types.ts';
import { contractSigner, createRecordsClient, prepareCall, tenantOf } from './clinic-services.ts';

initializeLogger({ pretty: false, level: 'warn' });
const kb = await loadKnowledgeBase();
const SECRET = 'test-secret-0123456789abcdef0123456789';
const warnings: string[] = [];
const logger = {
  debug() {},
  info() {},
  warn: (_o: object, m: string) => void warnings.push(m),
  error() {},
  child() {
    return logger;
  },
};
const engines = {
  llm: new RulesLLM({ kb }),
  stt: {},
  tts: {},
  info: { stt: 's', llm: 'rules', tts: 't', offline: true },
} as unknown as Engines;

test('the tenant comes from the room metadata, else the default', () => {
  assert.equal(tenantOf('{"tenant":"northside"}', 'riverside'), 'northside');
  assert.equal(tenantOf('{"tenant":"../etc"}', 'riverside'), 'riverside');
  assert.equal(tenantOf('not json', 'riverside'), 'riverside');
  assert.equal(tenantOf(undefined, 'riverside'), 'riverside');
});

test('without VOXANNE_RECORDS_URL: clinic.yaml, no tools, nothing recorded, an extractive summary', async () => {
  const settings = { VOXANNE_TENANT: 'riverside', RECORDS_API_KEY: SECRET };
  assert.equal(createRecordsClient(settings), undefined);
  const p = await prepareCall({ kb, engines, callId: 'c', settings, logger, greeting: kb.agent.greeting });
  assert.equal(p.tools, undefined);
  assert.equal(p.recorder, undefined);
  assert.match(p.instructions, /cannot book appointments/);
  assert.equal((await p.summarize([{ role: 'user', text: 'what are your hours' }], undefined)).outcome, 'information');
});

test('with the records API: the tenant config sets her name, greeting, style and knowledge base; signed', async () => {
  const seen: Array<{ url: string; ok: boolean }> = [];
  const server = createServer((req, res) => {
    const timestamp = String(req.headers['x-voxanne-timestamp']);
    const nonce = String(req.headers['x-voxanne-nonce']);
    const ok =
      req.headers['x-voxanne-signature'] ===
      contractSigner(SECRET, { timestamp, nonce, method: req.method!, path: req.url!, body: '' });
    seen.push({ url: req.url!, ok });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        tenant: 'northside',
        agentName: 'Nova',
        voice: 'aura-2-luna-en',
        greeting: 'Northside Clinic, this is Nova. How can I help?',
        instructions: 'Warm and brief.',
        silenceTimeoutMs: 3000,
        knowledgeBase: { ...kb, clinic: { ...kb.clinic, id: 'northside', name: 'Northside Clinic' } },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const settings = { VOXANNE_RECORDS_URL: url, VOXANNE_TENANT: 'riverside', RECORDS_API_KEY: SECRET };
    const client = createRecordsClient(settings)!;
    const p = await prepareCall({
      kb,
      engines,
      callId: 'c',
      roomMetadata: '{"tenant":"northside"}',
      settings,
      client,
      logger,
      greeting: kb.agent.greeting,
    });
    assert.deepEqual(seen, [{ url: '/internal/v1/tenants/northside/config', ok: true }]);
    assert.equal(p.tenant, 'northside');
    assert.equal(p.kb.agent.name, 'Nova');
    assert.equal(p.voice, 'aura-2-luna-en');
    assert.equal(p.silenceTimeoutMs, 3000);
    assert.equal(p.greeting, 'Northside Clinic, this is Nova. How can I help?');
    assert.match(p.instructions, /You are Nova, the receptionist at Northside Clinic/);
    assert.match(p.instructions, /Style: Warm and brief\./);
    assert.match(p.instructions, /Call check_availability/);
    assert.ok(p.tools && p.recorder);
    assert.notEqual(p.engines.llm, engines.llm, "the offline brain answers from the tenant's knowledge base");
  } finally {
    server.close();
  }
});

test('an unreachable records server at call start: clinic.yaml, with a warning, and the call goes on', async () => {
  warnings.length = 0;
  const settings = {
    VOXANNE_RECORDS_URL: 'http://127.0.0.1:9',
    VOXANNE_TENANT: 'riverside',
    RECORDS_API_KEY: SECRET,
  };
  const { RecordsClient } = await import('../records/http-client.ts');
  const client = new RecordsClient({
    baseUrl: settings.VOXANNE_RECORDS_URL,
    secret: SECRET,
    sign: contractSigner,
    sleep: async () => {},
  });
  const p = await prepareCall({ kb, engines, callId: 'c', settings, client, logger, greeting: kb.agent.greeting });
  assert.equal(p.kb, kb);
  assert.equal(p.greeting, undefined);
  assert.deepEqual(warnings, ['tenant configuration unavailable; using clinic.yaml']);
});

test('a records server that does not answer delays the call start by at most the config budget', async () => {
  const hang = createServer(() => {
    // never answers
  });
  await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
  try {
    warnings.length = 0;
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
    const settings = { VOXANNE_RECORDS_URL: url, VOXANNE_TENANT: 'riverside', RECORDS_API_KEY: SECRET };
    const p = await prepareCall({
      kb,
      engines,
      callId: 'c',
      settings,
      client: createRecordsClient(settings)!,
      logger,
      greeting: kb.agent.greeting,
    });
    assert.equal(p.kb, kb);
    assert.deepEqual(warnings, ['tenant configuration unavailable; using clinic.yaml']);
  } finally {
    hang.closeAllConnections();
    hang.close();
  }
});
