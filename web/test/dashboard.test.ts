/**
 * The dashboard in Chromium against the real web server and database, on both databases (PGlite in
 * a temp directory and a PostgreSQL started for the run), each migrated and filled by the backend's demo seed (clinic
 * `riverside`, 30 sample calls) plus a second
 * clinic `harbor` with one call. Figures on the pages are checked against SQL on that database; the
 * agent's side (a live call, the next call's configuration) goes through the signed internal API.
 * Screenshots of every page at 390, 820 and 1366 px go to test-artifacts/dashboard/<page>-<width>.png.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, it } from 'vitest';
import type { Page } from 'playwright-core';
import { addDaysToDate, localParts, zonedIso } from '@voxanne/contracts/calendar';
import { createWebServer, stopWebServer } from '../server/app.ts';
import { addTurn, endCall, startCall } from '../server/db/calls.ts';
import type { Db } from '../server/db/db.ts';
import { forEachDatabase } from '../server/db/testing/databases.ts';
import { DEMO, seedDemo } from '../server/db/seed.ts';
import { parseKnowledgeBase, tenantBySlug } from '../server/db/tenants.ts';
import { createRecords, type Records } from '../server/records/index.ts';
import { KB_PATH, makeClinic, PASSWORD, SECRET, signed } from '../server/records/testing.ts';
import { rawRequest, SILENT, testConfig } from '../server/test-support.ts';
import { formatCount, formatMoney, formatMs, formatPercent } from '../src/dashboard/format.ts';
import { dashboardRig, fitsEveryWidth, logIn, newPage, ready, screenshot, WAIT, WIDTHS } from './dashboard-support.ts';

const rig = dashboardRig();
const HARBOR_CALL = 'harbor-call-1';
const HARBOR_WORDS = 'Harbor private words about a root canal';

forEachDatabase('dashboard in Chromium', (h) => {
  let db: Db;
  let records: Records;
  let server: Server;
  let baseUrl: string;
  let riversideId: string;
  let harborOwner: string;
  let timeZone: string;
  // screenshots once: the pages are the same on both databases
  const shots = h.kind === 'pglite';

  beforeAll(async () => {
    db = h.db;
    riversideId = (await seedDemo(db, KB_PATH)).id;
    const harbor = await makeClinic(db, 'harbor', 'Harbor Dental');
    harborOwner = harbor.owner;
    const t0 = Date.now() - 3_600_000;
    const at = (ms: number) => new Date(t0 + ms).toISOString();
    await startCall(db, harbor.tenant.id, {
      callId: HARBOR_CALL,
      room: 'call-harbor-1',
      channel: 'sip',
      callerIdentity: 'sip_+16195550199',
      callerPhoneMasked: '+1******0199',
      startedAt: at(0),
      engines: { stt: 'pocketsphinx', llm: 'rules', tts: 'flite', mode: 'offline' },
    });
    await addTurn(db, harbor.tenant.id, HARBOR_CALL, {
      index: 0,
      speaker: 'caller',
      text: HARBOR_WORDS,
      startedAt: at(500),
      endedAt: at(3000),
      interrupted: false,
    });
    await endCall(db, harbor.tenant.id, HARBOR_CALL, {
      endedAt: at(9000),
      status: 'completed',
      outcome: 'answered',
      summary: HARBOR_WORDS,
    });
    const kb = parseKnowledgeBase(await readFile(KB_PATH, 'utf8'));
    if (!kb.ok) throw new Error(kb.error);
    timeZone = kb.kb.clinic.timezone;
    // dev mode: the demo users log in with their published password
    records = createRecords(db, { logger: SILENT, secret: SECRET, devMode: true });
    server = createWebServer(testConfig({ mode: 'static', distDir: rig.dist.outDir, livekitApiSecret: SECRET }), {
      logger: SILENT,
      records,
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  // the database itself is closed by forEachDatabase
  afterAll(async () => {
    if (server) await stopWebServer(server);
  });

  const one = async (sql: string, params: unknown[]): Promise<number> => {
    const [row] = await db.query<{ n: number | null }>(sql, params);
    return Number(row?.n ?? 0);
  };

  async function asOwner(
    width: (typeof WIDTHS)[number] = WIDTHS[2],
  ): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
    const { context, page, errors } = await newPage(rig.browser, baseUrl, width);
    await logIn(page, DEMO.ownerEmail, DEMO.password);
    return { page, errors, close: () => context.close() };
  }

  it('serves dashboard.html for /login and /dashboard/* and the talking page at /', async () => {
    const port = (server.address() as AddressInfo).port;
    for (const path of ['/login', '/dashboard', '/dashboard/calls/anything', '/dashboard/settings']) {
      const res = await rawRequest(port, 'GET', path);
      assert.equal(res.status, 200, path);
      assert.match(res.body, /id="dashboard"/, path);
    }
    assert.match((await rawRequest(port, 'GET', '/')).body, /Talk to Voxanne/);
    assert.equal((await rawRequest(port, 'GET', '/dashboard/../secret')).status, 400);
  });

  it('logs in, shows the overview figures the database holds, and logs out', async () => {
    const { page, errors, close } = await asOwner();
    try {
      assert.equal(await page.getByTestId('clinic-name').textContent(), (await tenantBySlug(db, 'riverside'))!.name);
      const now = new Date();
      const today = localParts(now, timeZone).date;
      const dayStart = zonedIso(today, '00:00', timeZone);
      const weekStart = zonedIso(addDaysToDate(today, -6), '00:00', timeZone);
      const calls = (from: string) =>
        one('select count(*)::int as n from call_sessions where tenant_id = $1 and started_at >= $2', [
          riversideId,
          from,
        ]);
      const expected = {
        callsToday: formatCount(await calls(dayStart)),
        callsThisWeek: formatCount(await calls(weekStart)),
        bookingsThisWeek: formatCount(
          await one(
            `select count(*)::int as n from bookings where tenant_id = $1 and status = 'booked' and created_at >= $2`,
            [riversideId, weekStart],
          ),
        ),
        revenue: formatMoney(
          await one(
            `select coalesce(sum(price_cents), 0)::int as n from bookings where tenant_id = ` +
              `$1 and status = 'booked' and created_at >= $2`,
            [riversideId, weekStart],
          ),
        ),
        answerRate: formatPercent(
          (await one(
            `select count(*)::int as n from call_sessions where tenant_id = $1 and ` +
              `started_at >= $2 and status in ('completed', 'transferred')`,
            [riversideId, weekStart],
          )) /
            (await one(
              `select count(*)::int as n from call_sessions where tenant_id = $1 and ` +
                `started_at >= $2 and status <> 'in_progress'`,
              [riversideId, weekStart],
            )),
        ),
      };
      for (const [key, value] of Object.entries(expected))
        assert.equal(await page.getByTestId(`stat-${key}-value`).textContent(), value, key);
      const v2v = (
        await db.query<{ v: number }>(
          `select t.v2v_ms as v from conversation_turns t join call_sessions c on c.id = ` +
            `t.call_id where c.tenant_id = $1 and c.started_at >= $2 and t.v2v_ms is not null order by t.v2v_ms`,
          [riversideId, weekStart],
        )
      ).map((r) => Number(r.v));
      assert.ok(v2v.length > 0);
      assert.equal(
        await page.getByTestId('stat-v2v-value').textContent(),
        formatMs(v2v[Math.ceil(v2v.length / 2) - 1]!),
        'median voice-to-voice',
      );
      // the demo's latest calls alternate offline and cloud engines; the banner follows the latest one
      const [latest] = await db.query<{ mode: string }>(
        'select mode from call_sessions where tenant_id = $1 order by started_at desc limit 1',
        [riversideId],
      );
      assert.equal(await page.getByTestId('safe-mode-banner').count(), latest!.mode === 'cloud' ? 0 : 1);
      assert.ok((await page.locator('[data-testid="weekly-chart"] rect.bar-calls').count()) > 0);

      await page.getByTestId('logout').click();
      await page.waitForURL(/\/login$/, WAIT);
      await page.goto('/dashboard/bookings');
      await page.waitForURL(/\/login\?next=%2Fdashboard%2Fbookings$/, WAIT);
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('opens a call from the list and shows its transcript as recorded', async () => {
    const { page, errors, close } = await asOwner();
    try {
      await page.getByTestId('nav-calls').click();
      await ready(page);
      const total = await one('select count(*)::int as n from call_sessions where tenant_id = $1', [riversideId]);
      assert.match((await page.locator('.page-header .subtitle').textContent())!, new RegExp(`^${total} calls`));
      const today = localParts(new Date(), timeZone).date;
      await page.getByTestId('filter-from').fill(today);
      await page.getByTestId('filter-to').fill(today);
      await page.getByTestId('call-filters').getByRole('button', { name: 'Apply' }).click();
      await page.waitForURL(/from=/, WAIT);
      await ready(page);
      const todays = await one(
        'select count(*)::int as n from call_sessions where tenant_id = $1 and started_at >= $2',
        [riversideId, zonedIso(today, '00:00', timeZone)],
      );
      assert.equal(await page.getByTestId('call-row').count(), todays, "the date filter means the clinic's day");
      await page.goto('/dashboard/calls');
      await ready(page);
      const [call] = await db.query<{ id: string }>(
        'select id from call_sessions c where tenant_id = $1 and exists (select 1 from ' +
          'conversation_turns t where t.call_id = c.id) order by started_at desc limit 1',
        [riversideId],
      );
      await page.locator(`[data-testid="call-row"][data-call-id="${call!.id}"] a`).click();
      await page.waitForURL(new RegExp(`/dashboard/calls/${call!.id}$`), WAIT);
      await ready(page);
      const turns = await db.query<{ text: string; speaker: string }>(
        'select text, speaker from conversation_turns where call_id = $1 order by started_at',
        [call!.id],
      );
      const shown = await page
        .getByTestId('turn')
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute('data-speaker'), e.querySelector('.turn-text')?.textContent]),
        );
      assert.deepEqual(
        shown,
        turns.map((t) => [t.speaker, t.text]),
      );
      const interruptedStates = await one(
        `select count(*)::int as n from call_states where call_id = $1 and state = 'INTERRUPTED'`,
        [call!.id],
      );
      assert.equal(await page.getByTestId('barge-in-marker').count(), interruptedStates);
      assert.ok(
        (await page.locator('[data-testid="state-timeline"] rect.seg-listening').count()) > 0,
        'the timeline is drawn',
      );
      // the owner's Audit page shows each of these views, newest first, as the database holds them
      await page.getByTestId('nav-audit').click();
      await ready(page);
      const audited = await db.query<{ action: string; target: string }>(
        'select action, target from audit_events where tenant_id = $1 order by at desc, id desc limit 50',
        [riversideId],
      );
      assert.equal(audited[0]?.action, 'call.view');
      assert.equal(audited[0]?.target, call!.id);
      assert.deepEqual(
        await page.getByTestId('audit-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-action'))),
        audited.map((a) => a.action),
      );
      assert.match((await page.getByTestId('audit-row').first().textContent())!, new RegExp(call!.id));
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('changes the greeting, and the next call is configured with it; staff may only read', async () => {
    const { page, errors, close } = await asOwner();
    try {
      await page.getByTestId('nav-settings').click();
      await ready(page);
      const greeting = 'Good morning, and thank you for calling Riverside Aesthetic Surgery. How can I help?';
      await page.getByTestId('setting-greeting').fill(greeting);
      await page.getByTestId('settings-save').click();
      await page.getByText('Saved. The next call uses these settings.').waitFor(WAIT);
      const config = await signed(baseUrl, 'GET', '/internal/v1/tenants/riverside/config');
      assert.equal(config.status, 200);
      assert.equal(config.body.greeting, greeting, 'what the agent fetches at the next call start');

      await page.getByTestId('setting-silenceTimeoutMs').fill('5');
      await page.getByTestId('settings-save').click();
      await page.getByTestId('error-silenceTimeoutMs').waitFor({ state: 'visible', ...WAIT });
      assert.ok(
        (await page.getByTestId('error-silenceTimeoutMs').textContent())!.length > 0,
        "the server's reason, next to the field",
      );
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
    const staff = await newPage(rig.browser, baseUrl);
    try {
      await logIn(staff.page, DEMO.staffEmail, DEMO.password);
      await staff.page.getByTestId('nav-settings').click();
      await ready(staff.page);
      assert.equal(await staff.page.getByTestId('settings-readonly').isVisible(), true);
      assert.equal(await staff.page.getByTestId('setting-greeting').isDisabled(), true);
      assert.equal(await staff.page.getByTestId('settings-save').isDisabled(), true);
      assert.equal(await staff.page.getByTestId('nav-audit').count(), 0, "the Audit page is the owner's");
    } finally {
      await staff.context.close();
    }
  });

  it('says so in plain words when the password is wrong, and when there were too many attempts', async () => {
    const { context, page } = await newPage(rig.browser, baseUrl);
    try {
      await page.goto('/login');
      await ready(page);
      const email = `nobody-${h.kind}@example.test`; // its own rate-limit key: the other tests' logins are unaffected
      await page.getByTestId('login-email').fill(email);
      const messages: string[] = [];
      // the server allows a few failures per address and email; the page must word both answers
      for (let i = 0; i < 10 && !messages.some((m) => /Too many failed logins/.test(m)); i++) {
        await page.getByTestId('login-password').fill(`wrong-${i}`);
        await page.getByTestId('login-submit').click();
        await page.locator('[data-testid="login-submit"]:not([disabled])').waitFor(WAIT);
        messages.push((await page.getByTestId('login-error').textContent()) ?? '');
      }
      assert.match(messages[0]!, /do not match an account/);
      assert.match(messages.at(-1)!, /^Too many failed logins\. Try again in (\d+ seconds|1 minute)\b/);
      assert.match(page.url(), /\/login$/);
    } finally {
      await context.close();
    }
  });

  it("refuses another clinic's call with a plain not-found page, both ways", async () => {
    const { page, close } = await asOwner();
    try {
      await page.goto(`/dashboard/calls/${HARBOR_CALL}`);
      await ready(page);
      assert.equal(await page.getByTestId('error-page').getAttribute('data-status'), '404');
      assert.doesNotMatch((await page.locator('body').textContent())!, /Harbor private words/);
    } finally {
      await close();
    }
    const harbor = await newPage(rig.browser, baseUrl);
    try {
      await logIn(harbor.page, harborOwner, PASSWORD);
      const [riversideCall] = await db.query<{ id: string }>(
        'select id from call_sessions where tenant_id = $1 limit 1',
        [riversideId],
      );
      await harbor.page.goto(`/dashboard/calls/${riversideCall!.id}`);
      await ready(harbor.page);
      assert.equal(await harbor.page.getByTestId('error-page').getAttribute('data-status'), '404');
      await harbor.page.goto('/dashboard/calls');
      await ready(harbor.page);
      assert.equal(await harbor.page.getByTestId('call-row').count(), 1, 'only its own call');
    } finally {
      await harbor.context.close();
    }
  });

  it('shows a call in progress on the Live page and follows its states without a reload', async () => {
    const { page, errors, close } = await asOwner();
    const callId = `live-${Date.now()}`;
    try {
      await page.getByTestId('nav-live').click();
      await ready(page);
      await page.locator('[data-testid="live-connection"][data-state="open"]').waitFor(WAIT);
      await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
      const t = () => new Date().toISOString();
      const start = await signed(baseUrl, 'POST', '/internal/v1/calls', {
        callId,
        tenant: 'riverside',
        room: `call-${callId}`,
        channel: 'sip',
        callerIdentity: 'sip_+16195550142',
        callerPhoneMasked: '+1******0142',
        startedAt: t(),
        engines: { stt: 'pocketsphinx', llm: 'rules', tts: 'flite', mode: 'offline' },
      });
      assert.equal(start.status, 201, start.text);
      assert.equal(
        (
          await signed(baseUrl, 'POST', `/internal/v1/calls/${callId}/states`, {
            id: 's-1',
            state: 'SPEAKING',
            at: t(),
          })
        ).status,
        201,
      );
      await page.locator(`[data-call-id="${callId}"][data-state="SPEAKING"]`).waitFor(WAIT);
      assert.equal(
        await page.locator(`[data-call-id="${callId}"]`).getByText('+1******0142').count(),
        1,
        'the masked number as given',
      );
      assert.equal(
        (
          await signed(baseUrl, 'POST', `/internal/v1/calls/${callId}/states`, {
            id: 's-2',
            state: 'LISTENING',
            at: t(),
          })
        ).status,
        201,
      );
      await page.locator(`[data-call-id="${callId}"][data-state="LISTENING"]`).waitFor(WAIT);
      if (shots) await screenshotAll(page, 'live-with-call');
      assert.equal(
        (
          await signed(baseUrl, 'POST', `/internal/v1/calls/${callId}/end`, {
            endedAt: t(),
            status: 'completed',
            outcome: 'answered',
          })
        ).status,
        200,
      );
      await page.locator(`[data-call-id="${callId}"]`).waitFor({ state: 'detached', ...WAIT });
      assert.equal(
        await page.evaluate(() => (window as unknown as { __marker?: number }).__marker),
        1,
        'no reload happened',
      );
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  it('fits every page at phone, tablet and desktop widths (screenshots in test-artifacts/dashboard/)', async () => {
    const [call] = await db.query<{ id: string }>(
      `select c.id from call_sessions c where tenant_id = $1 and exists (select 1 from ` +
        `call_states s where s.call_id = c.id and s.state = 'INTERRUPTED') order by started_at desc limit 1`,
      [riversideId],
    );
    const pages = [
      ['overview', '/dashboard'],
      ['calls', '/dashboard/calls'],
      ['call', `/dashboard/calls/${call?.id ?? 'demo-01'}`],
      ['bookings', '/dashboard/bookings'],
      ['live', '/dashboard/live'],
      ['settings', '/dashboard/settings'],
      ['audit', '/dashboard/audit'],
      ['not-found', `/dashboard/calls/${HARBOR_CALL}`],
    ] as const;
    const login = [DEMO.ownerEmail, DEMO.password] as const;
    await fitsEveryWidth(rig.browser, baseUrl, { login, pages, prefix: '', shots });
  });
});

/** the live page with a call on it, at every width, while the call is still going */
async function screenshotAll(page: Page, name: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width: width.width, height: width.height });
    await screenshot(page, name, width);
  }
  await page.setViewportSize({ width: WIDTHS[2].width, height: WIDTHS[2].height });
}
