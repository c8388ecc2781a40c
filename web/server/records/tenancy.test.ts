/**
 * Tenancy: a user of clinic A can read or change nothing of clinic B, checked over EVERY route of
 * the dashboard's route table (and every slug-scoped internal route), so a route added later is
 * covered without touching this test. Then a fuzz pass: nothing a request sends makes a 5xx.
 */
import assert from 'node:assert/strict';
import { afterAll, beforeAll, it } from 'vitest';
import { forEachDatabase } from '../db/testing/databases.ts';
import { DASHBOARD_ROUTES } from './dashboard-api.ts';
import { INTERNAL_ROUTES } from './internal-api.ts';
import {
  bookFreeSlot,
  call,
  callStart,
  login,
  makeClinic,
  openDay,
  signed,
  startRecordsServer,
  type RecordsServer,
} from './testing.ts';

forEachDatabase('tenancy and robustness', (h) => {
  let web: RecordsServer;
  let base: string;
  let bBooking: string;
  let bOwner: string;
  /** strings only clinic B's data contains */
  const B_MARKERS = [
    'b-call-secret',
    'Bravo Clinic',
    'bravo',
    'Zed Bravopatient',
    '+15559990000',
    'caller-b-call-secret',
  ];
  const snapshotB = async () =>
    JSON.stringify({
      tenant: await h.db.query(
        `select name, agent_name, voice, greeting, instructions, silence_timeout_ms, ` +
          `knowledge_base_yaml from tenants where slug = 'bravo'`,
      ),
      calls: await h.db
        .query(`select c.id, c.status, c.ended_at, (select count(*)::int from conversation_turns t where t.call_id =
          c.id) as turns
      from call_sessions c join tenants t on t.id = c.tenant_id where t.slug = 'bravo'`),
      bookings: await h.db.query(
        `select b.id, b.status, b.starts_at from bookings b join tenants t on t.id = ` +
          `b.tenant_id where t.slug = 'bravo'`,
      ),
      users: await h.db.query(
        `select u.email, u.role, u.password_hash from users u join tenants t on t.id = ` +
          `u.tenant_id where t.slug = 'bravo'`,
      ),
    });

  beforeAll(async () => {
    await makeClinic(h.db, 'alpha', 'Alpha Clinic');
    await makeClinic(h.db, 'bravo', 'Bravo Clinic');
    web = await startRecordsServer(h.db);
    base = web.baseUrl;
    bOwner = (await h.db.query<{ id: string }>(`select id from users where email = 'owner@bravo.test'`))[0]!.id;
    for (const [id, slug] of [
      ['a-call', 'alpha'],
      ['b-call-secret', 'bravo'],
    ] as const) {
      await signed(
        base,
        'POST',
        '/internal/v1/calls',
        callStart(id, slug, { callerPhoneMasked: slug === 'bravo' ? '+15559990000' : undefined }),
      );
      await signed(base, 'POST', `/internal/v1/calls/${id}/turns`, {
        index: 0,
        speaker: 'agent',
        text: `hello from ${slug}`,
        startedAt: new Date().toISOString(),
        endedAt: new Date().toISOString(),
        interrupted: false,
        metrics: { v2vMs: 300 },
      });
    }
    const bravoPatient = {
      callId: 'b-call-secret',
      name: 'Zed Bravopatient',
      phone: '+15559990000',
      service: 'facelift',
    };
    bBooking = await bookFreeSlot(base, 'bravo', bravoPatient, 1);
  });
  afterAll(() => web?.stop());

  it('a user of clinic A reads and changes nothing of clinic B, on every dashboard route', async () => {
    const before = await snapshotB();
    const settingsA = (await call(base, 'GET', '/api/settings', { cookie: await login(base, 'owner@alpha.test') }))
      .body;
    let checked = 0;
    for (const who of ['owner@alpha.test', 'staff@alpha.test']) {
      for (const route of DASHBOARD_ROUTES) {
        const cookie = await login(base, who); // fresh each time: the logout route ends the session
        // every path parameter points at clinic B's records
        const path = route.path.replace(':callId', 'b-call-secret').replace(':userId', bOwner);
        assert.ok(!path.includes(':'), `route ${route.path} has a parameter this test does not know; add it here`);
        const queries = route.method === 'GET' ? ['', '?q=bravo&phone=%2B15559990000&tenant=bravo&slug=bravo'] : [''];
        for (const q of queries) {
          let text: string;
          let status: number;
          if (route.path === '/api/live/stream') {
            ({ status, text } = await streamUntilOwnEvent(cookie));
          } else {
            const body =
              route.path === '/api/settings'
                ? { ...settingsA, tenant: 'bravo', greeting: 'A changed its own greeting' }
                : route.path === '/api/auth/login'
                  ? { email: 'owner@bravo.test', password: 'guess' }
                  : { tenant: 'bravo', tenantId: 'bravo' };
            const r = await call(base, route.method, `${path}${q}`, {
              cookie,
              ...(route.method === 'GET' ? {} : { body }),
            });
            ({ status, text } = r);
            if (route.path === '/api/audit' && status === 200) {
              // A's own trail holds the queries this test sent as A (?q=bravo…): those are A's, not B's
              const entries = (r.body as { entries: { user: { email: string }; target: string }[] }).entries;
              for (const e of entries) assert.match(e.user.email, /@alpha\.test$/, `${who} saw another clinic's audit`);
              text = JSON.stringify(entries.map(({ target: _, ...rest }) => rest));
            }
          }
          assert.ok(status < 500, `${route.method} ${path}${q}: ${status}`);
          for (const m of B_MARKERS)
            assert.ok(!text.includes(m), `${who} ${route.method} ${path}${q} leaked "${m}": ${text.slice(0, 300)}`);
          if (route.path.includes(':callId') || (route.path.includes(':userId') && who.startsWith('owner')))
            assert.equal(status, 404, `${route.method} ${path} must be 404 for another clinic's id`);
          checked++;
        }
      }
    }
    // (B's call state moved meanwhile: that was the agent, in streamUntilOwnEvent, not the user)
    assert.equal(await snapshotB(), before, 'clinic B is unchanged');
    const routes = DASHBOARD_ROUTES.length;
    console.log(
      `tenancy: ${routes} dashboard routes x 2 users (owner, staff) = ${checked} ` +
        `requests as clinic A, none saw or changed clinic B`,
    );
    assert.equal(routes, 15);
  });

  it("internal routes scoped by clinic slug cannot reach another clinic's booking", async () => {
    const before = await snapshotB();
    const scoped = INTERNAL_ROUTES.filter((r) => r.path.includes(':slug'));
    for (const route of scoped) {
      const path = route.path.replace(':slug', 'alpha').replace(':id', bBooking);
      const q = route.path.endsWith('/availability')
        ? `?date=${openDay()}&service=facelift`
        : route.path.endsWith('/bookings') && route.method === 'GET'
          ? '?phone=%2B15559990000'
          : '';
      const body =
        route.method === 'POST'
          ? {
              startsAt: new Date(Date.now() + 86400_000).toISOString(),
              name: 'x',
              phone: '+15550001111',
              service: 'facelift',
            }
          : undefined;
      const r = await signed(base, route.method as 'GET' | 'POST', `${path}${q}`, body);
      assert.ok(r.status < 500, `${route.method} ${path}: ${r.status}`);
      for (const m of B_MARKERS) assert.ok(!r.text.includes(m), `${route.path} leaked ${m}`);
      if (route.path.includes(':id')) assert.equal(r.status, 404, route.path);
    }
    assert.equal(await snapshotB(), before);
    console.log(`tenancy: ${scoped.length} clinic-scoped internal routes checked`);
  });

  it('nothing a request sends makes the server fail: garbage bodies, queries and paths on every route', async () => {
    const cookie = await login(base, 'owner@alpha.test');
    const bodies = [
      '',
      'null',
      '[]',
      '"x"',
      '1e999',
      '{"a":',
      '{"__proto__":{"admin":true}}',
      JSON.stringify({ email: ['x'], password: { $gt: '' } }),
      '{'.repeat(5000),
      JSON.stringify({
        agentName: 1,
        voice: null,
        greeting: [],
        instructions: {},
        silenceTimeoutMs: 1e308,
        knowledgeBase: 5,
      }),
      JSON.stringify({
        knowledgeBase: '!!js/function "x"',
        agentName: 'a',
        voice: 'v',
        greeting: 'g',
        instructions: '',
        silenceTimeoutMs: 3000,
      }),
      Buffer.from([0xff, 0xfe, 0x00, 0x81]).toString('latin1'),
      '\u0000\u2028',
    ];
    const queries = [
      '?limit=-1',
      '?limit=99999999999',
      '?offset=1e3',
      '?from=0000-00-00',
      '?to=2026-02-30T25:61:00Z',
      '?q=%27%3B%20drop%20table%20tenants%3B--',
      '?status[]=x&status=y',
      '?q=%E0%A4%A',
      '?from=%00',
    ];
    let requests = 0;
    for (const route of [...DASHBOARD_ROUTES, ...INTERNAL_ROUTES]) {
      if (route.path === '/api/live/stream') continue; // a stream; covered by the live test
      const path = route.path.replace(/:[a-zA-Z]+/g, (p) => (p === ':slug' ? 'alpha' : `x'%22%3Cscript%3E`));
      for (const raw of route.method === 'GET' ? [undefined] : bodies) {
        for (const q of route.method === 'GET' ? queries : ['']) {
          const r =
            route.access === 'signed'
              ? await signed(base, route.method as 'GET' | 'POST', `${path}${q}`, raw)
              : await call(base, route.method, `${path}${q}`, { cookie, ...(raw === undefined ? {} : { raw }) });
          assert.ok(
            r.status < 500,
            `${route.method} ${path}${q} ${String(raw).slice(0, 40)}: ${r.status} ${r.text.slice(0, 200)}`,
          );
          if (r.status === 400) assert.equal(typeof r.body.field, 'string', `${route.path}: a 400 names the field`);
          requests++;
        }
      }
    }
    assert.equal((await call(base, 'GET', '/api/health')).status, 200);
    // the fuzz pass logged itself out on the logout route; a new login proves the server still serves
    assert.equal((await call(base, 'GET', '/api/me', { cookie: await login(base, 'owner@alpha.test') })).status, 200);
    assert.ok(requests > 100);
  });

  async function streamUntilOwnEvent(cookie: string): Promise<{ status: number; text: string }> {
    const ctrl = new AbortController();
    const res = await fetch(`${base}/api/live/stream`, { headers: { cookie }, signal: ctrl.signal });
    if (res.status !== 200) return { status: res.status, text: await res.text() };
    const reader = res.body!.getReader();
    let text = '';
    const until = async (re: RegExp) => {
      while (!re.test(text)) text += Buffer.from((await reader.read()).value ?? []).toString('utf8');
    };
    await until(/retry: 2000/);
    // B's change first: were it leaked, it would arrive before A's own
    await signed(base, 'POST', '/internal/v1/calls/b-call-secret/states', {
      id: 's-1',
      state: 'SPEAKING',
      at: new Date().toISOString(),
    });
    await signed(base, 'POST', '/internal/v1/calls/a-call/states', {
      id: 's-2',
      state: 'SPEAKING',
      at: new Date().toISOString(),
    });
    await until(/"id":"a-call"[^\n]*"state":"SPEAKING"/);
    ctrl.abort();
    return { status: 200, text };
  }
});
