/**
 * Settings reach the next call: the clinic's owner logs in to the dashboard API and changes the
 * greeting; the next caller (a real LiveKit participant) hears the new greeting, said out loud, and the
 * call is recorded with it. A second caller after a change back hears the original again.
 */
import { dispose } from '@livekit/rtc-node';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { SimCaller } from './support/sim-caller.ts';
import { startTestStack, type TestStack } from './support/test-stack.ts';

let stack: TestStack;
const dataDir = mkdtempSync(join(tmpdir(), 'voxanne-settings-call-'));

beforeAll(async () => {
  stack = await startTestStack(
    'settings-call',
    {},
    { webEnv: { DATA_DIR: dataDir, VOXANNE_DEMO_SEED: '1', VOXANNE_DEV: '1' } },
  );
});

afterAll(async () => {
  await dispose();
  await stack?.stop();
});

/** The dashboard's own calls: JSON, the session cookie, and the page's Origin on writes. */
async function api(method: string, path: string, body?: unknown, cookie?: string) {
  const res = await fetch(`${stack.webUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', origin: stack.webUrl, ...(cookie ? { cookie } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, setCookie: res.headers.get('set-cookie') };
}

async function greetingHeard(room: string): Promise<{ text: string; audibleMs: number }> {
  const c = await SimCaller.join({
    url: stack.livekitUrl,
    apiKey: stack.apiKey,
    apiSecret: stack.apiSecret,
    room,
    publishMic: true,
  });
  try {
    await c.waitFor(() => c.transcripts('agent').length > 0, 30_000, 'the greeting transcript');
    await c.waitFor(() => c.audibleMs() >= 1500, 30_000, 'the greeting out loud');
    return { text: c.transcripts('agent')[0]!, audibleMs: c.audibleMs() };
  } finally {
    await c.leave();
  }
}

test('a greeting changed in Settings is what the next caller hears', async () => {
  const login = await api('POST', '/api/auth/login', { email: 'demo@voxanne.local', password: 'voxanne-demo' });
  assert.equal(login.status, 200);
  const cookie = login.setCookie!.split(';')[0]!;
  const { body: settings } = await api('GET', '/api/settings', undefined, cookie);
  const original = settings.greeting as string;
  assert.match(original, /Voxanne/);

  const changed = "Good morning, you've reached Riverside Aesthetic Surgery. What can I do for you?";
  assert.equal((await api('PUT', '/api/settings', { ...settings, greeting: changed }, cookie)).status, 200);
  const first = await greetingHeard(`settings-a-${Date.now()}`);
  assert.equal(first.text, changed, 'the new greeting, word for word');

  // and back: the next call again has the original one (synthesised at start, played from the cache)
  assert.equal((await api('PUT', '/api/settings', { ...settings, greeting: original }, cookie)).status, 200);
  const second = await greetingHeard(`settings-b-${Date.now()}`);
  assert.equal(second.text, original);
});
