/**
 * Band-limited resampling of whole 16-bit PCM buffers (windowed-sinc, Kaiser window). Pure.
 *
 * Every output sample is the input convolved with a low-pass sinc centred on its exact position
 * in input time, so there is no delay to compensate and frequencies keep their pitch. The cutoff
 * sits just under the lower of the two Nyquist rates: upsampling leaves no spectral images
 * above the source's Nyquist (what sample repetition or linear interpolation produce) and
 * downsampling does not fold high frequencies back down as aliases.
 *
 * Buffers are resampled whole because the TTS synthesizes a sentence at a time; the edges are
 * treated as silence.
 */

export interface ResampleOptions {
  /** cutoff as a fraction of the lower Nyquist rate; below 1 leaves room for the transition band */
  rolloff?: number;
  /** sinc zero crossings kept on each side of the centre; more is sharper and slower */
  zeroCrossings?: number;
  /** Kaiser window shape; 8 gives about 80 dB of stopband attenuation */
  kaiserBeta?: number;
}

const DEFAULTS: Required<ResampleOptions> = { rolloff: 0.9, zeroCrossings: 32, kaiserBeta: 8 };

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for x < 50). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-16) break;
  }
  return sum;
}

/** Number of samples `inputLength` samples at `fromRate` become at `toRate`. */
export function resampledLength(inputLength: number, fromRate: number, toRate: number): number {
  return Math.ceil((inputLength * toRate) / fromRate);
}

/** Resamples a whole buffer; see createResampler to compute it piece by piece. */
export function resample(
  input: Int16Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Int16Array {
  const r = createResampler(input, fromRate, toRate, options);
  return r.render(0, r.length);
}

export interface Resampler {
  /** number of output samples */
  readonly length: number;
  /**
   * Output samples [start, end). Each one depends only on the input, so a long buffer can be
   * rendered in slices (yielding to the event loop in between) with results identical to resample().
   */
  render(start: number, end: number): Int16Array;
}

export function createResampler(
  input: Int16Array,
  fromRate: number,
  toRate: number,
  options: ResampleOptions = {},
): Resampler {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`${name} must be a positive integer, got ${rate}`);
  }
  const n = input.length;
  const length = resampledLength(n, fromRate, toRate);
  const checkRange = (start: number, end: number) => {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > length || start > end) {
      throw new RangeError(`render range [${start}, ${end}) is outside [0, ${length})`);
    }
  };
  if (fromRate === toRate) {
    return { length, render: (start, end) => (checkRange(start, end), input.slice(start, end)) };
  }
  const { rolloff, zeroCrossings, kaiserBeta } = { ...DEFAULTS, ...options };

  // Output sample j sits at input time j*M/L; its fractional part takes only L distinct values,
  // so the filter taps are computed once per phase.
  const g = gcd(fromRate, toRate);
  const L = toRate / g;
  const M = fromRate / g;
  // cutoff in cycles per input sample, times 2 (1 = input Nyquist)
  const cutoff = rolloff * Math.min(1, toRate / fromRate);
  const halfWidth = zeroCrossings / cutoff; // in input samples
  const span = Math.ceil(halfWidth);
  const taps = 2 * span + 1;
  const i0Beta = besselI0(kaiserBeta);
  const phases = new Array<Float64Array | undefined>(L);

  const phaseTaps = (p: number): Float64Array => {
    let h = phases[p];
    if (h) return h;
    h = new Float64Array(taps);
    const frac = p / L;
    for (let k = 0; k < taps; k++) {
      const tau = k - span - frac; // input index (floor(t) - span + k) minus output time t
      const u = tau / halfWidth;
      if (Math.abs(u) >= 1) continue;
      const x = cutoff * tau;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      h[k] = cutoff * sinc * (besselI0(kaiserBeta * Math.sqrt(1 - u * u)) / i0Beta);
    }
    phases[p] = h;
    return h;
  };

  const render = (start: number, end: number): Int16Array => {
    checkRange(start, end);
    const out = new Int16Array(end - start);
    for (let j = start; j < end; j++) {
      const num = j * M; // exact: j*M/L is the output time in input samples
      const base = Math.floor(num / L);
      const h = phaseTaps(num - base * L);
      const first = base - span;
      const kFrom = Math.max(0, -first);
      const kTo = Math.min(taps, n - first);
      let acc = 0;
      for (let k = kFrom; k < kTo; k++) acc += h[k]! * input[first + k]!;
      out[j - start] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
    }
    return out;
  };
  return { length, render };
}
