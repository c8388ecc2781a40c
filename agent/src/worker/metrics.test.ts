import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { afterEach, test } from 'vitest';
import { metricValue, parsePrometheus } from '../../../test/support/prometheus.ts';
import { METRIC_MESSAGE, timedFetch, WARM_MESSAGE, WorkerMetrics } from './metrics.ts';
import { checkReadiness, startHealthServer, type HealthServerOptions } from './health-server.ts';
import type { Server } from 'node:http';

const WATCHDOG = { name: 'voxanne_watchdog_recoveries_total', help: 'stuck calls recovered' };

/** what the worker sees of a job process: its IPC messages and its exit */
function fakeChild() {
  const child = new EventEmitter() as EventEmitter & ChildProcess;
  const send = (m: object) => child.emit('message', { case: METRIC_MESSAGE, value: m });
  return { child, send, warm: () => child.emit('message', { case: WARM_MESSAGE, value: {} }) };
}

async function samples(m: WorkerMetrics) {
  return parsePrometheus((await m.expose()).body);
}

const turn = (v2v: number | null) => ({
  kind: 'turn' as const,
  stt: 'deepgram nova-3',
  metrics: {
    turn: 1,
    sttFinalDelayMs: 150,
    endOfTurnDelayMs: 160,
    llmTtftMs: 100,
    ttsTtfbMs: 90,
    voiceToVoiceMs: v2v,
    engines: { llm: 'groq x', tts: 'aura y' },
  },
});

test('what job processes report lands in one registry: calls by channel, latencies, failures, queues', async () => {
  const m = new WorkerMetrics({ maxCalls: 4, watchdog: WATCHDOG });
  const a = fakeChild();
  const b = fakeChild();
  m.watch(a.child);
  m.watch(b.child);
  a.warm();
  b.warm();
  assert.equal(m.warmProcesses, 2);
  a.send({ kind: 'call_started', channel: 'web' });
  b.send({ kind: 'call_started', channel: 'sip' });
  a.send({ kind: 'greeting', ms: 120 });
  a.send(turn(420));
  a.send(turn(null)); // not measured: no voice-to-voice sample
  a.send({ kind: 'barge_in', ms: 180 });
  a.send({ kind: 'provider_error', stage: 'reply', provider: 'groq x+aura y', error: 'http_5xx' });
  a.send({ kind: 'fallback', stage: 'reply', provider: 'groq x+aura y', error: 'http_5xx' });
  a.send({ kind: 'watchdog_recovery' });
  a.send({ kind: 'records_queue', depth: 3 });
  b.send({ kind: 'records_queue', depth: 2 });
  a.send({ kind: 'records_request', ms: 12, ok: true });
  let s = await samples(m);
  assert.equal(metricValue(s, 'voxanne_calls_active', { channel: 'web' }), 1);
  assert.equal(metricValue(s, 'voxanne_calls_active', { channel: 'sip' }), 1);
  assert.equal(metricValue(s, 'voxanne_worker_load'), 0.5);
  assert.equal(metricValue(s, 'voxanne_job_processes', { state: 'busy' }), 2);
  assert.equal(metricValue(s, 'voxanne_greeting_seconds_count'), 1);
  assert.equal(metricValue(s, 'voxanne_greeting_seconds_sum'), 0.12);
  assert.equal(metricValue(s, 'voxanne_voice_to_voice_seconds_count'), 1);
  assert.equal(metricValue(s, 'voxanne_voice_to_voice_seconds_bucket', { le: '0.5' }), 1);
  assert.equal(metricValue(s, 'voxanne_voice_to_voice_seconds_bucket', { le: '0.4' }), 0);
  assert.equal(metricValue(s, 'voxanne_provider_latency_seconds_count', { stage: 'llm', provider: 'groq x' }), 2);
  assert.equal(
    metricValue(s, 'voxanne_provider_latency_seconds_count', { stage: 'stt', provider: 'deepgram nova-3' }),
    2,
  );
  assert.equal(metricValue(s, 'voxanne_barge_in_seconds_count'), 1);
  assert.equal(metricValue(s, 'voxanne_provider_errors_total', { stage: 'reply', kind: 'http_5xx' }), 1);
  assert.equal(metricValue(s, 'voxanne_provider_fallbacks_total', { stage: 'reply', kind: 'http_5xx' }), 1);
  assert.equal(metricValue(s, WATCHDOG.name), 1);
  assert.equal(metricValue(s, 'voxanne_records_queue_depth'), 5);
  assert.equal(metricValue(s, 'voxanne_records_request_seconds_count', { result: 'ok' }), 1);
  assert.ok(metricValue(s, 'nodejs_eventloop_lag_seconds') >= 0, "the worker's own event-loop lag is exported");

  // one call ends as planned; the other's process dies under it: counted as failed, not left active
  a.send({ kind: 'call_ended', channel: 'web', outcome: 'caller_hung_up' });
  b.child.emit('exit', null, 'SIGKILL');
  s = await samples(m);
  assert.equal(metricValue(s, 'voxanne_calls_active'), 0);
  assert.equal(metricValue(s, 'voxanne_calls_total', { channel: 'web', outcome: 'caller_hung_up' }), 1);
  assert.equal(metricValue(s, 'voxanne_calls_total', { channel: 'sip', outcome: 'failed' }), 1);
  assert.equal(metricValue(s, 'voxanne_records_queue_depth'), 0, 'the dead process and the ended call hold no queue');
  assert.equal(m.warmProcesses, 0);
});

test('timedFetch reports the time and whether the server answered below 500', async () => {
  const seen: [number, boolean][] = [];
  const ok = timedFetch(
    (ms, good) => seen.push([ms, good]),
    async () => new Response('', { status: 201 }),
  );
  const bad = timedFetch(
    (ms, good) => seen.push([ms, good]),
    async () => new Response('', { status: 503 }),
  );
  const down = timedFetch(
    (ms, good) => seen.push([ms, good]),
    async () => {
      throw new TypeError('fetch failed');
    },
  );
  await ok('http://x/');
  await bad('http://x/');
  await assert.rejects(down('http://x/'), TypeError);
  assert.deepEqual(
    seen.map(([, g]) => g),
    [true, false, false],
  );
  assert.ok(seen.every(([ms]) => ms >= 0));
});

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function readinessOptions(o: Partial<HealthServerOptions> & { records?: 'up' | 'down' | 'unreachable' }) {
  const f = (async (url: string | URL | Request) => {
    const u = String(url);
    if (u.startsWith('http://lk')) return new Response('OK');
    if (o.records === 'unreachable') throw new TypeError('fetch failed');
    return Response.json({ ready: o.records === 'up', checks: { db: o.records } }, { status: 200 });
  }) as typeof fetch;
  return {
    port: 0,
    host: '127.0.0.1',
    livekitUrl: 'ws://lk:7880',
    recordsUrl: 'http://web:5173',
    metrics: async () => ({ contentType: 'text/plain', body: 'x 1\n' }),
    warmProcesses: () => 1,
    draining: () => false,
    fetch: f,
    ...o,
  };
}

test('/readyz: LiveKit, the records database (through the web server), a warm process, not draining', async () => {
  assert.deepEqual(await checkReadiness(readinessOptions({ records: 'up' })), {
    ready: true,
    checks: { livekit: 'up', db: 'up', engines: 'warm', draining: false },
  });
  assert.equal((await checkReadiness(readinessOptions({ records: 'down' }))).ready, false);
  assert.equal((await checkReadiness(readinessOptions({ records: 'unreachable' }))).checks.db, 'down');
  assert.equal(
    (await checkReadiness(readinessOptions({ records: 'up', warmProcesses: () => 0 }))).checks.engines,
    'cold',
  );
  assert.equal((await checkReadiness(readinessOptions({ records: 'up', draining: () => true }))).ready, false);
  // no records server configured: nothing to wait for
  assert.equal((await checkReadiness(readinessOptions({ recordsUrl: undefined }))).checks.db, 'none');
  assert.equal((await checkReadiness(readinessOptions({ recordsUrl: undefined }))).ready, true);
  // LiveKit refusing
  const lkDown = readinessOptions({ records: 'up' });
  const inner = lkDown.fetch;
  lkDown.fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    if (String(url).startsWith('http://lk')) throw new TypeError('fetch failed');
    return inner(url, init);
  }) as typeof fetch;
  assert.equal((await checkReadiness(lkDown)).checks.livekit, 'down');
});

test('the operations port answers /metrics, /healthz and /readyz, and 404 for anything else', async () => {
  let draining = false;
  const { server, port } = await startHealthServer(readinessOptions({ records: 'up', draining: () => draining }));
  servers.push(server);
  const get = (path: string, method = 'GET') => fetch(`http://127.0.0.1:${port}${path}`, { method });
  const metrics = await get('/metrics');
  assert.equal(metrics.status, 200);
  assert.equal(await metrics.text(), 'x 1\n');
  assert.deepEqual(await (await get('/healthz')).json(), { ok: true });
  assert.equal((await get('/readyz')).status, 200);
  draining = true;
  const r = await get('/readyz');
  assert.equal(r.status, 503);
  assert.equal(((await r.json()) as { checks: { draining: boolean } }).checks.draining, true);
  assert.equal((await get('/nope')).status, 404);
  assert.equal((await get('/metrics', 'POST')).status, 405);
});

test('every metric the committed Grafana dashboard plots is one the worker or the web server exports', async () => {
  const { WebMetrics } = await import('../../../web/server/metrics.ts');
  const { readFileSync } = await import('node:fs');
  const dashboard = JSON.parse(
    readFileSync(new URL('../../../ops/grafana/voxanne-dashboard.json', import.meta.url), 'utf8'),
  ) as { panels: { targets: { expr: string }[] }[] };
  const exported = new Set(
    [
      ...(await new WorkerMetrics({ maxCalls: 1, watchdog: WATCHDOG }).registry.getMetricsAsJSON()),
      ...(await new WebMetrics().registry.getMetricsAsJSON()),
    ].map((m) => m.name),
  );
  const used = dashboard.panels
    .flatMap((p) => p.targets.map((t) => t.expr))
    .flatMap((e) => [...e.matchAll(/\b(voxanne_\w+|nodejs_\w+|process_\w+)/g)].map((m) => m[1]!))
    .map((n) => n.replace(/_(bucket|count|sum)$/, ''));
  assert.ok(used.length >= 10);
  for (const n of used) assert.ok(exported.has(n), `the dashboard plots ${n}, which nothing exports`);
});
