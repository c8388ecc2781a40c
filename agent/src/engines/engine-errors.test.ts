import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'vitest';
import { onFatalError, watchErrors } from './engine-errors.ts';

async function* items<T>(emitter: EventEmitter, list: T[], failAfter?: number): AsyncIterable<T> {
  for (let i = 0; i < list.length; i++) {
    if (i === failAfter) emitter.emit('error', { error: new Error('provider down'), recoverable: false });
    yield list[i]!;
  }
}

describe('engine errors', () => {
  it('a non-recoverable error ends the iteration with that error; what came before it was delivered', async () => {
    const engine = new EventEmitter();
    const got: number[] = [];
    await assert.rejects(async () => {
      for await (const n of watchErrors(engine, items(engine, [1, 2, 3], 2))) got.push(n);
    }, /provider down/);
    assert.deepEqual(got, [1, 2]);
    assert.equal(engine.listenerCount('error'), 0, 'listener removed');
  });

  it('a recoverable error is not a failure', async () => {
    const engine = new EventEmitter();
    async function* src() {
      yield 1;
      engine.emit('error', { error: new Error('retrying'), recoverable: true });
      yield 2;
    }
    const got: number[] = [];
    for await (const n of watchErrors(engine, src())) got.push(n);
    assert.deepEqual(got, [1, 2]);
  });

  it('a fatal error reported after the last item still fails the stream', async () => {
    const engine = new EventEmitter();
    async function* src() {
      yield 1;
      engine.emit('error', { error: new Error('late'), recoverable: false });
    }
    await assert.rejects(async () => {
      for await (const _ of watchErrors(engine, src())) void _;
    }, /late/);
  });

  it('onFatalError reports only fatal errors until unsubscribed', () => {
    const engine = new EventEmitter();
    const seen: string[] = [];
    const stop = onFatalError(engine, (e) => seen.push(e.message));
    engine.emit('error', { error: new Error('a'), recoverable: true });
    engine.emit('error', { error: new Error('b'), recoverable: false });
    stop();
    assert.equal(engine.listenerCount('error'), 0, 'unsubscribed');
    assert.deepEqual(seen, ['b']);
  });
});
