import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { parseWav } from '../src/core/audio/wav.ts';

const script = fileURLToPath(new URL('./say.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'say-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function say(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8' });
}

describe('say.ts', () => {
  it('writes speech to a WAV file at the requested rate', () => {
    const out = join(dir, 'hello.wav');
    const r = say('--voice', 'slt', '--rate', '16000', '--lead', '200', '--out', out, 'Hello, this is Voxanne.');
    assert.equal(r.status, 0, r.stderr);
    const wav = parseWav(readFileSync(out));
    assert.equal(wav.sampleRate, 16000);
    assert.equal(wav.channels, 1);
    const seconds = wav.samples.length / 16000;
    assert.ok(seconds > 1 && seconds < 4.2, `${seconds} s`);
    assert.ok(
      wav.samples.subarray(0, 3200).every((v) => v === 0),
      '200 ms of leading silence',
    );
  });

  it('fails with a usage message on bad arguments', () => {
    const bad = say('--voice', 'nope', '--out', join(dir, 'x.wav'), 'hi');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown voice "nope"/);
    assert.match(say('hello').stderr, /--out is required/);
    assert.match(say('--out', join(dir, 'y.wav'), '--rate', 'fast', 'hi').stderr, /--rate must be/);
  });
});
