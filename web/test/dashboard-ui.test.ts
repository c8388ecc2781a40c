/**
 * The dashboard pages in Chromium against a stub of the dashboard API (dashboard-stub-api.ts), served by
 * the real web server in static mode: what the stub can produce on demand and the real backend only
 * with real calls — Safe Mode, a 400 naming a field, live calls changing state over SSE.
 * dashboard.test.ts runs the same pages against the real backend and database.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { rawRequest, startWebServer, testConfig, type Running } from '../server/test-support.ts';
import { WEB_ROOT } from '../server/config.ts';
import { formatCount, formatMoney, formatMs, formatPercent } from '../src/dashboard/format.ts';
import { createStubApi, type StubApi } from './dashboard-stub-api.ts';
import { dashboardRig, fitsEveryWidth, logIn, newPage, ready, WAIT } from './dashboard-support.ts';

const rig = dashboardRig();
let web: Running;
let stub: StubApi;
const OWNER = ['owner@riverside.test', 'owner-pass-123'] as const;
const STAFF = ['staff@riverside.test', 'staff-pass-123'] as const;

beforeAll(async () => {
  web = await startWebServer(testConfig({ mode: 'static', distDir: rig.dist.outDir }));
  stub = createStubApi();
  // the stub answers the dashboard's API routes; everything else (pages, assets) is the real server
  const [real] = web.server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  web.server.removeAllListeners('request');
  web.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (path.startsWith('/api/') && path !== '/api/token' && path !== '/api/health') void stub.handle(req, res, path);
    else real!(req, res);
  });
});

afterAll(async () => {
  await web?.stop();
});

describe('dashboard pages (stub API)', () => {
  it('sends a visitor who is not logged in to /login, refuses a wrong password, then shows the overview', async () => {
    const { context, page, errors } = await newPage(rig.browser, web.baseUrl);
    try {
      await page.goto('/dashboard/calls?status=completed');
      await page.waitForURL(/\/login\?next=/, WAIT);
      assert.equal(new URL(page.url()).searchParams.get('next'), '/dashboard/calls?status=completed');
      await ready(page);
      await page.getByTestId('login-email').fill(OWNER[0]);
      await page.getByTestId('login-password').fill('wrong');
      await page.getByTestId('login-submit').click();
      await page.getByTestId('login-error').waitFor({ state: 'visible', ...WAIT });
      assert.match((await page.getByTestId('login-error').textContent())!, /do not match/);
      await page.getByTestId('login-password').fill(OWNER[1]);
      await page.getByTestId('login-submit').click();
      await page.waitForURL(/\/dashboard\/calls\?status=completed$/, WAIT);
      await ready(page);
      assert.equal(
        await page.getByTestId('call-row').count(),
        7,
        'back where the visitor wanted to go, filter applied',
      );

      await page.getByTestId('nav-overview').click();
      await ready(page);
      const o = stub.overviewFor('riverside');
      const value = (k: string) => page.getByTestId(`stat-${k}-value`).textContent();
      assert.equal(await value('callsToday'), formatCount(o.callsToday));
      assert.equal(await value('callsThisWeek'), formatCount(o.callsThisWeek));
      assert.equal(await value('bookingsThisWeek'), formatCount(o.bookingsThisWeek));
      assert.equal(await value('revenue'), formatMoney(o.revenueCents));
      assert.equal(await value('answerRate'), formatPercent(o.answerRate));
      assert.equal(await value('v2v'), formatMs(o.v2vMs.p50));
      assert.equal(await page.getByTestId('safe-mode-banner').getAttribute('data-mode'), 'offline');
      const bars = await page.locator('[data-testid="weekly-chart"] rect.bar-calls').count();
      assert.equal(bars, o.weekly.filter((d) => d.calls > 0).length, 'one calls bar per day with calls');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('filters calls, opens one: transcript, latencies, timeline with the barge-in, summary and booking', async () => {
    const { context, page, errors } = await newPage(rig.browser, web.baseUrl);
    try {
      await logIn(page, ...OWNER);
      await page.getByTestId('nav-calls').click();
      await ready(page);
      assert.equal(await page.getByTestId('call-row').count(), 8);
      await page.getByTestId('filter-channel').selectOption('sip');
      await page.waitForURL(/channel=sip/, WAIT);
      await ready(page);
      assert.equal(await page.getByTestId('call-row').count(), 3);
      await page.getByTestId('call-row').first().getByRole('link').click();
      await page.waitForURL(/\/dashboard\/calls\/call-1$/, WAIT);
      await ready(page);
      const turns = page.getByTestId('turn');
      assert.equal(await turns.count(), 5);
      assert.match((await turns.nth(1).textContent())!, /book a cleaning for next Tuesday/);
      assert.equal(await page.locator('[data-testid="turn"][data-interrupted="true"]').count(), 1);
      assert.match(
        (await page.locator('[data-speaker="agent"] [data-testid="turn-latencies"]').first().textContent())!,
        /Voice-to-voice480 ms/,
      );
      assert.equal(await page.getByTestId('state-timeline').getAttribute('data-barge-ins'), '1');
      assert.equal(await page.getByTestId('barge-in-marker').count(), 1);
      assert.ok((await page.locator('[data-testid="state-timeline"] rect.seg-speaking').count()) >= 3);
      assert.match((await page.getByTestId('call-summary').textContent())!, /Booked Tuesday/);
      assert.equal(await page.getByTestId('booking').count(), 1);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it("shows another clinic's call as not found, without any of its content", async () => {
    const { context, page } = await newPage(rig.browser, web.baseUrl);
    try {
      await logIn(page, ...OWNER);
      await page.goto('/dashboard/calls/harbor-call-1');
      await ready(page);
      assert.equal(await page.getByTestId('error-page').getAttribute('data-status'), '404');
      assert.doesNotMatch((await page.locator('body').textContent())!, /Harbor secret|Harbor Dental, how/);
      await page.goto('/dashboard/no-such-page');
      await ready(page);
      assert.equal(await page.getByTestId('error-page').getAttribute('data-status'), '404');
    } finally {
      await context.close();
    }
  });

  it('saves settings, and shows client and server errors next to their fields', async () => {
    const { context, page, errors } = await newPage(rig.browser, web.baseUrl);
    try {
      await logIn(page, ...OWNER);
      await page.getByTestId('nav-settings').click();
      await ready(page);
      await page.getByTestId('setting-greeting').fill('');
      await page.getByTestId('settings-save').click();
      assert.match((await page.getByTestId('error-greeting').textContent())!, /greeting/);
      assert.equal(await page.getByTestId('setting-greeting').getAttribute('aria-invalid'), '');

      await page.getByTestId('setting-greeting').fill('Good morning, Riverside Family Clinic!');
      await page.getByTestId('setting-silenceTimeoutMs').fill('500');
      await page.getByTestId('settings-save').click();
      await page.getByTestId('error-silenceTimeoutMs').waitFor({ state: 'visible', ...WAIT });
      assert.equal(await page.getByTestId('error-silenceTimeoutMs').textContent(), 'must be between 1000 and 30000 ms');
      assert.equal(
        await page.getByTestId('error-greeting').isVisible(),
        false,
        'the fixed field no longer shows an error',
      );
      assert.notEqual(
        stub.data.settings.riverside!.greeting,
        'Good morning, Riverside Family Clinic!',
        'nothing saved on a 400',
      );

      await page.getByTestId('setting-silenceTimeoutMs').fill('4000');
      await page.getByTestId('settings-save').click();
      await page.getByText('Saved. The next call uses these settings.').waitFor(WAIT);
      assert.equal(stub.data.settings.riverside!.greeting, 'Good morning, Riverside Family Clinic!');
      assert.equal(stub.data.settings.riverside!.silenceTimeoutMs, 4000);
      assert.equal(await page.getByTestId('error-silenceTimeoutMs').isVisible(), false);
      await page.reload();
      await ready(page);
      assert.equal(await page.getByTestId('setting-greeting').inputValue(), 'Good morning, Riverside Family Clinic!');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('lets the owner unlock a user locked out by failed logins, from the settings page', async () => {
    const { context, page, errors } = await newPage(rig.browser, web.baseUrl);
    try {
      await logIn(page, ...OWNER);
      await page.getByTestId('nav-settings').click();
      await ready(page);
      await page.getByTestId('users-table').waitFor(WAIT);
      assert.equal(await page.getByTestId('user-row').count(), 2, 'the clinic’s two users, not the other clinic’s');
      const before = stub.unlocked.length;
      await page.locator('[data-testid="user-unlock"][data-user="u2"]').click();
      await page.getByTestId('users-message').waitFor({ state: 'visible', ...WAIT });
      assert.equal(await page.getByTestId('users-message').textContent(), 'Sam Staff can log in again now.');
      assert.deepEqual(stub.unlocked.slice(before), ['u2'], 'the unlock API was called for that user');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('shows settings read-only to staff', async () => {
    const { context, page } = await newPage(rig.browser, web.baseUrl);
    try {
      await logIn(page, ...STAFF);
      assert.equal(await page.getByTestId('user-role').textContent(), 'Staff');
      await page.getByTestId('nav-settings').click();
      await ready(page);
      await page.getByTestId('settings-readonly').waitFor(WAIT);
      assert.equal(await page.getByTestId('setting-greeting').isDisabled(), true);
      assert.equal(await page.getByTestId('setting-knowledgeBase').isDisabled(), true);
      assert.equal(await page.getByTestId('settings-save').isDisabled(), true);
      assert.equal(await page.getByTestId('users-table').count(), 0, 'staff see no users to unlock');
    } finally {
      await context.close();
    }
  });

  it('updates the live page from the event stream without reloading', async () => {
    const { context, page, errors } = await newPage(rig.browser, web.baseUrl);
    try {
      await logIn(page, ...OWNER);
      await page.getByTestId('nav-live').click();
      await ready(page);
      await page.locator('[data-testid="live-connection"][data-state="open"]').waitFor(WAIT);
      await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
      assert.equal(await page.getByTestId('live-call').count(), 1);
      const now = Date.now();
      stub.pushLive({
        id: 'call-live-1',
        caller: '***-***-8080',
        channel: 'sip',
        state: 'SPEAKING',
        since: new Date(now).toISOString(),
        startedAt: new Date(now - 60_000).toISOString(),
      });
      await page.locator('[data-call-id="call-live-1"][data-state="SPEAKING"]').waitFor(WAIT);
      stub.pushLive({
        id: 'call-live-2',
        caller: 'web caller',
        channel: 'web',
        state: 'LISTENING',
        since: new Date(now).toISOString(),
        startedAt: new Date(now).toISOString(),
      });
      await page.locator('[data-call-id="call-live-2"]').waitFor(WAIT);
      assert.equal(await page.getByTestId('live-call').count(), 2);
      stub.pushLive({
        id: 'call-live-1',
        caller: '***-***-8080',
        channel: 'sip',
        state: 'ENDED',
        since: new Date(now + 1).toISOString(),
        startedAt: new Date(now - 60_000).toISOString(),
      });
      await page.locator('[data-call-id="call-live-1"]').waitFor({ state: 'detached', ...WAIT });
      assert.equal(await page.getByTestId('live-call').count(), 1);
      assert.equal(
        await page.evaluate(() => (window as unknown as { __marker?: number }).__marker),
        1,
        'the page was not reloaded',
      );
      await page.getByTestId('nav-overview').click();
      await ready(page);
      // leaving the page closes its stream
      await page.waitForFunction(() => true);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  it('fits every page at phone, tablet and desktop widths (screenshots in test-artifacts/dashboard/)', async () => {
    const pages = [
      ['overview', '/dashboard'],
      ['calls', '/dashboard/calls'],
      ['call', '/dashboard/calls/call-1'],
      ['bookings', '/dashboard/bookings'],
      ['live', '/dashboard/live'],
      ['settings', '/dashboard/settings'],
      ['not-found', '/dashboard/calls/harbor-call-1'],
    ] as const;
    await fitsEveryWidth(rig.browser, web.baseUrl, { login: OWNER, pages, prefix: 'stub-', shots: true });
  });

  it('is served by Vite in dev mode too: dashboard.html at /login and /dashboard/*, the call page at /', async () => {
    const dev = await devWebServer();
    const { context, page, errors } = await newPage(rig.browser, dev.baseUrl);
    try {
      for (const path of ['/login', '/dashboard', '/dashboard/calls/abc?x=1']) {
        const res = await rawRequest(dev.port, 'GET', path);
        assert.equal(res.status, 200, path);
        assert.match(res.body, /src="\/dashboard\/main\.ts"/, path);
        assert.match(res.body, /@vite\/client/, `${path} is transformed by Vite`);
        assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, path);
      }
      assert.match((await rawRequest(dev.port, 'GET', '/')).body, /Talk to Voxanne/);
      // probe findings 6 and 9: Vite's root is web/src, so the server's own source is out of reach,
      // and an unknown path is 404, never the talking page
      for (const path of [
        '/server/config.ts?raw',
        '/server/config.ts',
        '/vite.config.ts',
        '/package.json',
        '/test/fake-agent.ts',
        `/@fs${WEB_ROOT}/server/config.ts?raw`,
        '/no-such-page',
      ]) {
        const res = await rawRequest(dev.port, 'GET', path);
        assert.ok(res.status === 404 || res.status === 403, `${path} answered ${res.status}`);
        assert.ok(!/livekitApiSecret|Talk to Voxanne/.test(res.body), `${path} served source or the page`);
      }
      // the operations paths are answered by their own handlers (issue 16), in dev mode too: never the page
      const metrics = await rawRequest(dev.port, 'GET', '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(String(metrics.headers['content-type']), /^text\/plain/);
      assert.match(metrics.body, /^# HELP voxanne_/m);
      for (const path of ['/healthz', '/readyz']) {
        const res = await rawRequest(dev.port, 'GET', path);
        assert.ok([200, 503].includes(res.status), `${path} answered ${res.status}`);
        assert.match(String(res.headers['content-type']), /^application\/json/, `${path} answers JSON`);
        assert.ok(!/livekitApiSecret|Talk to Voxanne/.test(res.body), `${path} served source or the page`);
      }
      await page.goto('/login');
      await page.getByTestId('login-submit').waitFor(WAIT);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
      await dev.stop();
    }
  });
});

/** The web server in dev mode in a child process (see support/dev-web-server.ts); stop() ends it for sure. */
async function devWebServer(): Promise<{ baseUrl: string; port: number; stop(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./support/dev-web-server.ts', import.meta.url))],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    void exited.then(() => reject(new Error('the dev web server exited before it was ready')));
  });
  return {
    baseUrl,
    port: Number(new URL(baseUrl).port),
    async stop() {
      child.kill('SIGTERM');
      const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killed);
    },
  };
}
