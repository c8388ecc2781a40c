// Shared by the dashboard browser tests: one Chromium, pages at the three widths the issue names.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll } from 'vitest';
import { WEB_ROOT } from '../server/config.ts';
import { CHROMIUM_PATH, chromiumArgs } from './browser-support.ts';

export const ARTIFACTS = join(WEB_ROOT, '..', 'test-artifacts', 'dashboard');
export const WIDTHS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'tablet', width: 820, height: 1180 },
  { name: 'desktop', width: 1366, height: 900 },
] as const;
export const WAIT = { timeout: 30_000 }; // a guard against hanging, not a timing assertion

export async function buildClient(): Promise<{ outDir: string; remove(): Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'voxanne-dash-dist-'));
  await build({
    configFile: join(WEB_ROOT, 'vite.config.ts'), // its root is web/src
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return { outDir, remove: () => rm(outDir, { recursive: true, force: true }) };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: chromiumArgs({}) });
}

/** A fresh context (own cookies) with one page; page errors are collected for the test to check. */
export async function newPage(browser: Browser, baseURL: string, width: (typeof WIDTHS)[number] = WIDTHS[2]) {
  const context = await browser.newContext({ baseURL, viewport: { width: width.width, height: width.height } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // a content security policy violation is only a console message; the pages must cause none
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
}

/** Waits until the router has drawn the current page (or its error page). */
export async function ready(page: Page): Promise<void> {
  await page.waitForSelector('#dashboard[data-ready="true"]', WAIT);
}

export async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await ready(page);
  await page.getByTestId('login-email').fill(email);
  await page.getByTestId('login-password').fill(password);
  await page.getByTestId('login-submit').click();
  await page.waitForURL(/\/dashboard/, WAIT);
  await ready(page);
}

/** Nothing wider than the screen: a page a person must scroll sideways to read is broken. */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

export async function screenshot(page: Page, name: string, width: (typeof WIDTHS)[number]): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}-${width.width}.png`), fullPage: true });
}

/**
 * Logs in, then opens every page at every width: none scrolls sideways and none logs a page error;
 * the talking page links to the dashboard. Screenshots go to `${prefix}${page}-${width}.png` unless
 * `shots` is false.
 */
export async function fitsEveryWidth(
  browser: Browser,
  baseUrl: string,
  o: {
    login: readonly [email: string, password: string];
    pages: readonly (readonly [name: string, path: string])[];
    prefix: string;
    shots: boolean;
  },
): Promise<void> {
  const shot = async (page: Page, name: string, width: (typeof WIDTHS)[number]) => {
    if (o.shots) await screenshot(page, `${o.prefix}${name}`, width);
  };
  for (const width of WIDTHS) {
    const { context, page, errors } = await newPage(browser, baseUrl, width);
    try {
      await page.goto('/login');
      await ready(page);
      await shot(page, 'login', width);
      await logIn(page, ...o.login);
      for (const [name, path] of o.pages) {
        await page.goto(path);
        await ready(page);
        assert.ok((await horizontalOverflow(page)) <= 0, `${name} at ${width.width} px scrolls sideways`);
        await shot(page, name, width);
      }
      await page.goto('/');
      await page.getByTestId('dashboard-link').waitFor(WAIT);
      assert.equal(await page.getByTestId('dashboard-link').getAttribute('href'), '/dashboard');
      assert.ok((await horizontalOverflow(page)) <= 0);
      await shot(page, 'voice-test', width);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  }
}

export interface DashboardRig {
  dist: Awaited<ReturnType<typeof buildClient>>;
  browser: Browser;
}

/** The built client and one Chromium for a whole test file: made in beforeAll, removed in afterAll. */
export function dashboardRig(): DashboardRig {
  const rig = {} as DashboardRig;
  beforeAll(async () => {
    rig.dist = await buildClient();
    rig.browser = await launch();
    await mkdir(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await rig.browser?.close();
    await rig.dist?.remove();
  });
  return rig;
}
