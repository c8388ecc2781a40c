import assert from 'node:assert/strict';
import { test } from 'vitest';
import { mulawToLinear, PcmFramer } from './pcm-framer.ts';

test('μ-law bytes decode to the G.711 values', () => {
  // byte -> linear, from the G.711 segment table (bias 132, bits inverted on the wire)
  const known: Array<[number, number]> = [
    [0xff, 0],
    [0x7f, 0],
    [0x00, -32124],
    [0x80, 32124],
    [0xf0, 120],
    [0x70, -120],
    [0xa5, 6652],
    [0x25, -6652],
    [0xcf, 924],
    [0x4f, -924],
  ];
  for (const [byte, linear] of known) assert.equal(mulawToLinear(byte), linear, `0x${byte.toString(16)}`);
  const framer = new PcmFramer('mulaw', 4);
  const frames = framer.push(Uint8Array.from(known.map(([b]) => b)));
  assert.deepEqual(
    frames.map((f) => [...f]),
    [
      [0, 0, -32124, 32124],
      [120, -120, 6652, -6652],
    ],
  );
  assert.deepEqual([...framer.flush()!], [924, -924]);
});

test('linear16 samples split across chunks at odd byte boundaries come out whole', () => {
  const samples = Int16Array.from([0, 1, -1, 32767, -32768, 258, -259, 12345, -12345, 7]);
  const bytes = new Uint8Array(samples.buffer.slice(0));
  // every split point, including ones that cut a sample in half
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b++) {
      const framer = new PcmFramer('linear16', 3);
      const out = [
        ...framer.push(bytes.subarray(0, a)),
        ...framer.push(bytes.subarray(a, b)),
        ...framer.push(bytes.subarray(b)),
      ];
      const last = framer.flush();
      const got = [...out.flatMap((f) => [...f]), ...(last ? [...last] : [])];
      assert.deepEqual(got, [...samples], `split at ${a}/${b}`);
      assert.ok(out.every((f) => f.length === 3));
    }
  }
});

test('a frame is emitted as soon as its last byte arrives, not later', () => {
  const framer = new PcmFramer('linear16', 960); // 20 ms at 48 kHz
  assert.equal(framer.push(new Uint8Array(1919)).length, 0);
  assert.equal(framer.pendingByte, true);
  assert.equal(framer.push(new Uint8Array(1)).length, 1);
  assert.equal(framer.flush(), undefined);
});

test('a lone trailing byte is not a sample', () => {
  const framer = new PcmFramer('linear16', 4);
  framer.push(Uint8Array.from([1, 0, 2, 0, 3]));
  assert.deepEqual([...framer.flush()!], [1, 2]);
});

test('frames handed out are not reused afterwards', () => {
  const framer = new PcmFramer('mulaw', 2);
  const [first] = framer.push(Uint8Array.from([0x80, 0x80]));
  framer.push(Uint8Array.from([0x00, 0x00]));
  assert.deepEqual([...first!], [32124, 32124]);
});
