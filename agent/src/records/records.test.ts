import { test } from 'vitest';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import { RecordsClient, type Signer } from './http-client.ts';
import { HttpBookingStore, HttpCallRecorder } from './http-records.ts';
import { MemoryRecords } from './memory-records.ts';
import { RecordsError, SlotTakenError } from './types.ts';

const kb = await loadKnowledgeBase();
// Monday 2026-03-02, 09:00 in San Diego
const NOW = new Date('2026-03-02T17:00:00Z');
/** the start of call c1, web, at NOW */
const C1_START = {
  callId: 'c1',
  tenant: 'riverside',
  room: 'r',
  channel: 'web',
  callerIdentity: 'u',
  startedAt: NOW.toISOString(),
  engines: { stt: 'a', llm: 'b', tts: 'c', mode: 'offline' },
} as const;
const SECRET = 'test-secret-0123456789abcdef0123456789';
const sign: Signer = (secret, p) =>
  createHmac('sha256', secret).update(`${p.timestamp}.${p.nonce}.${p.method}.${p.path}.${p.body}`).digest('hex');
const quiet = { warn() {}, error() {} };

test('memory store: free slots within opening hours, in the clinic time zone, none on a closed day', async () => {
  const m = new MemoryRecords(kb, () => NOW);
  const tuesday = await m.availability('2026-03-03', 'consultation');
  assert.equal(tuesday.length, 18, 'eight to five in half-hour slots');
  assert.equal(tuesday[0]!.startsAt, '2026-03-03T08:00:00-08:00');
  assert.equal(tuesday.at(-1)!.endsAt, '2026-03-03T17:00:00-08:00');
  assert.equal(tuesday.at(-1)!.startsAt, '2026-03-03T16:30:00-08:00');
  assert.deepEqual(await m.availability('2026-03-08', 'consultation'), [], 'Sunday is closed');
  const today = await m.availability('2026-03-02', 'consultation');
  assert.equal(today[0]!.startsAt, '2026-03-02T09:30:00-08:00', 'past slots are not offered');
  await assert.rejects(m.availability('2026-03-03', 'hair-transplant'), (e: RecordsError) => e.field === 'service');
});

test('memory store: a slot can be booked once, also by two calls at the same moment', async () => {
  const m = new MemoryRecords(kb, () => NOW);
  const slot = '2026-03-03T10:00:00-08:00';
  const results = await Promise.allSettled([
    m.book({ callId: 'a', name: 'Sarah Jones', phone: '+16195550100', service: 'consultation', startsAt: slot }),
    m.book({ callId: 'b', name: 'Tom Lee', phone: '+16195550111', service: 'consultation', startsAt: slot }),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof SlotTakenError));
  assert.ok(!(await m.availability('2026-03-03', 'consultation')).some((s) => s.startsAt === slot));
  const [mine] = await m.findByPhone('+16195550100');
  assert.equal(mine?.name, 'Sarah Jones');
  const moved = await m.reschedule(mine!.id, '2026-03-04T14:00:00-08:00');
  assert.equal(moved.startsAt, '2026-03-04T14:00:00-08:00');
  await m.cancel(mine!.id);
  assert.deepEqual(await m.findByPhone('+16195550100'), []);
  await assert.rejects(
    m.book({ name: 'X', phone: '+16195550100', service: 'botox', startsAt: '2026-03-03T10:15:00-08:00' }),
    /not a slot/,
  );
});

/** A small stand-in for the web server's internal API: checks signatures, can be made unavailable. */
async function fakeRecordsServer() {
  const store = new MemoryRecords(kb, () => NOW);
  const received: Array<{ method: string; path: string; body: unknown }> = [];
  let down = 0;
  // every request, each retry included, must carry a nonce never seen before
  const seenNonces = new Set<string>();
  // node's request listener cannot be awaited; every path below answers the request itself
  const server = createServer(
    (req: IncomingMessage, res: ServerResponse) =>
      void (async () => {
        let body = '';
        for await (const c of req) body += c;
        const send = (status: number, json: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(json));
        };
        if (down > 0) {
          down--;
          return send(503, { error: 'restarting' });
        }
        const timestamp = String(req.headers['x-voxanne-timestamp']);
        const nonce = String(req.headers['x-voxanne-nonce']);
        if (seenNonces.has(nonce)) return send(401, { error: 'replayed signature' });
        seenNonces.add(nonce);
        if (
          req.headers['x-voxanne-signature'] !==
          sign(SECRET, { timestamp, nonce, method: req.method!, path: req.url!, body })
        )
          return send(401, { error: 'bad signature' });
        const url = new URL(req.url!, 'http://x');
        const parsed = body ? JSON.parse(body) : undefined;
        received.push({ method: req.method!, path: url.pathname, body: parsed });
        try {
          const p = url.pathname.replace('/internal/v1', '');
          if (p === '/tenants/riverside/availability')
            return send(200, {
              slots: await store.availability(url.searchParams.get('date')!, url.searchParams.get('service')!),
            });
          if (p === '/tenants/riverside/bookings' && req.method === 'POST')
            return send(201, { booking: await store.book(parsed) });
          if (p === '/tenants/riverside/bookings')
            return send(200, { bookings: await store.findByPhone(url.searchParams.get('phone')!) });
          if (p.startsWith('/calls')) return send(201, {});
          return send(404, { error: 'not found' });
        } catch (err) {
          const e = err as RecordsError;
          return send(e.status ?? 500, { error: e.message, field: e.field });
        }
      })(),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    store,
    failNext: (n: number) => (down = n),
    close: () => new Promise((r) => server.close(r)),
  };
}

test('http store: signed requests, a slot taken is a typed error, a brief outage is retried', async () => {
  const srv = await fakeRecordsServer();
  try {
    const client = new RecordsClient({ baseUrl: srv.url, secret: SECRET, sign, sleep: async () => {} });
    const store = new HttpBookingStore(client, 'riverside');
    srv.failNext(2);
    const slots = await store.availability('2026-03-03', 'consultation');
    assert.equal(slots.length, 18);
    const b = await store.book({
      name: 'Sarah Jones',
      phone: '+16195550100',
      service: 'consultation',
      startsAt: slots[0]!.startsAt,
    });
    assert.equal(b.name, 'Sarah Jones');
    await assert.rejects(
      store.book({ name: 'Tom', phone: '+16195550111', service: 'consultation', startsAt: slots[0]!.startsAt }),
      SlotTakenError,
    );
    assert.equal((await store.findByPhone('+16195550100'))[0]?.id, b.id);
    const wrong = new HttpBookingStore(
      new RecordsClient({ baseUrl: srv.url, secret: 'another-secret-0123456789abcdefghij', sign }),
      'riverside',
    );
    await assert.rejects(
      wrong.findByPhone('+1'),
      (e: RecordsError) => e.status === 401 && !e.retryable && /bad signature/.test(e.message),
    );
    srv.failNext(10);
    await assert.rejects(
      store.availability('2026-03-03', 'consultation'),
      (e: RecordsError) => e.status === 503 && /GET \/internal\/v1\/tenants/.test(e.message),
    );
  } finally {
    await srv.close();
  }
});

test('http store: a retried booking whose first attempt landed is recognised as ours', async () => {
  const srv = await fakeRecordsServer();
  try {
    let calls = 0;
    const flaky: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      // the first POST lands on the server but its response is lost
      if (init?.method === 'POST' && calls++ === 0) throw new TypeError('socket hang up');
      return res;
    };
    const store = new HttpBookingStore(
      new RecordsClient({ baseUrl: srv.url, secret: SECRET, sign, fetch: flaky, sleep: async () => {} }),
      'riverside',
    );
    const b = await store.book({
      name: 'Sarah Jones',
      phone: '+16195550100',
      service: 'consultation',
      startsAt: '2026-03-03T09:00:00-08:00',
    });
    assert.equal(b.startsAt, '2026-03-03T09:00:00-08:00');
    assert.equal(srv.store.bookings.length, 1);
  } finally {
    await srv.close();
  }
});

test('call recorder: writes in order, holds them through an outage, loses nothing', async () => {
  const srv = await fakeRecordsServer();
  try {
    const rec = new HttpCallRecorder(new RecordsClient({ baseUrl: srv.url, secret: SECRET, sign }), quiet, {
      sleep: async () => {},
    });
    srv.failNext(5);
    rec.start(C1_START);
    for (let i = 0; i < 3; i++)
      rec.turn('c1', {
        index: i,
        speaker: 'caller',
        text: `t${i}`,
        startedAt: NOW.toISOString(),
        endedAt: NOW.toISOString(),
        interrupted: false,
      });
    rec.state('c1', { state: 'LISTENING', at: NOW.toISOString() });
    rec.end('c1', { endedAt: NOW.toISOString(), status: 'completed', summary: 'asked about botox' });
    assert.equal(await rec.flush(), 0);
    assert.deepEqual(
      srv.received.map((r) => r.path),
      [
        '/internal/v1/calls',
        '/internal/v1/calls/c1/turns',
        '/internal/v1/calls/c1/turns',
        '/internal/v1/calls/c1/turns',
        '/internal/v1/calls/c1/states',
        '/internal/v1/calls/c1/end',
      ],
    );
  } finally {
    await srv.close();
  }
});

test('call recorder: a full queue drops state changes first and counts what it dropped', async () => {
  const never: typeof fetch = () => new Promise(() => {});
  const rec = new HttpCallRecorder(
    new RecordsClient({ baseUrl: 'http://127.0.0.1:9', secret: SECRET, sign, fetch: never }),
    quiet,
    { maxQueue: 3 },
  );
  rec.start({
    callId: 'c',
    tenant: 't',
    room: 'r',
    channel: 'web',
    callerIdentity: 'u',
    startedAt: '',
    engines: { stt: '', llm: '', tts: '', mode: 'offline' },
  });
  rec.state('c', { state: 'A', at: '' });
  rec.turn('c', { index: 0, speaker: 'caller', text: 'x', startedAt: '', endedAt: '', interrupted: false });
  rec.end('c', { endedAt: '', status: 'completed' });
  assert.equal(rec.dropped, 1);
  assert.equal(rec.pending, 3);
  assert.equal(await rec.flush(1), 3, 'undelivered entries are reported, not hidden');
});

test('call recorder: a state change whose answer was lost is resent with the same id; each has its own', async () => {
  const srv = await fakeRecordsServer();
  try {
    const sent: { id: string; state: string }[] = [];
    let lost = 2;
    const flaky: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (String(input).endsWith('/states')) {
        sent.push(JSON.parse(String(init?.body)) as { id: string; state: string });
        // the server stored it, but the answer never reaches the agent
        if (lost-- > 0) throw new TypeError('socket hang up');
      }
      return res;
    };
    const client = () =>
      new RecordsClient({ baseUrl: srv.url, secret: SECRET, sign, fetch: flaky, sleep: async () => {} });
    const rec = new HttpCallRecorder(client(), quiet, { sleep: async () => {} });
    rec.start(C1_START);
    rec.state('c1', { state: 'LISTENING', at: NOW.toISOString() });
    rec.state('c1', { state: 'PROCESSING', at: NOW.toISOString() });
    assert.equal(await rec.flush(), 0);
    assert.deepEqual(
      sent.map((s) => s.state),
      ['LISTENING', 'LISTENING', 'LISTENING', 'PROCESSING'],
    );
    assert.equal(new Set(sent.slice(0, 3).map((s) => s.id)).size, 1, 'three deliveries of one change, one id');
    assert.notEqual(sent[3]!.id, sent[0]!.id, 'another change, another id');
    // a second recorder on the same call (a job taking over after a crash) cannot reuse the first one's ids
    const next = new HttpCallRecorder(client(), quiet, { sleep: async () => {} });
    next.state('c1', { state: 'LISTENING', at: NOW.toISOString() });
    assert.equal(await next.flush(), 0);
    assert.ok(!sent.slice(0, 4).some((s) => s.id === sent[4]!.id), 'ids are unique across the jobs of one call');
  } finally {
    await srv.close();
  }
});
