import assert from 'node:assert/strict';
import { test } from 'vitest';
import { SttFailover } from './stt-failover.ts';

test('the primary fails: counted against it, the call moves to the fallback once', () => {
  const f = new SttFailover({ primary: 'deepgram nova-3', fallback: 'pocketsphinx' });
  assert.deepEqual(f.failed('connection'), {
    metrics: [
      { kind: 'provider_error', stage: 'stt', provider: 'deepgram nova-3', error: 'connection' },
      { kind: 'fallback', stage: 'stt', provider: 'deepgram nova-3', error: 'connection' },
    ],
    switchToFallback: true,
  });
  assert.equal(f.onFallback, true);
  // the fallback fails in turn: counted against the fallback, no second move
  assert.deepEqual(f.failed('other'), {
    metrics: [{ kind: 'provider_error', stage: 'stt', provider: 'pocketsphinx', error: 'other' }],
    switchToFallback: false,
  });
  assert.equal(f.failed('timeout').switchToFallback, false);
});

test('no fallback: every failure is counted against the primary and nothing moves', () => {
  const f = new SttFailover({ primary: 'pocketsphinx' });
  for (const error of ['http_5xx', 'timeout'] as const)
    assert.deepEqual(f.failed(error), {
      metrics: [{ kind: 'provider_error', stage: 'stt', provider: 'pocketsphinx', error }],
      switchToFallback: false,
    });
  assert.equal(f.onFallback, false);
});
