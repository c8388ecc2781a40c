// The dashboard API over HTTP, on PGlite and PostgreSQL: login, sessions, roles, every page's data, errors.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, it } from 'vitest';
import { forEachDatabase } from '../db/testing/databases.ts';
import { LOGIN_LIMITS, LoginLimits } from './auth.ts';
import { DASHBOARD_ROUTES } from './dashboard-api.ts';
import {
  bookFreeSlot,
  call,
  callStart,
  login,
  makeClinic,
  PASSWORD,
  signed,
  startRecordsServer,
  type RecordsServer,
} from './testing.ts';

forEachDatabase('dashboard API', (h) => {
  let web: RecordsServer;
  let base: string;
  let clock = 1_000_000;
  let owner: string;
  let staff: string;
  beforeAll(async () => {
    await makeClinic(h.db, 'alpha', 'Alpha Clinic');
    web = await startRecordsServer(h.db, new LoginLimits(() => clock));
    base = web.baseUrl;
    owner = await login(base, 'owner@alpha.test');
    staff = await login(base, 'staff@alpha.test');
    // two recorded calls and a booking, through the agent's API
    const t0 = Date.now() - 120_000;
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    await signed(base, 'POST', '/internal/v1/calls', callStart('a-web', 'alpha', { startedAt: at(0) }));
    await signed(
      base,
      'POST',
      '/internal/v1/calls',
      callStart('a-sip', 'alpha', {
        startedAt: at(1000),
        channel: 'sip',
        callerPhoneMasked: '+1******4567',
        engines: { stt: 'deepgram', llm: 'groq', tts: 'aura', mode: 'cloud' },
      }),
    );
    for (const [i, v2v] of [
      [0, 400],
      [1, 600],
    ] as const) {
      const turn = (speaker: string, text: string, fromMs: number, toMs: number) => ({
        index: i,
        speaker,
        text,
        startedAt: at(fromMs + i * 5000),
        endedAt: at(toMs + i * 5000),
      });
      await signed(base, 'POST', '/internal/v1/calls/a-web/turns', {
        ...turn('caller', `question ${i}`, 2000, 3000),
        interrupted: false,
      });
      await signed(base, 'POST', '/internal/v1/calls/a-web/turns', {
        ...turn('agent', `answer ${i}`, 3000, 5000),
        interrupted: i === 1,
        metrics: { v2vMs: v2v },
      });
    }
    await signed(base, 'POST', '/internal/v1/calls/a-web/states', { id: 's-1', state: 'SPEAKING', at: at(3500) });
    await signed(base, 'POST', '/internal/v1/calls/a-web/end', {
      endedAt: at(20000),
      status: 'completed',
      outcome: 'booked',
      summary: 'Booked a rhinoplasty consultation.',
    });
    await bookFreeSlot(base, 'alpha', {
      callId: 'a-web',
      name: 'Sarah Lee',
      phone: '+15551234567',
      service: 'rhinoplasty',
    });
  });
  afterAll(() => web?.stop());

  it('logs in with an http-only SameSite=Lax session cookie; wrong password 401; logout ends the session', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: { email: 'OWNER@alpha.test', password: PASSWORD } });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body.user).sort(), ['email', 'id', 'name', 'role']);
    const cookie = r.headers.get('set-cookie')!;
    assert.match(cookie, /^vx_session=[A-Za-z0-9_-]{40,}; /);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.equal(
      (await call(base, 'POST', '/api/auth/login', { body: { email: 'owner@alpha.test', password: 'wrong' } })).status,
      401,
    );
    assert.equal(
      (await call(base, 'POST', '/api/auth/login', { body: { email: 'nobody@alpha.test', password: 'wrong' } })).status,
      401,
    );
    const session = cookie.split(';')[0]!;
    assert.equal((await call(base, 'GET', '/api/me', { cookie: session })).status, 200);
    const out = await call(base, 'POST', '/api/auth/logout', { cookie: session });
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie')!, /Max-Age=0/);
    assert.equal((await call(base, 'GET', '/api/me', { cookie: session })).status, 401);
  });

  it('failed logins, per address and email: the 6th in a minute is 429, even with the password right', async () => {
    for (let i = 0; i < 5; i++)
      assert.equal(
        (await call(base, 'POST', '/api/auth/login', { body: { email: 'staff@alpha.test', password: 'nope' } })).status,
        401,
      );
    const limited = await call(base, 'POST', '/api/auth/login', {
      body: { email: 'staff@alpha.test', password: PASSWORD },
    });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal(
      (await call(base, 'POST', '/api/auth/login', { body: { email: 'owner@alpha.test', password: PASSWORD } })).status,
      200,
      'another email is not limited',
    );
    clock += 61_000;
    assert.equal(
      (await call(base, 'POST', '/api/auth/login', { body: { email: 'staff@alpha.test', password: PASSWORD } })).status,
      200,
    );
  });

  it('limits logins per address across emails, per email across addresses; the owner unlocks (finding 7)', async () => {
    // behind the clinic's own proxy (TRUST_PROXY=1): each client is its X-Forwarded-For address
    const proxied = await startRecordsServer(h.db, new LoginLimits(() => clock), { trustProxy: true });
    const from = (ip: string, email: string, password = 'wrong') =>
      call(proxied.baseUrl, 'POST', '/api/auth/login', {
        body: { email, password },
        headers: { 'x-forwarded-for': `10.9.9.9, ${ip}` }, // the first entry is the client's own claim
      });
    try {
      // one address sweeping many emails is stopped after LOGIN_LIMITS.address.max failures
      for (let i = 0; i < LOGIN_LIMITS.address.max; i++)
        assert.equal((await from('203.0.113.1', `guess${i}@alpha.test`)).status, 401);
      const swept = await from('203.0.113.1', 'guess-next@alpha.test');
      assert.equal(swept.status, 429);
      assert.match(swept.body.error, /try again in 10 minutes$/);
      assert.equal(swept.headers.get('retry-after'), String(LOGIN_LIMITS.address.windowMs / 1000));
      // an attacker's failures on one user, from one address, do not lock the real user out elsewhere
      for (let i = 0; i < LOGIN_LIMITS.pair.max; i++) await from('198.51.100.66', 'staff@alpha.test');
      assert.equal((await from('198.51.100.66', 'staff@alpha.test', PASSWORD)).status, 429);
      assert.equal((await from('192.0.2.10', 'staff@alpha.test', PASSWORD)).status, 200, 'the real user still logs in');
      // a guess spread over many addresses is stopped per email, and the page is told when to retry
      for (let i = 0; i < LOGIN_LIMITS.email.max; i++) await from(`198.51.100.${i + 1}`, 'owner@alpha.test');
      const locked = await from('192.0.2.10', 'owner@alpha.test', PASSWORD);
      assert.equal(locked.status, 429);
      assert.match(locked.body.error, /^too many failed logins; try again in \d+ minutes$/);
      // the owner of the clinic unlocks (here the staff user is unlocked by a logged-in owner session)
      for (let i = 0; i < LOGIN_LIMITS.email.max; i++) await from(`198.51.100.${i + 1}`, 'staff@alpha.test');
      assert.equal((await from('192.0.2.10', 'staff@alpha.test', PASSWORD)).status, 429);
      const users = (await call(base, 'GET', '/api/users', { cookie: owner })).body.users as {
        id: string;
        email: string;
      }[];
      const staffId = users.find((u) => u.email === 'staff@alpha.test')!.id;
      assert.equal((await call(base, 'POST', `/api/users/${staffId}/unlock`, { cookie: staff })).status, 403);
      // the proxied server shares the database, not the limits: unlock there, as its own owner session
      const ownerThere = (await from('192.0.2.20', 'owner@alpha.test', PASSWORD)).status;
      assert.equal(ownerThere, 429, 'the owner is still locked (spread guess above)');
      const unlockOwner = await call(
        proxied.baseUrl,
        'POST',
        `/api/users/${users.find((u) => u.email === 'owner@alpha.test')!.id}/unlock`,
        {
          cookie: owner,
        },
      );
      assert.equal(unlockOwner.status, 204);
      const ownerCookie = (await from('192.0.2.20', 'owner@alpha.test', PASSWORD)).headers
        .get('set-cookie')!
        .split(';')[0]!;
      assert.equal(
        (await call(proxied.baseUrl, 'POST', `/api/users/${staffId}/unlock`, { cookie: ownerCookie })).status,
        204,
      );
      assert.equal((await from('192.0.2.10', 'staff@alpha.test', PASSWORD)).status, 200, 'unlocked');
      assert.equal(
        (
          await call(proxied.baseUrl, 'POST', '/api/users/00000000-0000-0000-0000-000000000000/unlock', {
            cookie: ownerCookie,
          })
        ).status,
        404,
      );
    } finally {
      await proxied.stop();
    }
  });

  it('the session cookie is Secure over HTTPS (PUBLIC_URL https or a trusted X-Forwarded-Proto)', async () => {
    const plain = await call(base, 'POST', '/api/auth/login', {
      body: { email: 'owner@alpha.test', password: PASSWORD },
    });
    assert.ok(
      !/;\s*Secure/i.test(plain.headers.get('set-cookie')!),
      'plain HTTP: a Secure cookie would never come back',
    );
    const forged = await call(base, 'POST', '/api/auth/login', {
      body: { email: 'owner@alpha.test', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    assert.ok(!/;\s*Secure/i.test(forged.headers.get('set-cookie')!), 'the header is not trusted without TRUST_PROXY');
    const servers = [
      await startRecordsServer(h.db, undefined, { trustProxy: false, publicUrl: 'https://clinic.example.com' }),
      await startRecordsServer(h.db, undefined, { trustProxy: true }),
    ];
    try {
      for (const s of servers) {
        const r = await call(s.baseUrl, 'POST', '/api/auth/login', {
          body: { email: 'owner@alpha.test', password: PASSWORD },
          headers: { 'x-forwarded-proto': 'https' },
        });
        assert.match(r.headers.get('set-cookie')!, /; Secure$/);
        const out = await call(s.baseUrl, 'POST', '/api/auth/logout', {
          cookie: r.headers.get('set-cookie')!.split(';')[0]!,
          headers: { 'x-forwarded-proto': 'https' },
        });
        assert.match(out.headers.get('set-cookie')!, /Max-Age=0; Secure$/);
      }
    } finally {
      for (const s of servers) await s.stop();
    }
  });

  it('the published demo password opens nothing outside dev mode', async () => {
    const { DEMO } = await import('../db/seed.ts');
    const { createUser, tenantBySlug } = await import('../db/tenants.ts');
    const alpha = (await tenantBySlug(h.db, 'alpha'))!;
    const email = 'published@alpha.test';
    await createUser(h.db, {
      tenantId: alpha.id,
      email,
      name: 'Demo Password',
      role: 'staff',
      password: DEMO.password,
    });
    try {
      const r = await call(base, 'POST', '/api/auth/login', { body: { email, password: DEMO.password } });
      assert.equal(r.status, 401);
    } finally {
      await h.db.query('delete from users where email = $1', [email]); // the users test lists the clinic's users
    }
  });

  it('every guarded route answers 401 without a session, and with a forged cookie', async () => {
    const guarded = DASHBOARD_ROUTES.filter((r) => r.access !== 'public');
    assert.ok(guarded.length >= 9);
    for (const r of guarded) {
      const path = r.path.replace(':callId', 'a-web');
      assert.equal((await call(base, r.method, path)).status, 401, `${r.method} ${path}`);
      assert.equal(
        (await call(base, r.method, path, { cookie: 'vx_session=forgedforgedforgedforgedforged' })).status,
        401,
        `${r.method} ${path}`,
      );
    }
  });

  it('me, overview and the calls list match what was recorded', async () => {
    const me = (await call(base, 'GET', '/api/me', { cookie: staff })).body;
    assert.deepEqual(me.tenant, { slug: 'alpha', name: 'Alpha Clinic', timezone: 'America/Los_Angeles' });
    assert.equal(me.user.role, 'staff');
    const o = (await call(base, 'GET', '/api/overview', { cookie: staff })).body;
    assert.equal(o.callsToday >= 0 && o.callsThisWeek, 2);
    assert.equal(o.bookingsThisWeek, 1);
    assert.equal(o.bookingsUpcoming, 1);
    assert.equal(o.revenueCents, 700000);
    assert.equal(o.answerRate, 1);
    assert.deepEqual(o.v2vMs, { p50: 400, p95: 600 });
    assert.equal(o.weekly.length, 7);
    assert.match(o.weekly[6].date, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(o.safeMode, {
      active: false,
      mode: 'cloud',
      engines: { stt: 'deepgram', llm: 'groq', tts: 'aura' },
      known: true,
    });
    const list = (await call(base, 'GET', '/api/calls', { cookie: staff })).body;
    assert.equal(list.total, 2);
    assert.deepEqual(
      list.calls.map((c: { id: string }) => c.id),
      ['a-sip', 'a-web'],
    );
    const web1 = list.calls[1];
    assert.deepEqual([web1.turnCount, web1.bargeIns, web1.v2vP50, web1.status], [4, 1, 500, 'completed']);
    assert.equal(list.calls[0].caller, '+1******4567');
    assert.deepEqual(
      (await call(base, 'GET', '/api/calls?channel=sip', { cookie: staff })).body.calls.map(
        (c: { id: string }) => c.id,
      ),
      ['a-sip'],
    );
    assert.equal((await call(base, 'GET', '/api/calls?status=in_progress', { cookie: staff })).body.total, 1);
    assert.equal((await call(base, 'GET', '/api/calls?q=rhinoplasty', { cookie: staff })).body.total, 1);
    assert.equal((await call(base, 'GET', '/api/calls?limit=1&offset=1', { cookie: staff })).body.calls[0].id, 'a-web');
    assert.equal(
      (await call(base, 'GET', '/api/calls?from=2000-01-01&to=2000-01-02', { cookie: staff })).body.total,
      0,
    );
    for (const [q, field] of [
      ['status=bogus', 'status'],
      ['channel=fax', 'channel'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['from=tomorrow', 'from'],
    ]) {
      const r = await call(base, 'GET', `/api/calls?${q}`, { cookie: staff });
      assert.equal(r.status, 400, q);
      assert.equal(r.body.field, field);
    }
  });

  it('a call page has the transcript, metrics, state timeline and bookings; unknown is 404', async () => {
    const d = (await call(base, 'GET', '/api/calls/a-web', { cookie: staff })).body;
    assert.equal(d.call.summary, 'Booked a rhinoplasty consultation.');
    assert.equal(d.call.engines.mode, 'offline');
    assert.deepEqual(
      d.turns.map((t: { speaker: string; index: number }) => `${t.index}${t.speaker}`),
      ['0caller', '0agent', '1caller', '1agent'],
    );
    assert.equal(d.turns[1].metrics.v2vMs, 400);
    assert.equal(d.turns[3].interrupted, true);
    assert.deepEqual(
      d.states.map((s: { state: string }) => s.state),
      ['SPEAKING'],
    );
    assert.equal(d.bookings.length, 1);
    assert.equal((await call(base, 'GET', '/api/calls/nope', { cookie: staff })).status, 404);
    assert.equal((await call(base, 'GET', '/api/calls/%E0%A4%A', { cookie: staff })).status, 400);
  });

  it('bookings list filters by time and status', async () => {
    const all = (await call(base, 'GET', '/api/bookings', { cookie: staff })).body.bookings;
    assert.equal(all.length, 1);
    assert.equal(all[0].name, 'Sarah Lee');
    assert.equal(
      (
        await call(base, 'GET', `/api/bookings?from=${encodeURIComponent(new Date().toISOString())}&status=booked`, {
          cookie: staff,
        })
      ).body.bookings.length,
      1,
    );
    assert.equal(
      (await call(base, 'GET', '/api/bookings?status=cancelled', { cookie: staff })).body.bookings.length,
      0,
    );
    assert.equal((await call(base, 'GET', '/api/bookings?status=gone', { cookie: staff })).body.field, 'status');
  });

  it('live: calls in progress, and a `call` event on the stream for each start, state change and end', async () => {
    const live = (await call(base, 'GET', '/api/live', { cookie: staff })).body.calls;
    assert.deepEqual(
      live.map((c: { id: string }) => c.id),
      ['a-sip'],
    );
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/live/stream`, { headers: { cookie: staff }, signal: ctrl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}`);
        text += Buffer.from(value).toString('utf8');
      }
    };
    await until(/"id":"a-sip"/); // the snapshot of calls already in progress
    await signed(base, 'POST', '/internal/v1/calls', callStart('a-live', 'alpha'));
    await until(/"id":"a-live","caller":"caller-a-live","channel":"web","state":"IDLE"/);
    await signed(base, 'POST', '/internal/v1/calls/a-live/states', {
      id: 's-2',
      state: 'LISTENING',
      at: new Date().toISOString(),
    });
    await until(/"id":"a-live"[^\n]*"state":"LISTENING"/);
    await signed(base, 'POST', '/internal/v1/calls/a-live/end', {
      endedAt: new Date().toISOString(),
      status: 'abandoned',
    });
    await until(/"id":"a-live"[^\n]*"state":"ENDED"/);
    assert.match(text, /^retry: 2000\n\nevent: call\ndata: \{/);
    ctrl.abort();
  });

  it('settings: staff reads but cannot save (403); the owner saves; bad values are 400 naming the field', async () => {
    const s = (await call(base, 'GET', '/api/settings', { cookie: staff })).body;
    assert.deepEqual(Object.keys(s).sort(), [
      'agentName',
      'greeting',
      'instructions',
      'knowledgeBase',
      'silenceTimeoutMs',
      'voice',
    ]);
    assert.match(s.knowledgeBase, /^# The clinic Voxanne answers for/);
    // the web server's standby calls are replaced on each save that changed something (standby-pool.ts)
    let saves = 0;
    web.records.deps.settingsSaved = () => saves++;
    assert.equal((await call(base, 'PUT', '/api/settings', { cookie: staff, body: s })).status, 403);
    const saved = await call(base, 'PUT', '/api/settings', {
      cookie: owner,
      body: { ...s, agentName: 'Ava', silenceTimeoutMs: 4000 },
    });
    assert.equal(saved.status, 200);
    assert.equal(saved.body.agentName, 'Ava');
    assert.equal((await call(base, 'GET', '/api/settings', { cookie: staff })).body.silenceTimeoutMs, 4000);
    const cases: [Record<string, unknown>, string][] = [
      [{ ...s, silenceTimeoutMs: 'soon' }, 'silenceTimeoutMs'],
      [{ ...s, silenceTimeoutMs: 10 }, 'silenceTimeoutMs'],
      [{ ...s, greeting: '' }, 'greeting'],
      [{ ...s, agentName: undefined }, 'agentName'],
      [{ ...s, knowledgeBase: 'clinic: [' }, 'knowledgeBase'],
      [
        { ...s, knowledgeBase: s.knowledgeBase.replace('timezone: America/Los_Angeles', 'timezone: 7') },
        'knowledgeBase',
      ],
    ];
    for (const [body, field] of cases) {
      const r = await call(base, 'PUT', '/api/settings', { cookie: owner, body });
      assert.equal(r.status, 400, field);
      assert.equal(r.body.field, field);
    }
    assert.equal(
      (await call(base, 'PUT', '/api/settings', { cookie: owner, raw: '{"agentName": ' })).body.field,
      'body',
    );
    assert.equal(
      (
        await call(base, 'PUT', '/api/settings', {
          cookie: owner,
          raw: JSON.stringify({ ...s, instructions: 'x'.repeat(300_000) }),
        })
      ).status,
      413,
    );
    assert.equal(
      (await call(base, 'GET', '/api/settings', { cookie: staff })).body.agentName,
      'Ava',
      'refused saves changed nothing',
    );
    assert.equal(saves, 1, 'the one save that changed something was announced, once');
  });

  it('FHIR_ALLOWED_ORIGINS: settings naming an EHR elsewhere are refused, naming it; a listed one saves', async () => {
    const s = (await call(base, 'GET', '/api/settings', { cookie: owner })).body;
    const withFhir = (baseUrl: string) => ({
      ...s,
      knowledgeBase:
        `${s.knowledgeBase}\nscheduling:\n  system: fhir\n  fhir:\n` + `    baseUrl: ${baseUrl}\n    auth: none\n`,
    });
    web.records.deps.fhirAllowedOrigins = ['https://ehr.example.org'];
    try {
      const refused = await call(base, 'PUT', '/api/settings', {
        cookie: owner,
        body: withFhir('https://x.example.net/r4'),
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.field, 'knowledgeBase');
      assert.match(refused.body.error, /https:\/\/x\.example\.net\/r4 is not an origin .*FHIR_ALLOWED_ORIGINS/);
      const kept = (await call(base, 'GET', '/api/settings', { cookie: owner })).body.knowledgeBase;
      assert.doesNotMatch(kept, /x\.example\.net/, 'nothing of the refused save was kept');
      const ok = await call(base, 'PUT', '/api/settings', {
        cookie: owner,
        body: withFhir('https://ehr.example.org/fhir/r4'),
      });
      assert.equal(ok.status, 200);
    } finally {
      web.records.deps.fhirAllowedOrigins = undefined;
      assert.equal((await call(base, 'PUT', '/api/settings', { cookie: owner, body: s })).status, 200);
    }
  });

  it('per-minute metrics of the clinic: calls, turns, v2v percentiles', async () => {
    const m = (await call(base, 'GET', '/api/metrics', { cookie: staff })).body.metrics as {
      calls: number;
      turns: number;
      v2vP50: number | null;
    }[];
    assert.ok(m.reduce((s, x) => s + x.calls, 0) >= 2);
    assert.ok(m.reduce((s, x) => s + x.turns, 0) >= 4);
    assert.ok(m.some((x) => x.v2vP50 !== null));
    assert.equal((await call(base, 'GET', '/api/metrics?from=nope', { cookie: staff })).body.field, 'from');
  });

  it('a write from a page of another origin is refused; the same origin is fine', async () => {
    const s = (await call(base, 'GET', '/api/settings', { cookie: owner })).body;
    const put = (origin: string) =>
      fetch(`${base}/api/settings`, {
        method: 'PUT',
        headers: { cookie: owner, origin, 'content-type': 'application/json' },
        body: JSON.stringify(s),
      });
    assert.equal((await put('http://evil.example')).status, 403);
    assert.equal((await put(base)).status, 200);
  });

  it("users: the owner lists the clinic's users; staff get 403; unknown method 405", async () => {
    const u = (await call(base, 'GET', '/api/users', { cookie: owner })).body.users;
    assert.deepEqual(
      u.map((x: { email: string }) => x.email),
      ['owner@alpha.test', 'staff@alpha.test'],
    );
    assert.ok(!JSON.stringify(u).includes('scrypt'));
    assert.equal((await call(base, 'GET', '/api/users', { cookie: staff })).status, 403);
    assert.equal((await call(base, 'DELETE', '/api/calls/a-web', { cookie: owner })).status, 405);
  });
});
