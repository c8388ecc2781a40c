/**
 * `npm run bench -- --browser`: the caller's first second, in a real browser. Debian's Chromium opens
 * the page served by the web server, a person-like pause later clicks "Talk to Voxanne", and the page
 * itself dates her first audible sample on the track it received (window.__voxanne.timeline, measured
 * with Web Audio in the page against performance.now() at the click). Each call gets a fresh browser
 * context (no cache, no warm connection), as a new visitor would.
 *
 * The browser runs as users get it: no autoplay exemption, the microphone a fake device playing silence.
 */
import { webStandbyEnv } from '@voxanne/contracts/env';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import { CHROMIUM_PATH, chromiumArgs } from '../../web/test/browser-support.ts';
import { TIMELINE_STEPS, type CallTimeline, type TimelineStep } from '../../web/src/test-hook.ts';
import { startBenchStack } from './bench-stack.ts';
import { percentiles, type Percentiles } from './stats.ts';

/**
 * A visitor reads the page before pressing the button; the page's
 * load-time work (prepareConnection, VAD prefetch) happens then.
 */
export const THINK_MS = 1000;
const GREETING_TIMEOUT_MS = 15_000;

export interface BrowserCall {
  clickToGreetingMs?: number;
  timeline: CallTimeline;
  problem?: string;
}

export interface BrowserBenchResult {
  click_to_greeting_ms: Percentiles;
  /** each step of the timeline, ms after the click */
  breakdown_ms: Record<TimelineStep, Percentiles>;
  samples: number[];
  calls: BrowserCall[];
  problems: string[];
}

/** 16-bit mono silence: Chromium's fake microphone otherwise beeps, and a beep would talk over her. */
function silentWav(path: string, seconds: number): string {
  const rate = 48_000;
  const data = rate * seconds * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  writeFileSync(path, b);
  return path;
}

export async function runBrowserBench(calls: number, log: (line: string) => void): Promise<BrowserBenchResult> {
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  const micWav = silentWav(join(ROOT, 'test-artifacts', 'bench-browser-mic.wav'), 30);
  // the settings `npm start` gives: offline engines, the web server's records API and demo clinic
  // the standby calls users get (WEB_STANDBY_CALLS, default 1): each click is handed the one the web
  // server holds, if it is ready; the wait below gives every call one, as an unhurried caller finds it
  const standbys = webStandbyEnv.WEB_STANDBY_CALLS.parse(process.env.WEB_STANDBY_CALLS || undefined);
  const { stack, warmed, standbysReady } = await startBenchStack({
    name: 'bench-browser',
    agentEnv: { LOG_LEVEL: 'info' },
    web: true,
  });
  let browser: Browser | undefined;
  const results: BrowserCall[] = [];
  try {
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? CHROMIUM_PATH,
      args: chromiumArgs({ micWav }),
      headless: true,
    });
    for (let i = 0; i < calls; i++) {
      // every call takes a warm job process; wait for its replacement so each starts alike
      await warmed(i + 1);
      if (standbys > 0 && !(await standbysReady(i + 1)))
        log(`  browser call ${i + 1}: no standby ready within 30 s; the usual path`);
      const r = await oneCall(browser, stack.webUrl);
      results.push(r);
      const t = r.timeline;
      log(
        `  browser call ${i + 1}/${calls}: click → greeting ` +
          `${r.clickToGreetingMs ?? '—'} ms (mic ${t.micMs}, token ${t.tokenMs}, connected ` +
          `${t.connectedMs}, agent ${t.agentJoinedMs}, track ${t.trackSubscribedMs}, first ` +
          `sample ${t.firstSampleMs})${r.problem ? `: ${r.problem}` : ''}`,
      );
    }
  } finally {
    await browser?.close();
    await stack.stop();
  }
  const samples = results.flatMap((r) => (r.clickToGreetingMs === undefined ? [] : [r.clickToGreetingMs]));
  const breakdown = Object.fromEntries(
    TIMELINE_STEPS.map((step) => [
      step,
      percentiles(results.flatMap((r) => (r.timeline[step] === null ? [] : [r.timeline[step]!]))),
    ]),
  ) as Record<TimelineStep, Percentiles>;
  return {
    click_to_greeting_ms: percentiles(samples),
    breakdown_ms: breakdown,
    samples,
    calls: results,
    problems: results.flatMap((r, i) => (r.problem ? [`browser call ${i + 1}: ${r.problem}`] : [])),
  };
}

async function oneCall(browser: Browser, url: string): Promise<BrowserCall> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(THINK_MS);
    await page.getByTestId('talk-button').click();
    try {
      await page.waitForFunction(
        () => window.__voxanne.timeline.firstSampleMs !== null || window.__voxanne.error !== null,
        undefined,
        {
          timeout: GREETING_TIMEOUT_MS,
        },
      );
    } catch {
      // reported below with whatever the timeline reached
    }
    const h = await page.evaluate(() => ({ timeline: window.__voxanne.timeline, error: window.__voxanne.error }));
    await page
      .getByTestId('hangup-button')
      .click()
      .catch(() => {});
    const first = h.timeline.firstSampleMs;
    if (first !== null) return { clickToGreetingMs: first, timeline: h.timeline };
    return {
      timeline: h.timeline,
      problem: h.error ? `page error ${h.error.kind}` : `no greeting within ${GREETING_TIMEOUT_MS} ms`,
    };
  } finally {
    await context.close();
  }
}
