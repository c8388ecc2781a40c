import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import {
  addSample,
  AUDIBLE_RMS,
  AUDIBLE_SAMPLE,
  firstAudibleIndex,
  MAX_CREDIT_MS,
  rms,
  SILENT_PRESENCE,
} from './audio-level.ts';

describe('rms', () => {
  it('is 0 for silence and amplitude/√2 for a sine', () => {
    assert.equal(rms(new Float32Array(128)), 0);
    assert.equal(rms(new Float32Array(0)), 0);
    const sine = Float32Array.from({ length: 4800 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 48000));
    assert.ok(Math.abs(rms(sine) - 0.5 / Math.SQRT2) < 1e-3);
  });
});

describe('addSample', () => {
  it('credits only audible time, caps each credit, and remembers the first audible moment', () => {
    let p = SILENT_PRESENCE;
    p = addSample(p, { rms: AUDIBLE_RMS / 2, elapsedMs: 50, sinceClickMs: 900 });
    assert.deepEqual(p, { receivedMs: 0, rms: AUDIBLE_RMS / 2, peakRms: AUDIBLE_RMS / 2, firstAudibleMs: null });
    p = addSample(p, { rms: 0.2, elapsedMs: 50, sinceClickMs: 950 });
    p = addSample(p, { rms: 0.1, elapsedMs: 1000, sinceClickMs: 1950 }); // a throttled timer
    p = addSample(p, { rms: 0, elapsedMs: 50, sinceClickMs: 2000 });
    assert.deepEqual(p, { receivedMs: 50 + MAX_CREDIT_MS, rms: 0, peakRms: 0.2, firstAudibleMs: 950 });
  });
});

describe('firstAudibleIndex', () => {
  it('finds the first sample of either sign above the threshold, and -1 in silence', () => {
    assert.equal(firstAudibleIndex(new Float32Array(256)), -1);
    const block = new Float32Array(256);
    block[10] = AUDIBLE_SAMPLE / 2; // hiss
    block[40] = -AUDIBLE_SAMPLE * 2;
    block[90] = 0.5;
    assert.equal(firstAudibleIndex(block), 40);
  });
});
