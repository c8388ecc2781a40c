/**
 * Minimal RIFF/WAVE reader and writer for 16-bit PCM. Pure: works on bytes, no I/O.
 * Reading walks the chunk list instead of assuming a fixed 44-byte header, because writers put
 * LIST/fact chunks before `data` and some (flite among them) write a `data` size that is only an
 * upper bound.
 */

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

export interface PcmAudio {
  /** interleaved when channels > 1 */
  samples: Int16Array;
  sampleRate: number;
  channels: number;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;

function fourcc(view: DataView, at: number): string {
  return String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));
}

/** Parses a 16-bit PCM WAV file. Throws WavFormatError saying what is wrong when it is not one. */
export function parseWav(bytes: Uint8Array): PcmAudio {
  if (bytes.byteLength < 12)
    throw new WavFormatError(`not a WAV file: ${bytes.byteLength} bytes is shorter than a RIFF header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourcc(view, 0) !== 'RIFF')
    throw new WavFormatError(`not a WAV file: starts with "${fourcc(view, 0)}", expected "RIFF"`);
  if (fourcc(view, 8) !== 'WAVE')
    throw new WavFormatError(`not a WAV file: RIFF form is "${fourcc(view, 8)}", expected "WAVE"`);

  let fmt: { channels: number; sampleRate: number; bitsPerSample: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.byteLength) {
    const id = fourcc(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.byteLength) throw new WavFormatError(`fmt chunk too short (${size} bytes)`);
      const format = view.getUint16(body, true);
      const channels = view.getUint16(body + 2, true);
      const sampleRate = view.getUint32(body + 4, true);
      const bitsPerSample = view.getUint16(body + 14, true);
      if (format !== WAVE_FORMAT_PCM && format !== WAVE_FORMAT_EXTENSIBLE) {
        throw new WavFormatError(`unsupported WAV encoding ${format}; only integer PCM is supported`);
      }
      if (bitsPerSample !== 16)
        throw new WavFormatError(`unsupported WAV sample size ${bitsPerSample} bits; only 16-bit is supported`);
      if (channels < 1) throw new WavFormatError('WAV fmt chunk declares 0 channels');
      if (sampleRate < 1) throw new WavFormatError('WAV fmt chunk declares a sample rate of 0');
      fmt = { channels, sampleRate, bitsPerSample };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('WAV data chunk comes before the fmt chunk');
      const frameBytes = 2 * fmt.channels;
      // A size past the end of the file (streaming writers, truncated downloads) means "up to the end".
      const available = Math.min(size, bytes.byteLength - body);
      const count = Math.floor(available / frameBytes) * fmt.channels;
      const samples = new Int16Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.getInt16(body + 2 * i, true);
      return { samples, sampleRate: fmt.sampleRate, channels: fmt.channels };
    }
    at = body + size + (size & 1); // chunks are padded to even length
  }
  throw new WavFormatError(fmt ? 'WAV file has no data chunk' : 'WAV file has no fmt chunk');
}

/** Encodes interleaved 16-bit PCM as a canonical 44-byte-header WAV file. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Uint8Array {
  if (!Number.isInteger(sampleRate) || sampleRate < 1)
    throw new RangeError(`sample rate must be a positive integer, got ${sampleRate}`);
  if (!Number.isInteger(channels) || channels < 1)
    throw new RangeError(`channels must be a positive integer, got ${channels}`);
  if (samples.length % channels !== 0)
    throw new RangeError(`${samples.length} samples is not a whole number of ${channels}-channel frames`);
  const dataBytes = samples.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const put = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) view.setUint8(at + i, s.charCodeAt(i));
  };
  put(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, WAVE_FORMAT_PCM, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * 2, true);
  view.setUint16(32, channels * 2, true);
  view.setUint16(34, 16, true);
  put(36, 'data');
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + 2 * i, samples[i]!, true);
  return out;
}
