/**
 * The built page against a real livekit-server, with a scripted stand-in for the agent (fake-agent.ts)
 * and synthetic speech as the microphone. Covers what the unit tests cannot: the agent's audio really
 * arrives and is measured, protocol messages and attributes reach the screen, local VAD ducks her
 * voice, and the three ways a call ends. The real agent is exercised by the repository's end-to-end test.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { dispose } from '@livekit/rtc-node';
import { AgentDispatchClient } from 'livekit-server-sdk';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { livekitCallRooms } from '../server/call-rooms.ts';
import { WEB_ROOT } from '../server/config.ts';
import { startWebServer, testConfig, type Running } from '../server/test-support.ts';
import { launchChromium, type LaunchedBrowser } from './browser-support.ts';
import { RoomServiceClient } from 'livekit-server-sdk';
import { joinFakeAgent, type FakeAgent } from './fake-agent.ts';
import { startLivekit, type TestLivekit } from './livekit-support.ts';
import { makeSpeechWav } from './speech-wav.ts';

const ARTIFACTS = join(WEB_ROOT, '..', 'test-artifacts', 'web');
const WAIT = { timeout: 30_000 }; // guards against hanging, not timing assertions
const ENGINES = { stt: 'pocketsphinx (offline)', llm: 'rules (offline)', tts: 'flite slt (offline)', offline: true };

let tmp: string;
let speechWav: string;
let lk: TestLivekit;
let web: Running;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'voxanne-web-call-'));
  await mkdir(ARTIFACTS, { recursive: true });
  const outDir = join(tmp, 'dist');
  await build({
    configFile: join(WEB_ROOT, 'vite.config.ts'), // its root is web/src
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  speechWav = await makeSpeechWav(
    tmp,
    'Hello. I would like to book an appointment for tomorrow morning, please.',
    4000,
  );
  lk = await startLivekit();
  const config = testConfig({
    mode: 'static',
    distDir: outDir,
    livekitUrl: lk.url,
    livekitApiKey: lk.apiKey,
    livekitApiSecret: lk.apiSecret,
  });
  // no worker here takes her job: the stand-in joins by itself once the page is in the room
  web = await startWebServer(config, {
    rooms: { ...livekitCallRooms(config), agentAssigned: async () => 'taken' as const },
  });
});

afterAll(async () => {
  await web?.stop();
  await lk?.stop();
  await dispose();
  await rm(tmp, { recursive: true, force: true });
});

async function open(fakeAudioFile?: string): Promise<{ browser: LaunchedBrowser; page: Page; pageErrors: string[] }> {
  const browser = await launchChromium({ fakeAudioFile, viewport: { width: 1100, height: 900 } });
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // the page runs under the server's content security policy: a violation is only a console message
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(web.baseUrl);
  return { browser, page, pageErrors };
}

async function clickAndGetRoom(page: Page): Promise<string> {
  await page.getByTestId('talk-button').click();
  await page.waitForFunction(() => window.__voxanne.phase === 'waiting-for-agent', null, WAIT);
  return page.evaluate(() => window.__voxanne.room!);
}

describe('a call with a stand-in agent on a real LiveKit server', () => {
  it('shows her state, transcript and engines, measures her audio, ducks it under the caller, hangs up', async () => {
    const { browser, page, pageErrors } = await open(speechWav);
    try {
      const room = await clickAndGetRoom(page);
      const callerIdentity = await page.evaluate(() => window.__voxanne.identity!);
      // the token request created the room with Voxanne's dispatch, before the page joined it
      const dispatches = await new AgentDispatchClient(
        lk.url.replace(/^ws/, 'http'),
        lk.apiKey,
        lk.apiSecret,
      ).listDispatch(room);
      assert.deepEqual(
        dispatches.map((d) => d.agentName),
        ['voxanne'],
      );
      const agent = await joinFakeAgent(lk, room, { engines: ENGINES, state: 'LISTENING' });
      try {
        // attributes alone (late-joiner path) give state and engines
        await page.waitForFunction(
          () => window.__voxanne.phase === 'in-call' && window.__voxanne.state === 'LISTENING',
          null,
          WAIT,
        );
        assert.equal((await page.getByTestId('call-state').textContent())?.trim(), 'Listening…');
        await page.waitForFunction(() => window.__voxanne.engines !== null, null, WAIT);
        assert.match(
          (await page.getByTestId('engines').textContent()) ?? '',
          /Speech recognition: pocketsphinx \(offline\)/,
        );
        assert.equal(await page.evaluate(() => window.__voxanne.agentIdentity), agent.identity);

        // the caller's (synthetic) voice: the on-device VAD hears it and ducks her playback
        await page.waitForFunction(() => window.__voxanne.vadEvents.some((e) => e.type === 'start'), null, WAIT);
        await page.waitForFunction(
          () => window.__voxanne.ducked && (document.querySelector('audio') as HTMLAudioElement).volume === 0.2,
          null,
          WAIT,
        );
        await page.waitForFunction(() => window.__voxanne.vadEvents.some((e) => e.type === 'end'), null, WAIT);
        await page.waitForFunction(
          () => !window.__voxanne.ducked && (document.querySelector('audio') as HTMLAudioElement).volume === 1,
          null,
          WAIT,
        );

        // interim text replaces itself in place; the final version is fixed
        await agent.transcript('user', 'u1', 'I would like', false);
        await page.waitForFunction(() => window.__voxanne.transcripts.length === 1, null, WAIT);
        await agent.transcript('user', 'u1', 'I would like to book an appointment', false);
        await agent.transcript('user', 'u1', 'I would like to book an appointment.', true);
        await page.waitForFunction(() => window.__voxanne.transcripts[0]?.final === true, null, WAIT);
        const lines = page.getByTestId('transcript-line');
        assert.equal(await lines.count(), 1);
        assert.equal(await lines.first().getAttribute('data-final'), 'true');
        assert.match((await lines.first().textContent()) ?? '', /I would like to book an appointment\./);

        await agent.setState('SPEAKING', 'LISTENING');
        await agent.transcript('agent', 'a1', 'Of course. Which day suits you?', true);
        await page.waitForFunction(
          () => window.__voxanne.state === 'SPEAKING' && window.__voxanne.transcripts.length === 2,
          null,
          WAIT,
        );
        assert.equal((await page.getByTestId('call-state').textContent())?.trim(), 'Speaking');
        assert.equal(await lines.nth(1).getAttribute('data-speaker'), 'agent');

        // her voice, measured on the received track
        await agent.tone(2500, 0.3);
        await page.waitForFunction(() => window.__voxanne.agentAudio.receivedMs >= 1500, null, WAIT);
        const audio = await page.evaluate(() => window.__voxanne.agentAudio);
        assert.ok(audio.firstAudibleMs !== null && audio.firstAudibleMs > 0);
        assert.ok(audio.peakRms > 0.05, `peak RMS ${audio.peakRms}`);
        assert.ok(agent.heardFrom.has(callerIdentity), "the agent receives the caller's microphone");
        // the way from the click to her voice, step by step, in the order it happens
        const t = await page.evaluate(() => window.__voxanne.timeline);
        const steps = [t.tokenMs, t.connectedMs, t.agentJoinedMs, t.trackSubscribedMs, t.firstSampleMs];
        assert.ok(
          t.micMs !== null && steps.every((v, i) => v !== null && (i === 0 || v >= steps[i - 1]!)),
          JSON.stringify(t),
        );
        assert.ok(
          t.firstSampleMs! <= audio.firstAudibleMs! + 60,
          'the audio thread dates her first sample no later than the analyser reading',
        );
        assert.equal(
          await page.evaluate(() => window.__voxanne.connectionWarmed),
          true,
          'the page warmed its connection to LiveKit on load',
        );
        await page.screenshot({ path: join(ARTIFACTS, 'in-call-desktop.png') });
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: join(ARTIFACTS, 'in-call-phone.png'), fullPage: true });

        const history = await page.evaluate(() => window.__voxanne.stateHistory.map((s) => s.state));
        assert.deepEqual(history, ['LISTENING', 'SPEAKING']);

        const callerLeft = agent.left(callerIdentity);
        await page.getByTestId('hangup-button').click();
        await page.getByTestId('talk-button').waitFor({ state: 'visible', ...WAIT });
        assert.equal(await page.evaluate(() => window.__voxanne.phase), 'idle');
        assert.ok(await page.getByTestId('error-box').isHidden());
        await callerLeft;
        assert.deepEqual(pageErrors, []);
      } finally {
        await agent.leave();
      }
    } finally {
      await browser.close();
    }
  });

  it('says "Call ended" when Voxanne leaves the call', async () => {
    const { browser, page } = await open();
    try {
      const room = await clickAndGetRoom(page);
      const agent = await joinFakeAgent(lk, room, { engines: ENGINES, state: 'LISTENING' });
      await page.waitForFunction(() => window.__voxanne.phase === 'in-call', null, WAIT);
      await agent.transcript('agent', 'bye', 'Goodbye!', true);
      await page.waitForFunction(() => window.__voxanne.transcripts.length === 1, null, WAIT);
      await agent.leave();
      await page.waitForFunction(() => window.__voxanne.phase === 'ended', null, WAIT);
      assert.equal((await page.getByTestId('call-state').textContent())?.trim(), 'Call ended');
      assert.ok(await page.getByTestId('error-box').isHidden());
      assert.ok(await page.getByTestId('talk-button').isVisible(), 'the caller can call again');
      assert.equal(await page.getByTestId('transcript-line').count(), 1, 'the transcript stays readable');
      await page.screenshot({ path: join(ARTIFACTS, 'call-ended-desktop.png') });
    } finally {
      await browser.close();
    }
  });

  it('keeps the call when her process dies: the agent that takes over is heard; with none, the call ends', async () => {
    const { browser, page, pageErrors } = await open();
    const rooms = new RoomServiceClient(lk.url.replace(/^ws/, 'http'), lk.apiKey, lk.apiSecret);
    const agents: FakeAgent[] = [];
    try {
      const room = await clickAndGetRoom(page);
      agents.push(await joinFakeAgent(lk, room, { engines: ENGINES, state: 'LISTENING' }));
      await page.waitForFunction(() => window.__voxanne.phase === 'in-call', null, WAIT);
      // what the worker does when her job process died: her participant is removed from the room
      await rooms.removeParticipant(room, agents[0]!.identity);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(await page.evaluate(() => window.__voxanne.phase), 'in-call', 'the call goes on while she is away');
      // a fresh job takes the call over
      agents.push(await joinFakeAgent(lk, room, { engines: ENGINES, state: 'LISTENING', identity: 'fake-voxanne-2' }));
      await agents[1]!.transcript('agent', 'r0', 'Sorry, I lost you for a moment.', true);
      await page.waitForFunction(() => window.__voxanne.transcripts.some((t) => /lost you/.test(t.text)), null, WAIT);
      assert.equal(await page.evaluate(() => window.__voxanne.phase), 'in-call');
      // removed again and nobody comes back: the call ends, politely, not as an error
      await rooms.removeParticipant(room, agents[1]!.identity);
      await page.waitForFunction(() => window.__voxanne.phase === 'ended', null, WAIT);
      assert.equal((await page.getByTestId('call-state').textContent())?.trim(), 'Call ended');
      assert.ok(await page.getByTestId('error-box').isHidden());
      assert.deepEqual(pageErrors, []);
    } finally {
      await Promise.allSettled(agents.map((a) => a.leave()));
      await browser.close();
    }
  });

  it("says Voxanne isn't available when no agent joins within 10 s", async () => {
    const { browser, page } = await open();
    try {
      await clickAndGetRoom(page);
      await page.getByTestId('error-box').waitFor({ state: 'visible', timeout: 20_000 });
      assert.match((await page.getByTestId('error-box').textContent()) ?? '', /^Voxanne isn't available right now/);
      assert.equal(await page.evaluate(() => window.__voxanne.error?.kind), 'agent-unavailable');
    } finally {
      await browser.close();
    }
  });
});
