import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, it } from 'vitest';
import { FLITE_VOICES, FlitePool } from './flite-pool.ts';
import { synthesize } from './synthesize.ts';

// A private pool, so closing it at the end cannot disturb other test files in the same process.
const pool = new FlitePool();
afterAll(() => pool.close());

function rms(x: Int16Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

describe('flite synthesize', () => {
  it('speaks "Hello, this is Voxanne." as about two seconds of clearly non-silent 16 kHz audio', async () => {
    const { samples, sampleRate } = await synthesize('Hello, this is Voxanne.', { pool });
    assert.equal(sampleRate, 16000);
    const seconds = samples.length / sampleRate;
    assert.ok(seconds > 0.8 && seconds < 4, `duration ${seconds} s`);
    assert.ok(rms(samples) > 1000, `rms ${rms(samples)} (silence is ~0, speech from flite is ~5000)`);
  });

  for (const voice of FLITE_VOICES) {
    it(`voice ${voice} produces speech at its native rate`, async () => {
      const { samples, sampleRate } = await synthesize('Your appointment is confirmed.', { voice, pool });
      assert.equal(sampleRate, voice === 'kal' ? 8000 : 16000);
      assert.ok(samples.length / sampleRate > 0.8, `${voice}: ${samples.length / sampleRate} s`);
      assert.ok(rms(samples) > 500, `${voice}: rms ${rms(samples)}`);
    });
  }

  it('different voices sound different', async () => {
    const [a, b] = await Promise.all([
      synthesize('Good morning.', { voice: 'slt', pool }),
      synthesize('Good morning.', { voice: 'rms', pool }),
    ]);
    assert.notDeepEqual(a.samples.slice(0, 4000), b.samples.slice(0, 4000));
  });

  it('returns empty samples for empty or blank text without running flite', async () => {
    for (const text of ['', '   ', '\n\t', '😀']) {
      const r = await synthesize(text, { pool });
      assert.equal(r.samples.length, 0, JSON.stringify(text));
      assert.equal(r.sampleRate, 16000);
    }
    assert.equal((await synthesize('', { voice: 'kal', pool })).sampleRate, 8000);
  });

  it('survives quotes, shell metacharacters, newlines, unicode and a leading dash', async () => {
    const weird = [
      `He said "don't" & 'won't'; $(rm -rf /) \`ls\` | > < * ?`,
      'line one\nline two\r\n\ttabbed',
      'Café Zoë naïve façade — “quoted” … 日本語 😀👍🏽',
      '-voice kal -o /etc/passwd',
      '%s %n %x \\ \\\\ \u0000 null',
      '12/05/2025 at 3:30pm, call +1 (555) 010-9999 or email a@b.co',
    ];
    for (const text of weird) {
      const r = await synthesize(text, { pool });
      assert.ok(r.samples.length > 0.5 * r.sampleRate, `too short for ${JSON.stringify(text)}`);
    }
  });

  it('speaks long text (a WAV over 1 MB, which crashes Node 20 WASI fast calls unless worked around)', async () => {
    const text = 'Thank you for calling the clinic. '.repeat(40);
    const { samples, sampleRate } = await synthesize(text, { pool });
    assert.ok(samples.length * 2 > 1_500_000, `${samples.length * 2} bytes`);
    assert.ok(samples.length / sampleRate > 40);
  });

  it('abort rejects at once, for running and for queued requests, and the pool keeps working', async () => {
    const long = 'Please hold while I check the schedule for you. '.repeat(30);
    const running = new AbortController();
    const queued = new AbortController();
    const p1 = synthesize(long, { pool, signal: running.signal });
    const p2 = synthesize(long, { pool, signal: queued.signal });
    queued.abort();
    await assert.rejects(p2, { name: 'AbortError' });
    running.abort();
    await assert.rejects(p1, { name: 'AbortError' });
    const after = await synthesize('Still here.', { pool });
    assert.ok(after.samples.length > 0);
  });

  it('rejects an already-aborted signal and an unknown voice', async () => {
    await assert.rejects(synthesize('hi', { pool, signal: AbortSignal.abort() }), { name: 'AbortError' });
    // @ts-expect-error deliberately wrong voice
    await assert.rejects(synthesize('hi', { pool, voice: 'hal9000' }), /unknown flite voice "hal9000"/);
  });

  it('a crashed worker fails the request with a clear error and is replaced for the next one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flite-crash-'));
    const script = join(dir, 'crash.mjs');
    // crashes on the first request it ever gets, in each worker, the way a native fault would
    writeFileSync(
      script,
      "import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => process.exit(3));",
    );
    const p = new FlitePool({ workerUrl: pathToFileURL(script) });
    try {
      await assert.rejects(p.run('hello', 'slt'), /flite worker exited unexpectedly with code 3/);
      await assert.rejects(p.run('hello again', 'slt'), /exited unexpectedly with code 3/);
    } finally {
      await p.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects requests after the pool is closed', async () => {
    const p = new FlitePool();
    const pending = synthesize('This one is cut off by close.', { pool: p });
    await p.close();
    await assert.rejects(pending, /flite pool closed/);
    await assert.rejects(synthesize('too late', { pool: p }), /flite pool is closed/);
  });
});
