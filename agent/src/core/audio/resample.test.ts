import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { createResampler, resample, resampledLength } from './resample.ts';

function sine(freq: number, rate: number, seconds: number, amplitude = 10000): Int16Array {
  const n = Math.round(rate * seconds);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Sign changes per second, ignoring the edges (where the resampler sees implicit silence). */
function zeroCrossingsPerSecond(x: Int16Array, rate: number, edge: number): number {
  let count = 0;
  for (let i = edge + 1; i < x.length - edge; i++) if (x[i - 1]! < 0 !== x[i]! < 0) count++;
  return count / ((x.length - 2 * edge - 1) / rate);
}

/**
 * Energy of the signal that is NOT the tone at `freq`, relative to the total, over the middle of
 * the buffer: least-squares fit of a sinusoid at `freq` and measure the residual. Spectral images
 * (upsampling) and aliases (downsampling) all end up in the residual.
 */
function residualRatio(x: Int16Array, rate: number, freq: number, edge: number): number {
  const w = (2 * Math.PI * freq) / rate;
  let ss = 0,
    cc = 0,
    sc = 0,
    xs = 0,
    xc = 0;
  for (let i = edge; i < x.length - edge; i++) {
    const s = Math.sin(w * i),
      c = Math.cos(w * i);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    xs += x[i]! * s;
    xc += x[i]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (xs * cc - xc * sc) / det;
  const b = (xc * ss - xs * sc) / det;
  let total = 0,
    residual = 0;
  for (let i = edge; i < x.length - edge; i++) {
    const r = x[i]! - (a * Math.sin(w * i) + b * Math.cos(w * i));
    total += x[i]! * x[i]!;
    residual += r * r;
  }
  return residual / total;
}

function rms(x: Int16Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

describe('resample', () => {
  it('keeps a 1 kHz tone at 1 kHz going from 16 kHz to 48 kHz', () => {
    const out = resample(sine(1000, 16000, 1), 16000, 48000);
    assert.equal(out.length, 48000);
    const zc = zeroCrossingsPerSecond(out, 48000, 480);
    assert.ok(Math.abs(zc - 2000) <= 4, `expected ~2000 zero crossings per second, got ${zc}`);
    assert.ok(Math.abs(rms(out, 480, 47520) - 10000 / Math.SQRT2) < 100, 'level is preserved');
  });

  it('adds no energy above the source Nyquist when upsampling (no images)', () => {
    for (const [from, freq] of [
      [16000, 1000],
      [16000, 6000],
      [8000, 1000],
      [8000, 3000],
    ] as const) {
      const out = resample(sine(freq, from, 1), from, 48000);
      const ratio = residualRatio(out, 48000, freq, 480);
      // -50 dB; sample repetition leaves images around -10 to -20 dB (see the next test)
      assert.ok(ratio < 1e-5, `${freq} Hz from ${from}: residual ${(10 * Math.log10(ratio)).toFixed(1)} dB`);
    }
  });

  it('the image measurement does catch naive upsampling', () => {
    // guards the test above: repeating each sample 3 times must fail it by a wide margin
    const x = sine(1000, 16000, 1);
    const naive = new Int16Array(x.length * 3).map((_, i) => x[Math.floor(i / 3)]!);
    assert.ok(residualRatio(naive, 48000, 1000, 480) > 1e-3);
  });

  it('removes content above the target Nyquist when downsampling instead of aliasing it', () => {
    // 10 kHz at 48 kHz cannot exist at 16 kHz; without filtering it would fold to 6 kHz
    const out = resample(sine(10000, 48000, 0.5), 48000, 16000);
    assert.equal(out.length, 8000);
    assert.ok(rms(out, 160, 7840) < 10000 * 1e-3, `residual rms ${rms(out, 160, 7840)}`);
    // while a tone inside the band survives with its frequency
    const keep = resample(sine(1000, 48000, 0.5), 48000, 16000);
    assert.ok(Math.abs(zeroCrossingsPerSecond(keep, 16000, 160) - 2000) <= 6);
    assert.ok(residualRatio(keep, 16000, 1000, 160) < 1e-5);
  });

  it('handles rates that are not integer multiples (16 kHz -> 44.1 kHz)', () => {
    const out = resample(sine(1000, 16000, 1), 16000, 44100);
    assert.equal(out.length, 44100);
    assert.ok(Math.abs(zeroCrossingsPerSecond(out, 44100, 441) - 2000) <= 4);
    assert.ok(residualRatio(out, 44100, 1000, 441) < 1e-5);
  });

  it('passes DC through at unity gain', () => {
    const out = resample(new Int16Array(1600).fill(1000), 16000, 48000);
    for (let i = 600; i < out.length - 600; i++) assert.ok(Math.abs(out[i]! - 1000) <= 1, `sample ${i} is ${out[i]}`);
  });

  it('has the right lengths and clamps instead of wrapping', () => {
    assert.equal(resampledLength(160, 16000, 48000), 480);
    assert.equal(resampledLength(161, 16000, 48000), 483);
    assert.equal(resampledLength(7, 48000, 16000), 3);
    assert.equal(resample(new Int16Array(0), 16000, 48000).length, 0);
    assert.equal(resample(new Int16Array(1), 16000, 48000).length, 3);
    const square = new Int16Array(800).map((_, i) => (Math.floor(i / 40) % 2 ? 32767 : -32768));
    const out = resample(square, 16000, 48000);
    // Gibbs overshoot beyond full scale must saturate, not wrap to the opposite sign
    for (let i = 1; i < out.length; i++) assert.ok(Math.abs(out[i]! - out[i - 1]!) < 40000);
  });

  it('copies when the rates are equal and rejects invalid rates', () => {
    const x = Int16Array.from([1, 2, 3]);
    const y = resample(x, 16000, 16000);
    assert.deepEqual([...y], [1, 2, 3]);
    assert.notEqual(y, x);
    assert.throws(() => resample(x, 0, 16000), RangeError);
    assert.throws(() => resample(x, 16000, 22050.5), RangeError);
  });
});

describe('createResampler', () => {
  it('renders slices identical to the whole-buffer result', () => {
    const x = sine(440, 16000, 0.3);
    for (const to of [48000, 44100, 8000, 16000]) {
      const whole = resample(x, 16000, to);
      const r = createResampler(x, 16000, to);
      assert.equal(r.length, whole.length);
      const parts: number[] = [];
      for (let at = 0; at < r.length; at += 997) parts.push(...r.render(at, Math.min(r.length, at + 997)));
      assert.deepEqual(parts, [...whole], `16000 -> ${to}`);
    }
  });

  it('rejects ranges outside the output', () => {
    const r = createResampler(new Int16Array(10), 16000, 48000);
    assert.throws(() => r.render(0, 31), RangeError);
    assert.throws(() => r.render(5, 4), RangeError);
    assert.equal(r.render(30, 30).length, 0);
  });
});
