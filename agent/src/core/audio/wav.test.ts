import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { encodeWav, parseWav, WavFormatError } from './wav.ts';

/** Builds a RIFF file from raw chunks, for shapes encodeWav never writes. */
function riff(form: string, chunks: Array<[string, Uint8Array]>): Uint8Array {
  const parts: number[] = [];
  const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
  const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
  for (const [id, body] of chunks) {
    parts.push(...ascii(id), ...u32(body.length), ...body);
    if (body.length & 1) parts.push(0);
  }
  return new Uint8Array([...ascii('RIFF'), ...u32(4 + parts.length), ...ascii(form), ...parts]);
}

function fmtChunk(format: number, channels: number, rate: number, bits: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setUint16(0, format, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, (rate * channels * bits) / 8, true);
  v.setUint16(12, (channels * bits) / 8, true);
  v.setUint16(14, bits, true);
  return b;
}

function pcmBytes(samples: number[]): Uint8Array {
  const b = new Uint8Array(samples.length * 2);
  const v = new DataView(b.buffer);
  samples.forEach((s, i) => v.setInt16(2 * i, s, true));
  return b;
}

describe('wav', () => {
  it('round-trips samples, rate and channels', () => {
    const samples = Int16Array.from([0, 1, -1, 32767, -32768, 1234, -4321, 7]);
    const wav = encodeWav(samples, 16000);
    assert.equal(wav.byteLength, 44 + 16);
    const back = parseWav(wav);
    assert.deepEqual([...back.samples], [...samples]);
    assert.equal(back.sampleRate, 16000);
    assert.equal(back.channels, 1);
  });

  it('writes the canonical header fields', () => {
    const wav = encodeWav(new Int16Array(10), 48000, 2);
    const v = new DataView(wav.buffer);
    assert.equal(new TextDecoder().decode(wav.subarray(0, 4)), 'RIFF');
    assert.equal(v.getUint32(4, true), wav.byteLength - 8);
    assert.equal(v.getUint32(28, true), 48000 * 2 * 2); // byte rate
    assert.equal(v.getUint16(32, true), 4); // block align
    assert.equal(v.getUint32(40, true), 20);
  });

  it('reads a file whose bytes are not at offset 0 of their buffer', () => {
    const wav = encodeWav(Int16Array.from([5, -5, 300]), 8000);
    const shifted = new Uint8Array(wav.byteLength + 3);
    shifted.set(wav, 3);
    assert.deepEqual([...parseWav(shifted.subarray(3)).samples], [5, -5, 300]);
  });

  it('skips chunks before data, including odd-sized ones with a pad byte', () => {
    const wav = riff('WAVE', [
      ['fmt ', fmtChunk(1, 1, 22050, 16)],
      ['LIST', new Uint8Array([1, 2, 3])],
      ['data', pcmBytes([100, -200])],
    ]);
    const pcm = parseWav(wav);
    assert.deepEqual([...pcm.samples], [100, -200]);
    assert.equal(pcm.sampleRate, 22050);
  });

  it('reads up to the end when the data size overstates the file (streaming writers)', () => {
    const wav = riff('WAVE', [
      ['fmt ', fmtChunk(1, 1, 16000, 16)],
      ['data', pcmBytes([1, 2, 3])],
    ]);
    new DataView(wav.buffer).setUint32(40, 0xffffffff, true);
    assert.deepEqual([...parseWav(wav).samples], [1, 2, 3]);
  });

  it('drops a trailing partial frame', () => {
    const wav = riff('WAVE', [
      ['fmt ', fmtChunk(1, 2, 16000, 16)],
      ['data', pcmBytes([1, 2, 3])],
    ]);
    assert.deepEqual([...parseWav(wav).samples], [1, 2]);
  });

  const malformed: Array<[string, Uint8Array, RegExp]> = [
    ['empty input', new Uint8Array(0), /shorter than a RIFF header/],
    ['an MP3', new TextEncoder().encode('ID3\u0004 not a wave file at all'), /starts with "ID3/],
    ['a RIFF that is not WAVE', riff('AVI ', []), /form is "AVI "/],
    ['no fmt chunk', riff('WAVE', [['data', pcmBytes([1])]]), /data chunk comes before the fmt chunk/],
    ['no data chunk', riff('WAVE', [['fmt ', fmtChunk(1, 1, 16000, 16)]]), /no data chunk/],
    ['no chunks', riff('WAVE', []), /no fmt chunk/],
    [
      '8-bit samples',
      riff('WAVE', [
        ['fmt ', fmtChunk(1, 1, 8000, 8)],
        ['data', new Uint8Array(4)],
      ]),
      /8 bits; only 16-bit/,
    ],
    [
      'float samples',
      riff('WAVE', [
        ['fmt ', fmtChunk(3, 1, 8000, 32)],
        ['data', new Uint8Array(4)],
      ]),
      /encoding 3/,
    ],
    ['a truncated fmt chunk', riff('WAVE', [['fmt ', new Uint8Array(8)]]), /fmt chunk too short/],
    [
      'zero channels',
      riff('WAVE', [
        ['fmt ', fmtChunk(1, 0, 8000, 16)],
        ['data', new Uint8Array(4)],
      ]),
      /0 channels/,
    ],
  ];
  for (const [what, bytes, message] of malformed) {
    it(`rejects ${what} with a WavFormatError saying why`, () => {
      assert.throws(
        () => parseWav(bytes),
        (err: unknown) => err instanceof WavFormatError && message.test(err.message),
      );
    });
  }

  it('refuses to encode nonsense', () => {
    assert.throws(() => encodeWav(new Int16Array(4), 0), RangeError);
    assert.throws(() => encodeWav(new Int16Array(3), 16000, 2), /whole number of 2-channel frames/);
  });
});
