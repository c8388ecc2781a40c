import assert from 'node:assert/strict';
import { test } from 'vitest';
import { NonceLedger, SIGNATURE_MAX_SKEW_MS, signRecordsRequest, verifyRecordsRequest } from './src/signature.ts';

const KEY = 'k'.repeat(40);

function request(nowMs: number, nonce: string, body = '{}') {
  const parts = { timestamp: String(nowMs), nonce, method: 'POST', path: '/internal/v1/calls', body };
  return { ...parts, signature: signRecordsRequest(KEY, parts) };
}

test('a signed request is accepted once; its replay is refused, also within the timestamp window', () => {
  const ledger = new NonceLedger();
  const t = 1_000_000_000_000;
  const r = request(t, 'nonce-aaaaaaaaaaaaaaaa');
  assert.deepEqual(verifyRecordsRequest(KEY, r, t, ledger), { ok: true });
  assert.deepEqual(verifyRecordsRequest(KEY, r, t + 1000, ledger), { ok: false, error: 'replayed signature' });
  // past the window the request is stale anyway; the ledger may forget it then
  assert.deepEqual(verifyRecordsRequest(KEY, r, t + SIGNATURE_MAX_SKEW_MS + 1, ledger), {
    ok: false,
    error: 'stale signature',
  });
});

test('the nonce is signed: another nonce with the same signature is refused', () => {
  const ledger = new NonceLedger();
  const t = 1_000_000_000_000;
  const r = request(t, 'nonce-bbbbbbbbbbbbbbbb');
  assert.deepEqual(verifyRecordsRequest(KEY, { ...r, nonce: 'nonce-cccccccccccccccc' }, t, ledger), {
    ok: false,
    error: 'bad signature',
  });
  // a forged request does not spend the real one's nonce
  assert.deepEqual(verifyRecordsRequest(KEY, { ...r, signature: '0'.repeat(64) }, t, ledger), {
    ok: false,
    error: 'bad signature',
  });
  assert.deepEqual(verifyRecordsRequest(KEY, r, t, ledger), { ok: true });
});

test('no nonce, or one too short, is a missing signature', () => {
  const t = 1_000_000_000_000;
  const r = request(t, 'short');
  assert.deepEqual(verifyRecordsRequest(KEY, r, t, new NonceLedger()), { ok: false, error: 'missing signature' });
  assert.deepEqual(verifyRecordsRequest(KEY, { ...r, nonce: undefined }, t, new NonceLedger()), {
    ok: false,
    error: 'missing signature',
  });
});

test('the ledger forgets nonces after twice the window, and holds at most max of them', () => {
  const ledger = new NonceLedger(3);
  const t = 0;
  assert.ok(ledger.accept('a', t));
  assert.ok(!ledger.accept('a', t + 2 * SIGNATURE_MAX_SKEW_MS - 1));
  assert.ok(ledger.accept('a', t + 2 * SIGNATURE_MAX_SKEW_MS + 1), 'forgotten once it is long stale');
  for (const n of ['b', 'c', 'd', 'e']) assert.ok(ledger.accept(n, t + 2 * SIGNATURE_MAX_SKEW_MS + 2));
  assert.ok(ledger.accept('a', t + 2 * SIGNATURE_MAX_SKEW_MS + 3), 'the oldest went first past max');
});
