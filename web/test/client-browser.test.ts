/**
 * The built page in Chromium, without LiveKit: the server answers tokens (its room opening stubbed, as
 * if LiveKit had been there a moment ago) but LIVEKIT_URL points at a closed port. Checks the plain-words errors, that
 * the on-device VAD loads its model and wasm from
 * our own origin (and nothing from anywhere else), and leaves screenshots in test-artifacts/web/.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { WEB_ROOT } from '../server/config.ts';
import { closedPort, startWebServer, stubRooms, testConfig, type Running } from '../server/test-support.ts';
import { VAD_ASSET_FILES } from '../src/asset-paths.ts';
import { launchChromium, type LaunchOptions } from './browser-support.ts';

const ARTIFACTS = join(WEB_ROOT, '..', 'test-artifacts', 'web');
const PHONE = { width: 390, height: 844 };
const WAIT = { timeout: 30_000 }; // a guard against hanging, not a timing assertion

interface Served {
  url: string;
  status: number;
}

let outDir: string;
let livekitUrl: string;
let web: Running;
const served: Served[] = [];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'voxanne-dist-'));
  await build({
    configFile: join(WEB_ROOT, 'vite.config.ts'), // its root is web/src
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  livekitUrl = `ws://127.0.0.1:${await closedPort()}`;
  web = await startWebServer(testConfig({ mode: 'static', distDir: outDir, livekitUrl }), {
    rooms: stubRooms(),
  });
  // Server-side record too: worklet module fetches do not always surface as page 'request' events.
  web.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    res.once('finish', () => served.push({ url: req.url ?? '', status: res.statusCode }));
  });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await web?.stop();
  await rm(outDir, { recursive: true, force: true });
});

/** Opens the page and records every URL the browser asks for, WebSockets included. */
async function openPage(opts: LaunchOptions, baseUrl: string) {
  const browser = await launchChromium(opts);
  const requested: string[] = [];
  const pageErrors: string[] = [];
  browser.context.on('request', (r) => requested.push(r.url()));
  const page: Page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.on('websocket', (ws) => requested.push(ws.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(baseUrl);
  return { browser, page, requested, pageErrors };
}

function nonLocal(urls: string[]): string[] {
  return urls.filter((u) => {
    if (u.startsWith('data:') || u.startsWith('blob:')) return false;
    const host = new URL(u).hostname;
    return host !== '127.0.0.1' && host !== 'localhost';
  });
}

describe('the call page, with the voice server unreachable', () => {
  it("says it can't reach the voice server, and loads the VAD from its own origin only", async () => {
    const { browser, page, requested, pageErrors } = await openPage({}, web.baseUrl);
    try {
      await page.screenshot({ path: join(ARTIFACTS, 'idle-desktop.png') });
      const button = page.getByTestId('talk-button');
      assert.equal((await button.textContent())?.trim(), 'Talk to Voxanne');
      assert.equal(await page.evaluate(() => window.__voxanne.phase), 'idle');

      await button.click();
      const error = page.getByTestId('error-box');
      await error.waitFor({ state: 'visible', ...WAIT });
      assert.match((await error.textContent()) ?? '', /^Can't reach the voice server/);
      assert.equal(await page.getByTestId('call-state').getAttribute('data-phase'), 'failed');
      assert.ok(await button.isVisible(), 'the caller can try again');

      const hook = await page.evaluate(() => window.__voxanne);
      assert.equal(hook.error?.kind, 'server-unreachable');
      // the names the server chose for the call
      assert.match(hook.room ?? '', /^call-[a-z2-7]{26}$/);
      assert.match(hook.identity ?? '', /^caller-[a-z2-7]{26}$/);
      // the VAD starts only on a connected call; its files were fetched into the cache while the page sat idle
      assert.equal(hook.vad.status, 'off');
      assert.equal(hook.agentAudio.receivedMs, 0);
      await page.waitForFunction(() => window.__voxanne.vadPrefetched, null, WAIT);
      await page.screenshot({ path: join(ARTIFACTS, 'unreachable-desktop.png') });

      for (const file of VAD_ASSET_FILES) {
        assert.ok(
          served.some((s) => s.url === `/vad/${file}` && s.status === 200),
          `/vad/${file} served with 200`,
        );
      }
      assert.ok(
        requested.some((u) => u.startsWith(`${livekitUrl}/rtc`)),
        'the page did try LiveKit',
      );
      assert.deepEqual(nonLocal(requested), [], 'no request may leave this machine');
      assert.deepEqual(pageErrors, []);
    } finally {
      await browser.close();
    }
  });

  it('fits a phone screen', async () => {
    const { browser, page, pageErrors } = await openPage({ viewport: PHONE }, web.baseUrl);
    try {
      await page.getByTestId('talk-button').click();
      await page.getByTestId('error-box').waitFor({ state: 'visible', ...WAIT });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.equal(overflow, 0, 'no sideways scrolling');
      const box = await page.getByTestId('talk-button').boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width, 'the button is fully on screen');
      await page.screenshot({ path: join(ARTIFACTS, 'unreachable-phone.png'), fullPage: true });
      assert.deepEqual(pageErrors, []);
    } finally {
      await browser.close();
    }
  });

  it('explains that it needs the microphone when permission is refused', async () => {
    const { browser, page, requested } = await openPage({ denyMicrophone: true, viewport: PHONE }, web.baseUrl);
    try {
      await page.getByTestId('talk-button').click();
      const error = page.getByTestId('error-box');
      await error.waitFor({ state: 'visible', ...WAIT });
      assert.match((await error.textContent()) ?? '', /^Voxanne needs your microphone/);
      assert.equal(await page.evaluate(() => window.__voxanne.error?.kind), 'mic-denied');
      // the token is asked for alongside the microphone (it is harmless alone); LiveKit is never dialled
      assert.ok(!requested.some((u) => u.startsWith(livekitUrl)), 'no connection to LiveKit without a microphone');
      assert.equal(await page.evaluate(() => window.__voxanne.vad.status), 'off');
      await page.screenshot({ path: join(ARTIFACTS, 'mic-denied-phone.png') });
    } finally {
      await browser.close();
    }
  });
});

describe('the call page when every line is busy', () => {
  it('says so at once, before LiveKit is dialled, and lets the caller try again', async () => {
    const busy = await startWebServer(testConfig({ mode: 'static', distDir: outDir, livekitUrl }), {
      rooms: stubRooms({ assigned: false }),
    });
    try {
      const { browser, page, requested, pageErrors } = await openPage({}, busy.baseUrl);
      try {
        await page.getByTestId('talk-button').click();
        const error = page.getByTestId('error-box');
        await error.waitFor({ state: 'visible', ...WAIT });
        assert.equal((await error.textContent())?.trim(), 'All our lines are busy; please try again in a minute.');
        assert.equal(await page.evaluate(() => window.__voxanne.error?.kind), 'lines-busy');
        assert.ok(!requested.some((u) => u.startsWith(livekitUrl)), 'no connection to LiveKit without a free line');
        assert.ok(await page.getByTestId('talk-button').isVisible(), 'the caller can try again');
        assert.deepEqual(pageErrors, []);
      } finally {
        await browser.close();
      }
    } finally {
      await busy.stop();
    }
  });
});

describe('the call page in dev mode (Vite middleware)', () => {
  it('serves the page and the VAD assets itself', async () => {
    const dev = await startWebServer(testConfig({ mode: 'dev', livekitUrl }));
    try {
      const { browser, page, requested, pageErrors } = await openPage({}, dev.baseUrl);
      try {
        await page.getByTestId('talk-button').click();
        await page.getByTestId('error-box').waitFor({ state: 'visible', ...WAIT });
        assert.match((await page.getByTestId('error-box').textContent()) ?? '', /^Can't reach the voice server/);
        await page.waitForFunction(() => window.__voxanne.vadPrefetched, null, WAIT);
        for (const file of VAD_ASSET_FILES)
          assert.ok(requested.includes(`${dev.baseUrl}/vad/${file}`), `/vad/${file} requested`);
        assert.deepEqual(nonLocal(requested), []);
        assert.deepEqual(pageErrors, []);
      } finally {
        await browser.close();
      }
    } finally {
      await dev.stop();
    }
  });
});
