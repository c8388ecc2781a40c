import assert from 'node:assert/strict';
import { test } from 'vitest';
import { decideRecovery } from './recovery.ts';
import {
  BEAT_MS,
  encodeHeldCalls,
  exitOfLostCall,
  LEASE_MS,
  leaseKeys,
  lostWorkers,
  parseHeldCalls,
  SILENT_MS,
  type HeldCall,
} from './worker-lease.ts';

const call: HeldCall = { jobId: 'AJ_1', room: 'call-1', identity: 'agent-AJ_1', callId: 'c-1' };

const live = { leaseLeftMs: LEASE_MS - 100, connected: true };
const view = (peers: Record<string, { leaseLeftMs: number | undefined; connected: boolean }>) =>
  new Map(Object.entries(peers));

test('a worker is lost when it was known and its lease is gone; never the worker itself', () => {
  const gone = { leaseLeftMs: undefined, connected: false };
  assert.deepEqual(lostWorkers({ self: 'W1', known: ['W1', 'W2', 'W3'], peers: view({ W2: gone, W3: live }) }), ['W2']);
  assert.deepEqual(lostWorkers({ self: 'W1', known: ['W1'], peers: view({}) }), []);
  assert.deepEqual(lostWorkers({ self: 'W1', known: ['W2', 'W2'], peers: view({}) }), ['W2']);
  assert.deepEqual(lostWorkers({ self: 'W1', known: [], peers: view({ W2: gone }) }), []);
  // a lease that ran out is a death even with a connection open (a hung process, a frozen machine)
  assert.deepEqual(
    lostWorkers({ self: 'W1', known: ['W2'], peers: view({ W2: { leaseLeftMs: undefined, connected: true } }) }),
    ['W2'],
  );
});

test('a closed connection is a death once the lease has gone unrenewed for two beats, not before', () => {
  const closed = (silentMs: number) => ({ leaseLeftMs: LEASE_MS - silentMs, connected: false });
  assert.deepEqual(lostWorkers({ self: 'W1', known: ['W2'], peers: view({ W2: closed(SILENT_MS) }) }), ['W2']);
  // a connection that dropped a moment ago (and may come back): not yet
  assert.deepEqual(lostWorkers({ self: 'W1', known: ['W2'], peers: view({ W2: closed(BEAT_MS) }) }), []);
  // connected and renewing late is alive until the lease runs out
  assert.deepEqual(
    lostWorkers({ self: 'W1', known: ['W2'], peers: view({ W2: { leaseLeftMs: 1, connected: true } }) }),
    [],
  );
});

test('a lease outlives several missed beats: one slow beat is not a death', () => {
  assert.ok(LEASE_MS >= 4 * BEAT_MS);
  assert.ok(SILENT_MS >= 2 * BEAT_MS && SILENT_MS < LEASE_MS);
});

test('the held calls round-trip; malformed entries are left out, not guessed', () => {
  const noCall: HeldCall = { jobId: 'AJ_2', room: 'call-2', identity: 'agent-AJ_2' };
  assert.deepEqual(parseHeldCalls(encodeHeldCalls([call, noCall])), [call, noCall]);
  assert.deepEqual(parseHeldCalls(null), []);
  assert.deepEqual(parseHeldCalls('not json'), []);
  assert.deepEqual(parseHeldCalls('{"jobId":"x"}'), []);
  assert.deepEqual(
    parseHeldCalls(
      JSON.stringify([null, { jobId: 'AJ_3', room: '', identity: 'a' }, { jobId: 7 }, { ...call, callId: '' }]),
    ),
    [{ jobId: 'AJ_1', room: 'call-1', identity: 'agent-AJ_1' }],
  );
});

test("a lost worker's call is recovered like a crashed job, with the same call and its own reason", () => {
  const d = decideRecovery({ exit: exitOfLostCall(call), stopping: false, callers: ['caller-1'], attempts: 0 });
  assert.deepEqual(d, {
    kind: 'recover',
    room: 'call-1',
    removeIdentity: 'agent-AJ_1',
    metadata: { recovery: true, previousJobId: 'AJ_1', attempt: 1, reason: 'agent worker lost', callId: 'c-1' },
  });
  // a job still waiting for its caller when the worker died is recovered too (it had announced no call)
  const waiting = decideRecovery({
    exit: exitOfLostCall({ jobId: 'AJ_2', room: 'call-2', identity: 'agent-AJ_2' }),
    stopping: false,
    callers: ['caller-2'],
    attempts: 0,
  });
  assert.equal(waiting.kind, 'recover');
  // the caller hung up meanwhile: nothing to bring back
  assert.deepEqual(decideRecovery({ exit: exitOfLostCall(call), stopping: false, callers: [], attempts: 0 }), {
    kind: 'ignore',
    why: 'no caller left',
  });
});

test('keys are per deployment (agent name), so two deployments on one Redis never take over each other', () => {
  const a = leaseKeys('voxanne', 'W1');
  const b = leaseKeys('other', 'W1');
  assert.notEqual(a.lease(), b.lease());
  assert.notEqual(a.workers, b.workers);
  assert.equal(a.lease('W2'), 'voxanne:voxanne:worker:W2:lease');
  assert.equal(leaseKeys('').workers, 'voxanne:auto:workers');
});
