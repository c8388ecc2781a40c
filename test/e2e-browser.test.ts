/**
 * The newcomer's story, for real: livekit-server, the agent worker on its offline engines, the web
 * server, and Debian's Chromium with a generated WAV as its microphone. Audio is measured on the track
 * the browser actually receives (Web Audio in the page), not assumed.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { synthesizeToWav } from '../agent/src/engines/flite/wav-file.ts';
import type {} from '../web/src/test-hook.ts';
import { launchChromium } from './support/browser.ts';
import { ARTIFACTS, startTestStack, waitForLog, type TestStack } from './support/test-stack.ts';

const QUESTION = 'What are your opening hours?';
let stack: TestStack;
let browser: Browser;
let micWav: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  micWav = join(ARTIFACTS, 'e2e-mic.wav');
  // Her greeting lasts a few seconds; the question comes after it, then the microphone stays quiet.
  writeFileSync(
    micWav,
    await synthesizeToWav(QUESTION, {
      voice: 'slt',
      sampleRate: 48000,
      leadingSilenceMs: 9000,
      trailingSilenceMs: 15000,
    }),
  );
  stack = await startTestStack('e2e-browser');
  browser = await launchChromium({ micWav });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

type Hook = Window['__voxanne'];
const hook = (page: Page) => page.evaluate(() => window.__voxanne) as Promise<Hook>;

test('press the button, hear the greeting, ask for the hours, hear the answer', async () => {
  const page = await browser.newPage();
  const external: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['127.0.0.1', 'localhost'].includes(u.hostname) && u.protocol !== 'data:' && u.protocol !== 'blob:')
      external.push(r.url());
  });
  // the page runs under the web server's content security policy; a violation is only a console message
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.goto(stack.webUrl);
  await page.getByTestId('talk-button').click();

  // Greeting: real audio energy on the received track, within a few seconds of the click.
  await page.waitForFunction(() => window.__voxanne.agentAudio.receivedMs >= 1000, undefined, { timeout: 20_000 });
  const afterGreeting = await hook(page);
  assert.equal(afterGreeting.phase, 'in-call');
  assert.ok(afterGreeting.agentAudio.firstAudibleMs !== null);
  console.log(`greeting first audible ${Math.round(afterGreeting.agentAudio.firstAudibleMs)} ms after the click`);
  assert.deepEqual(afterGreeting.engines && { offline: afterGreeting.engines.offline }, { offline: true });
  // her voice coming back through the caller's speakers must not reach her: the browser's echo
  // canceller is on for the microphone she hears (and noise suppression and gain control with it)
  assert.deepEqual(afterGreeting.mic, { echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  assert.ok(
    afterGreeting.transcripts.some((t) => t.speaker === 'agent' && /Voxanne/.test(t.text)),
    'greeting transcript shown',
  );

  // The question is transcribed by the offline recogniser…
  await page.waitForFunction(
    () => window.__voxanne.transcripts.some((t) => t.speaker === 'user' && t.final && /hours/i.test(t.text)),
    undefined,
    { timeout: 30_000 },
  );
  const audioBeforeReply = (await hook(page)).agentAudio.receivedMs;

  // …and answered from the knowledge base, out loud.
  await page.waitForFunction(
    () =>
      window.__voxanne.transcripts.some(
        (t) => t.speaker === 'agent' && t.final && /monday/i.test(t.text) && /eight/i.test(t.text),
      ),
    undefined,
    { timeout: 30_000 },
  );
  await page.waitForFunction((before) => window.__voxanne.agentAudio.receivedMs >= before + 1500, audioBeforeReply, {
    timeout: 20_000,
  });

  const h = await hook(page);
  const states = h.stateHistory.map((s) => s.state);
  for (const s of ['LISTENING', 'PROCESSING', 'SPEAKING'] as const)
    assert.ok(states.includes(s), `state ${s} seen: ${states.join(',')}`);
  await page.screenshot({ path: join(ARTIFACTS, 'e2e-in-call.png'), fullPage: true });
  assert.deepEqual(external, [], 'nothing is loaded from outside this machine');
  assert.deepEqual(cspViolations, [], 'the call works within the content security policy');

  // Hang up: the page returns to its start, and the agent's job ends cleanly.
  await page.getByTestId('hangup-button').click();
  await page.waitForFunction(() => window.__voxanne.phase === 'ended' || window.__voxanne.phase === 'idle', undefined, {
    timeout: 5000,
  });
  await waitForLog(stack, 'agent', /"reason":"caller left"/, 10_000);
  await page.close();
});
