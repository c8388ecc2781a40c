import assert from 'node:assert/strict';
import { afterAll, describe, it } from 'vitest';
import { parseWav } from '../../core/audio/wav.ts';
import { sharedFlitePool } from './flite-pool.ts';
import { synthesizeToWav } from './wav-file.ts';

afterAll(() => sharedFlitePool().close());

describe('synthesizeToWav', () => {
  it('writes a 16-bit mono WAV at the requested rate, with the requested silence around the speech', async () => {
    const plain = parseWav(await synthesizeToWav('Book me in for Tuesday.', { sampleRate: 16000 }));
    const padded = parseWav(
      await synthesizeToWav('Book me in for Tuesday.', {
        sampleRate: 16000,
        leadingSilenceMs: 500,
        trailingSilenceMs: 250,
      }),
    );
    assert.equal(plain.sampleRate, 16000);
    assert.equal(plain.channels, 1);
    assert.equal(padded.samples.length, plain.samples.length + 8000 + 4000);
    assert.ok(padded.samples.subarray(0, 8000).every((v) => v === 0));
    assert.ok(padded.samples.subarray(-4000).every((v) => v === 0));
    assert.deepEqual(padded.samples.subarray(8000, 8000 + plain.samples.length), plain.samples);
  });

  it('resamples to 8 kHz and 48 kHz with proportional lengths', async () => {
    const at8 = parseWav(await synthesizeToWav('Thank you.', { sampleRate: 8000, voice: 'awb' }));
    const at48 = parseWav(await synthesizeToWav('Thank you.', { sampleRate: 48000, voice: 'awb' }));
    assert.equal(at8.sampleRate, 8000);
    assert.equal(at48.sampleRate, 48000);
    assert.ok(Math.abs(at48.samples.length - 6 * at8.samples.length) <= 6);
  });
});
