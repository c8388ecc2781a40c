// Bad input to both record APIs, on PGlite and PostgreSQL: a NUL byte anywhere is a 400 naming the field, never a 500.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { forEachDatabase } from '../db/testing/databases.ts';
import { nulField } from './http.ts';
import { MAX_STREAMS_PER_SESSION } from './live-stream.ts';
import { call, callStart, login, makeClinic, signed, startRecordsServer, type RecordsServer } from './testing.ts';

describe('nulField', () => {
  it('names the first value or key holding a NUL byte, however deep', () => {
    assert.equal(nulField({ a: 'ok', b: { c: ['x', 'y\0'] } }, ''), 'b.c.1');
    assert.equal(nulField({ ['k\0']: 1 }, ''), 'k\0');
    assert.equal(nulField('\0', ''), '');
    assert.equal(nulField({ a: 'fine', n: 1, z: null }, ''), undefined);
    let deep: unknown = 'bad\0';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    assert.equal(nulField(deep, '')?.split('.').length, 200_000);
  });
});

forEachDatabase('bad input', (h) => {
  let web: RecordsServer;
  let base: string;
  let owner: string;
  beforeAll(async () => {
    await makeClinic(h.db, 'nulls');
    web = await startRecordsServer(h.db);
    base = web.baseUrl;
    owner = await login(base, 'owner@nulls.test');
    assert.equal((await signed(base, 'POST', '/internal/v1/calls', callStart('nul-call', 'nulls'))).status, 201);
  });
  afterAll(() => web?.stop());

  it('a NUL in a signed body is a 400 naming the field, and nothing is stored', async () => {
    const r = await signed(
      base,
      'POST',
      '/internal/v1/calls',
      callStart('nul-2', 'nulls', { callerIdentity: 'sip_\0x' }),
    );
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, {
      error: 'callerIdentity must not contain a NUL byte or a lone surrogate',
      field: 'callerIdentity',
    });
    assert.equal((await signed(base, 'GET', '/internal/v1/calls/nul-2')).status, 404);
    const turn = await signed(base, 'POST', '/internal/v1/calls/nul-call/turns', {
      index: 0,
      speaker: 'caller',
      text: 'hello\0',
      startedAt: new Date().toISOString(),
      endedAt: new Date().toISOString(),
      interrupted: false,
    });
    assert.equal(turn.status, 400);
    assert.equal(turn.body.field, 'text');
    // found by npm run fuzz: a lone surrogate, and a year PostgreSQL does not have, were 500s
    const half = await signed(base, 'POST', '/internal/v1/calls/nul-call/states', {
      id: 'h1',
      state: 'x\udf88',
      at: new Date().toISOString(),
    });
    assert.equal(half.status, 400);
    assert.equal(half.body.field, 'state');
    const year0 = await call(base, 'GET', '/api/calls?to=0000-01-01T00%3A00%3A00%2B00%3A00', { cookie: owner });
    assert.equal(year0.status, 400);
    assert.equal(year0.body.field, 'to');
  });

  it('a NUL in a path parameter or a query is a 400 naming it', async () => {
    const p = await signed(base, 'GET', '/internal/v1/calls/nul%00call');
    assert.equal(p.status, 400);
    assert.equal(p.body.field, 'callId');
    const q = await signed(base, 'GET', '/internal/v1/tenants/nulls/bookings?phone=%2B15551234567%00');
    assert.equal(q.status, 400);
    assert.equal(q.body.field, 'phone');
    const d = await call(base, 'GET', '/api/calls?q=%00', { cookie: owner });
    assert.equal(d.status, 400);
    assert.equal(d.body.field, 'q');
    const c = await call(base, 'GET', '/api/calls/x%00', { cookie: owner });
    assert.equal(c.status, 400);
    assert.equal(c.body.field, 'callId');
  });

  it('a NUL in a dashboard body (settings, login) is a 400 naming the field', async () => {
    const s = await call(base, 'PUT', '/api/settings', { cookie: owner, body: { agentName: 'V\0' } });
    assert.equal(s.status, 400);
    assert.equal(s.body.field, 'agentName');
    const l = await call(base, 'POST', '/api/auth/login', { body: { email: 'a\0@b', password: 'x' } });
    assert.equal(l.status, 400);
    assert.equal(l.body.field, 'email');
  });

  it('live streams capped per login session: a clear 429 above the cap, a place freed when one closes', async () => {
    const open = async (cookie: string) => {
      const ctrl = new AbortController();
      const res = await fetch(`${base}/api/live/stream`, { headers: { cookie }, signal: ctrl.signal });
      return { res, close: () => ctrl.abort() };
    };
    const streams = [];
    for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) streams.push(await open(owner));
    assert.deepEqual(
      streams.map((s) => s.res.status),
      Array(MAX_STREAMS_PER_SESSION).fill(200),
    );
    const over = await open(owner);
    assert.equal(over.res.status, 429);
    assert.match(((await over.res.json()) as { error: string }).error, /at most 5 live streams per login session/);
    // another session of the same user is counted on its own
    const other = await open(await login(base, 'owner@nulls.test'));
    assert.equal(other.res.status, 200);
    other.close();
    streams.pop()!.close();
    let again = await open(owner);
    for (let i = 0; again.res.status === 429 && i < 50; i++) {
      await new Promise((r) => setTimeout(r, 20)); // the server sees the abort as the socket closes
      again = await open(owner);
    }
    assert.equal(again.res.status, 200);
    again.close();
    for (const s of streams) s.close();
  });
});
