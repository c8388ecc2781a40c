import { strict as assert } from 'node:assert';
import { it } from 'vitest';
import { fatalReason } from './dev-runner.ts';

it("fatalReason: the agent's fatal line as one sentence; anything else is not a reason", () => {
  const fatal = JSON.stringify({
    level: 60,
    msg: 'agent cannot start',
    error: { type: 'DecoderError', message: 'library /x could not be loaded', stack: 'DecoderError: …' },
  });
  assert.equal(fatalReason(fatal), 'agent cannot start: library /x could not be loaded');
  assert.equal(fatalReason(JSON.stringify({ level: 60, msg: 'agent worker stops' })), 'agent worker stops');
  assert.equal(
    fatalReason(JSON.stringify({ level: 50, msg: 'call record rejected', error: { message: 'bad' } })),
    undefined,
  );
  assert.equal(fatalReason('registered worker'), undefined);
  assert.equal(fatalReason('{not json'), undefined);
});

it('a busy port is one sentence naming it, and nothing starts', async () => {
  const { createServer } = await import('node:net');
  const { freeStackPorts } = await import('./ports.ts');
  const { runDev } = await import('./dev-runner.ts');
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const web = (taken.address() as { port: number }).port;
  const errors: string[] = [];
  const printed: string[] = [];
  const codes: number[] = [];
  try {
    const ports = { ...(await freeStackPorts()), web };
    await runDev({
      ports,
      apiKey: 'k',
      apiSecret: 's'.repeat(32),
      print: (l) => printed.push(l),
      printError: (l) => errors.push(l),
      exit: (c) => void codes.push(c),
    });
  } finally {
    taken.close();
  }
  assert.deepEqual(codes, [1]);
  assert.deepEqual(errors, [
    `Cannot start: web port ${web}/tcp already in use. Stop the other process ` +
      `(another 'npm start'?) or, for the web port, set PORT.`,
  ]);
  assert.deepEqual(printed, []);
});

it('web server restarts: backoff doubles to the cap, anew after a quiet minute, stops after 5 in a row', async () => {
  const { nextWebRestart } = await import('./dev-runner.ts');
  const p = { firstMs: 500, maxMs: 10_000 };
  let state = { crashes: 0, lastCrashAt: 0 };
  const waits: number[] = [];
  let now = 1_000_000;
  for (let i = 0; i < 5; i++) {
    const d = nextWebRestart(state, now, p);
    assert.equal(d.kind, 'restart');
    if (d.kind === 'restart') waits.push(d.waitMs);
    state = d.state;
    now += 5_000;
  }
  assert.deepEqual(waits, [500, 1000, 2000, 4000, 8000]);
  const sixth = nextWebRestart(state, now, p);
  assert.deepEqual([sixth.kind, sixth.kind === 'give-up' && sixth.failures], ['give-up', 6]);
  // a minute and more after the last failure: a new crash is a first one again
  const later = nextWebRestart(state, now + 61_000, p);
  assert.deepEqual([later.kind, later.kind === 'restart' && later.waitMs], ['restart', 500]);
  // the cap
  const capped = nextWebRestart({ crashes: 4, lastCrashAt: now }, now + 1, { firstMs: 5000, maxMs: 10_000 });
  assert.deepEqual([capped.kind, capped.kind === 'restart' && capped.waitMs], ['restart', 10_000]);
});
