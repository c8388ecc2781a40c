import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ReplayBuffer } from './replay-buffer.ts';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const total = (chunks: Uint8Array[]) => chunks.reduce((s, c) => s + c.length, 0);

test('replays everything when nothing was finalized', () => {
  const rb = new ReplayBuffer(1000);
  rb.append(bytes(100, 1));
  rb.append(bytes(100, 2));
  const replay = rb.restart();
  assert.equal(total(replay), 200);
  assert.equal(rb.connectionBase, 0);
});

test('finalized audio is not replayed; a cut never splits a sample', () => {
  const rb = new ReplayBuffer(1000);
  rb.restart();
  rb.append(bytes(100, 1));
  rb.append(bytes(100, 2));
  rb.confirm(151); // mid-chunk, odd: rounds down to a whole sample
  const replay = rb.restart();
  assert.equal(total(replay), 50);
  assert.equal(rb.connectionBase, 150);
  assert.ok(replay.every((c) => c.every((b) => b === 2)));
});

test('confirmations count from the current connection, which starts at the first replayed byte', () => {
  const rb = new ReplayBuffer(1000);
  rb.append(bytes(100, 1));
  rb.confirm(60);
  rb.restart(); // new connection: its byte 0 is stream byte 60
  rb.append(bytes(100, 2));
  rb.confirm(40); // = stream byte 100
  const replay = rb.restart();
  assert.equal(rb.connectionBase, 100);
  assert.equal(total(replay), 100);
});

test('with nothing unfinalized, the new connection starts at the end of the stream', () => {
  const rb = new ReplayBuffer(1000);
  rb.append(bytes(80, 1));
  rb.confirm(80);
  assert.deepEqual(rb.restart(), []);
  assert.equal(rb.connectionBase, 80);
});

test('memory is bounded: the oldest audio goes first', () => {
  const rb = new ReplayBuffer(250);
  for (let i = 0; i < 10; i++) rb.append(bytes(100, i));
  assert.ok(rb.retainedBytes <= 250);
  const replay = rb.restart();
  assert.equal(replay.at(-1)![0], 9);
  assert.equal(rb.connectionBase, 1000 - total(replay));
});
