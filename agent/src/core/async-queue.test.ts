import { test } from 'vitest';
import assert from 'node:assert/strict';
import { AsyncQueue } from './async-queue.ts';

test('delivers items in order to a waiting consumer and ends on close', async () => {
  const q = new AsyncQueue<number>();
  const seen: number[] = [];
  const consumer = (async () => {
    for await (const n of q) seen.push(n);
  })();
  q.push(1);
  await Promise.resolve();
  q.push(2);
  q.push(3);
  q.close();
  await consumer;
  assert.deepEqual(seen, [1, 2, 3]);
});

test('pushing after close is an error, not a silent drop', () => {
  const q = new AsyncQueue<string>();
  q.close();
  assert.throws(() => q.push('x'), /closed queue/);
});

test('fail() delivers the queued items, then the error', async () => {
  const q = new AsyncQueue<number>();
  q.push(1);
  q.fail(new Error('provider down'));
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const n of q) seen.push(n);
  }, /provider down/);
  assert.deepEqual(seen, [1]);
});
