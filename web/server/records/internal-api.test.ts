// The agent's internal API over HTTP (RECORDS-API.md), on PGlite and PostgreSQL.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, it } from 'vitest';
import { newNonce, signRecordsRequest } from '@voxanne/contracts/signature';
import { slotsOn } from '../db/bookings.ts';
import { knowledgeBaseOf } from '../db/tenants.ts';
import { forEachDatabase } from '../db/testing/databases.ts';
import {
  call,
  callStart,
  login,
  makeClinic,
  openDay,
  SECRET,
  signed,
  startRecordsServer,
  type RecordsServer,
} from './testing.ts';

forEachDatabase('internal records API', (h) => {
  let web: RecordsServer;
  let base: string;
  beforeAll(async () => {
    await makeClinic(h.db, 'riverside', 'Riverside Aesthetic Surgery');
    web = await startRecordsServer(h.db);
    base = web.baseUrl;
  });
  afterAll(() => web?.stop());

  it('refuses a missing, wrong or stale signature with 401', async () => {
    const plain = await fetch(`${base}/internal/v1/tenants/riverside/config`);
    assert.equal(plain.status, 401);
    assert.equal(
      (await signed(base, 'GET', '/internal/v1/tenants/riverside/config', undefined, { secret: 'another-secret' }))
        .status,
      401,
    );
    const stale = await signed(base, 'GET', '/internal/v1/tenants/riverside/config', undefined, {
      timestamp: Date.now() - 61_000,
    });
    assert.equal(stale.status, 401);
    assert.deepEqual(stale.body, { error: 'stale signature' });
    // the signature covers the body: the same headers with another body are refused
    const ts = String(Date.now());
    const nonce = newNonce();
    const sig = signRecordsRequest(SECRET, {
      timestamp: ts,
      nonce,
      method: 'POST',
      path: '/internal/v1/calls',
      body: '{}',
    });
    const r = await fetch(`${base}/internal/v1/calls`, {
      method: 'POST',
      headers: { 'x-voxanne-timestamp': ts, 'x-voxanne-nonce': nonce, 'x-voxanne-signature': sig },
      body: '{"x":1}',
    });
    assert.equal(r.status, 401);
  });

  it('accepts a signed request once: a replay within the window is refused (probe finding 5)', async () => {
    const path = '/internal/v1/tenants/riverside/config';
    const ts = String(Date.now());
    const nonce = newNonce();
    const headers = {
      'x-voxanne-timestamp': ts,
      'x-voxanne-nonce': nonce,
      'x-voxanne-signature': signRecordsRequest(SECRET, { timestamp: ts, nonce, method: 'GET', path, body: '' }),
    };
    assert.equal((await fetch(`${base}${path}`, { headers })).status, 200);
    const replay = await fetch(`${base}${path}`, { headers });
    assert.equal(replay.status, 401);
    assert.deepEqual(await replay.json(), { error: 'replayed signature' });
    // no nonce at all: not signed in the current sense
    const { 'x-voxanne-nonce': _dropped, ...noNonce } = headers;
    assert.equal((await fetch(`${base}${path}`, { headers: noNonce })).status, 401);
  });

  it('is keyed by RECORDS_API_KEY, not the LiveKit secret', async () => {
    const r = await signed(base, 'GET', '/internal/v1/tenants/riverside/config', undefined, {
      secret: web.config.livekitApiSecret,
    });
    assert.equal(r.status, 401);
  });

  it('serves the clinic configuration; unknown clinic is 404', async () => {
    const r = await signed(base, 'GET', '/internal/v1/tenants/riverside/config');
    assert.equal(r.status, 200);
    assert.equal(r.body.tenant, 'riverside');
    assert.equal(r.body.agentName, 'Voxanne');
    assert.equal(r.body.silenceTimeoutMs, 3000);
    assert.equal(r.body.knowledgeBase.clinic.timezone, 'America/Los_Angeles');
    assert.equal((await signed(base, 'GET', '/internal/v1/tenants/nowhere/config')).status, 404);
  });

  it('records a call: start 201 then 200, turns 201 then 200, states, end; unknown call 404', async () => {
    const start = callStart('call-int-1', 'riverside');
    assert.equal((await signed(base, 'POST', '/internal/v1/calls', start)).status, 201);
    const again = await signed(base, 'POST', '/internal/v1/calls', start);
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { callId: 'call-int-1' });
    const now = new Date().toISOString();
    const turn = {
      index: 0,
      speaker: 'agent',
      text: 'Hi there',
      startedAt: now,
      endedAt: now,
      interrupted: false,
      metrics: { v2vMs: 512, llmFirstTokenMs: 200 },
    };
    assert.equal((await signed(base, 'POST', '/internal/v1/calls/call-int-1/turns', turn)).status, 201);
    assert.equal((await signed(base, 'POST', '/internal/v1/calls/call-int-1/turns', turn)).status, 200);
    assert.equal(
      (await signed(base, 'POST', '/internal/v1/calls/call-int-1/states', { id: 's-1', state: 'SPEAKING', at: now }))
        .status,
      201,
    );
    // the same change sent again (its answer was lost) is stored once
    assert.equal(
      (await signed(base, 'POST', '/internal/v1/calls/call-int-1/states', { id: 's-1', state: 'SPEAKING', at: now }))
        .status,
      200,
    );
    assert.equal(
      (await signed(base, 'POST', '/internal/v1/calls/call-int-1/states', { state: 'SPEAKING', at: now })).body.field,
      'id',
    );
    const rows = await h.db.query<{ n: number }>(
      `select count(*)::int as n from call_states where call_id = 'call-int-1'`,
    );
    assert.equal(rows[0]!.n, 1);
    await signed(base, 'POST', '/internal/v1/calls/call-int-1/turns', {
      ...turn,
      index: 0,
      speaker: 'caller',
      text: 'Hello',
    });
    // what a job taking over the call reads: the caller's words before her answer within a turn
    const read = await signed(base, 'GET', '/internal/v1/calls/call-int-1');
    assert.equal(read.status, 200);
    assert.equal(read.body.status, 'in_progress');
    assert.deepEqual(
      read.body.turns.map((t: { speaker: string; text: string }) => [t.speaker, t.text]),
      [
        ['caller', 'Hello'],
        ['agent', 'Hi there'],
      ],
    );
    assert.equal((await signed(base, 'GET', '/internal/v1/calls/nope')).status, 404);
    assert.equal(
      (
        await signed(base, 'POST', '/internal/v1/calls/call-int-1/end', {
          endedAt: now,
          status: 'completed',
          summary: 'Said hi.',
        })
      ).status,
      200,
    );
    assert.equal((await signed(base, 'POST', '/internal/v1/calls/nope/turns', turn)).status, 404);
    assert.equal((await signed(base, 'POST', '/internal/v1/calls', callStart('x', 'nowhere'))).status, 404);
  });

  it('names the field of a bad request', async () => {
    const cases: [unknown, string][] = [
      [{ ...callStart('b1', 'riverside'), channel: 'fax' }, 'channel'],
      [{ ...callStart('b1', 'riverside'), startedAt: 'yesterday' }, 'startedAt'],
      [{ ...callStart('b1', 'riverside'), engines: { stt: 'a', llm: 'b', tts: 'c', mode: 'turbo' } }, 'engines.mode'],
      [{ ...callStart('b1', 'riverside'), callId: undefined }, 'callId'],
      [[1, 2], 'body'],
    ];
    for (const [body, field] of cases) {
      const r = await signed(base, 'POST', '/internal/v1/calls', body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.field, field);
    }
    const bad = await signed(base, 'POST', '/internal/v1/calls', '{"callId":');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'body');
    assert.equal(
      (await signed(base, 'GET', '/internal/v1/tenants/riverside/availability?date=2026-02-30&service=bbl')).body.field,
      'date',
    );
  });

  it('books: availability, 201, 409 for the slot taken, two at once 201 + 409, reschedule, cancel, find', async () => {
    const date = openDay(3);
    const avail = await signed(
      base,
      'GET',
      `/internal/v1/tenants/riverside/availability?date=${date}&service=rhinoplasty`,
    );
    assert.equal(avail.status, 200);
    const kb = await knowledgeBaseOf(
      h.db,
      (await h.db.query<{ id: string }>(`select id from tenants where slug = 'riverside'`))[0]!.id,
    );
    assert.deepEqual(avail.body.slots, slotsOn(kb, date));
    const [s0, s1, s2] = avail.body.slots as { startsAt: string }[];
    const path = '/internal/v1/tenants/riverside/bookings';
    const b = {
      name: 'Sarah Lee',
      phone: '+15551234567',
      service: 'rhinoplasty',
      startsAt: s0!.startsAt,
      callId: 'call-int-1',
    };
    const first = await signed(base, 'POST', path, b);
    assert.equal(first.status, 201);
    assert.equal(first.body.booking.status, 'booked');
    assert.equal(first.body.booking.tenant, 'riverside');
    assert.equal(first.body.booking.priceCents, 700000);
    const taken = await signed(base, 'POST', path, { ...b, name: 'Other' });
    assert.equal(taken.status, 409);
    assert.deepEqual(taken.body, { error: 'slot taken' });

    const race = await Promise.all([
      signed(base, 'POST', path, { ...b, startsAt: s1!.startsAt }),
      signed(base, 'POST', path, { ...b, name: 'Rival', startsAt: s1!.startsAt }),
    ]);
    assert.deepEqual(race.map((r) => r.status).sort(), [201, 409]);

    const mine = await signed(base, 'GET', `${path}?phone=${encodeURIComponent('+15551234567')}`);
    assert.equal(mine.body.bookings.length, 2);
    assert.equal((await signed(base, 'GET', `${path}?phone=123`)).body.field, 'phone');
    const id = first.body.booking.id as string;
    assert.equal((await signed(base, 'POST', `${path}/${id}/reschedule`, { startsAt: s1!.startsAt })).status, 409);
    const moved = await signed(base, 'POST', `${path}/${id}/reschedule`, { startsAt: s2!.startsAt });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.booking.startsAt, new Date(s2!.startsAt).toISOString());
    const cancelled = await signed(base, 'POST', `${path}/${id}/cancel`, {});
    assert.equal(cancelled.body.booking.status, 'cancelled');
    assert.equal((await signed(base, 'POST', `${path}/bk_nope/cancel`, {})).status, 404);
    const after = await signed(
      base,
      'GET',
      `/internal/v1/tenants/riverside/availability?date=${date}&service=rhinoplasty`,
    );
    assert.ok(
      after.body.slots.some((s: { startsAt: string }) => s.startsAt === s2!.startsAt),
      'a cancelled slot is free again',
    );
  });

  it('a new patient’s intake is stored with the booking, read back by the agent and shown to staff', async () => {
    const date = '2031-06-03'; // a Tuesday, open
    const path = '/internal/v1/tenants/riverside/bookings';
    const avail = await signed(base, 'GET', `/internal/v1/tenants/riverside/availability?date=${date}&service=botox`);
    const slot = (avail.body.slots as { startsAt: string }[]).at(-1)!;
    const intake = {
      dateOfBirth: '1985-03-04',
      email: 'maria.lopez@example.com',
      insurance: 'self-pay',
      reason: 'frown lines',
      referral: 'a friend',
    };
    const b = { name: 'Maria Lopez', phone: '+15557654321', service: 'botox', startsAt: slot.startsAt, intake };
    // a bad field is named and nothing is stored
    const bad = await signed(base, 'POST', path, { ...b, intake: { ...intake, dateOfBirth: '1985-02-30' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'intake.dateOfBirth');
    assert.equal((await signed(base, 'POST', path, { ...b, intake: { ...intake, shoeSize: '9' } })).status, 400);
    assert.equal(
      (await signed(base, 'POST', path, { ...b, intake: { email: 'not an email' } })).body.field,
      'intake.email',
    );
    const made = await signed(base, 'POST', path, b);
    assert.equal(made.status, 201);
    assert.deepEqual(made.body.booking.intake, intake);
    const found = await signed(base, 'GET', `${path}?phone=${encodeURIComponent('+15557654321')}`);
    assert.deepEqual(found.body.bookings[0].intake, intake);
    // a booking without one says so with null
    const [other] = (avail.body.slots as { startsAt: string }[]).slice(-2);
    const plain = await signed(base, 'POST', path, {
      ...b,
      phone: '+15557654322',
      startsAt: other!.startsAt,
      intake: undefined,
    });
    assert.equal(plain.body.booking.intake, null);
    const owner = await login(base, 'owner@riverside.test');
    const list = await call(base, 'GET', `/api/bookings?from=${date}`, { cookie: owner });
    const mine = (list.body.bookings as { phone: string; intake: unknown }[]).find((x) => x.phone === '+15557654321');
    assert.deepEqual(mine?.intake, intake);
  });

  it('a saved greeting reaches the agent at the next call', async () => {
    const owner = await login(base, 'owner@riverside.test');
    const current = (await call(base, 'GET', '/api/settings', { cookie: owner })).body;
    const put = await call(base, 'PUT', '/api/settings', {
      cookie: owner,
      body: { ...current, greeting: 'Hello from the new greeting!' },
    });
    assert.equal(put.status, 200);
    const cfg = await signed(base, 'GET', '/internal/v1/tenants/riverside/config');
    assert.equal(cfg.body.greeting, 'Hello from the new greeting!');
    assert.equal(cfg.body.knowledgeBase.agent.greeting, 'Hello from the new greeting!');
  });
});
