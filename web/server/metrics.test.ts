import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import { metricValue, parsePrometheus } from '../../test/support/prometheus.ts';
import { openPglite } from './db/db.ts';
import { migrate } from './db/migrations.ts';
import { initClinic } from './db/seed.ts';
import { createRecords, type Records } from './records/index.ts';
import { SILENT, startWebServer, testConfig, type Running } from './test-support.ts';

let dir: string;
let records: Records;
let web: Running;
let livekit: Server;
let draining = false;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voxanne-web-metrics-'));
  const db = await openPglite(dir);
  await migrate(db);
  records = createRecords(db, { logger: SILENT, secret: 'test-secret-that-is-long-enough-0123456789' });
  // LiveKit's root path answers 200 "OK"; this stands in for it
  livekit = createServer((_req, res) => res.end('OK'));
  await new Promise<void>((r) => livekit.listen(0, '127.0.0.1', r));
  const lkPort = (livekit.address() as AddressInfo).port;
  web = await startWebServer(testConfig({ livekitUrl: `ws://127.0.0.1:${lkPort}` }), {
    records,
    draining: () => draining,
  });
});

afterAll(async () => {
  await web?.stop();
  livekit?.close();
  await records?.close().catch(() => {}); // the last test closes it already
  await rm(dir, { recursive: true, force: true });
});

const get = (path: string, method = 'GET') => fetch(`${web.baseUrl}${path}`, { method });

test('/healthz answers while the process runs; other methods are refused', async () => {
  const r = await get('/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { ok: true });
  assert.equal((await get('/healthz', 'POST')).status, 405);
});

test('/metrics: calls by channel and status read from the records, database latency, requests by area', async () => {
  await initClinic(records.deps.db, { kbPath: testConfig().knowledgeBasePath, slug: 'riverside' });
  const tenant = (await records.deps.db.query<{ id: string }>('select id from tenants limit 1'))[0]?.id;
  assert.ok(tenant, 'a clinic exists to hang calls on');
  for (const [id, channel, status] of [
    ['c1', 'web', 'in_progress'],
    ['c2', 'sip', 'in_progress'],
    ['c3', 'sip', 'completed'],
  ] as const)
    await records.deps.db.query(
      `insert into call_sessions
         (id, tenant_id, room, channel, caller_identity, started_at, status, engine_stt, engine_llm, engine_tts, mode)
       values ($1, $2, 'r', $3, 'caller', now(), $4, 's', 'l', 't', 'cloud')`,
      [id, tenant, channel, status],
    );
  const r = await get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') ?? '', /text\/plain/);
  const s = parsePrometheus(await r.text());
  assert.equal(metricValue(s, 'voxanne_calls', { channel: 'web', status: 'in_progress' }), 1);
  assert.equal(metricValue(s, 'voxanne_calls', { channel: 'sip', status: 'in_progress' }), 1);
  assert.equal(metricValue(s, 'voxanne_calls', { channel: 'sip', status: 'completed' }), 1);
  assert.equal(metricValue(s, 'voxanne_calls', { channel: 'web', status: 'failed' }), 0);
  // the inserts above went through the timed database
  assert.ok(metricValue(s, 'voxanne_db_query_seconds_count', { op: 'query', result: 'ok' }) >= 4);
  assert.ok(metricValue(s, 'voxanne_http_requests_total', { area: 'ops', status: '2xx' }) >= 1);
  assert.ok(metricValue(s, 'process_resident_memory_bytes') > 0);
});

test('/readyz: LiveKit and the database up and not stopping → 200; stopping or a dead database → 503', async () => {
  let r = await get('/readyz');
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), {
    ready: true,
    checks: { livekit: 'up', db: 'up', engines: 'n/a', draining: false },
  });
  draining = true;
  r = await get('/readyz');
  assert.equal(r.status, 503);
  draining = false;
  await records.close();
  r = await get('/readyz');
  assert.equal(r.status, 503);
  assert.equal(((await r.json()) as { checks: { db: string } }).checks.db, 'down');
});
