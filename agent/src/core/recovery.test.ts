import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  crashed,
  decideRecovery,
  MAX_RECOVERIES_PER_CALL,
  parseRecoveryMetadata,
  RECOVERY_MEMORY_MS,
  RecoveryAttempts,
  recoveryLine,
  restoreFromTurns,
  type JobExit,
  type RecoveryFacts,
  type StoredTurn,
} from './recovery.ts';

const job = { id: 'AJ_1', room: 'call-1', identity: 'agent-AJ_1' };
const killed: JobExit = { code: null, signal: 'SIGKILL', job, callId: 'c-1' };
const facts = (f: Partial<RecoveryFacts> = {}): RecoveryFacts => ({
  exit: killed,
  stopping: false,
  callers: ['caller-1'],
  attempts: 0,
  ...f,
});

test('a job process killed or failing is a crash; exit 0 is a finished job', () => {
  assert.equal(crashed({ code: null, signal: 'SIGKILL' }), true);
  assert.equal(crashed({ code: null, signal: 'SIGSEGV' }), true);
  assert.equal(crashed({ code: 1, signal: null }), true);
  assert.equal(crashed({ code: 0, signal: null }), false);
  assert.equal(crashed({ code: 0, signal: null, callId: 'c', callEnded: true }), false);
  // the library exits 0 after an exception in the job too: a call that never ended is a crash
  assert.equal(crashed({ code: 0, signal: null, callId: 'c', callEnded: false }), true);
  // the whole worker went (another worker saw its lease run out): its jobs died with it, unless the call had ended
  assert.equal(crashed({ code: null, signal: null, workerLost: true }), true);
  assert.equal(crashed({ code: null, signal: null, workerLost: true, callId: 'c', callEnded: true }), false);
});

test('a killed job with its caller still in the room is recovered: dead agent removed, recovery dispatched', () => {
  const d = decideRecovery(facts());
  assert.deepEqual(d, {
    kind: 'recover',
    room: 'call-1',
    removeIdentity: 'agent-AJ_1',
    metadata: {
      recovery: true,
      previousJobId: 'AJ_1',
      attempt: 1,
      reason: 'job process killed (SIGKILL)',
      callId: 'c-1',
    },
  });
});

test('nothing is recovered when there is nothing to recover or it would loop', () => {
  assert.deepEqual(decideRecovery(facts({ exit: { ...killed, code: 0, signal: null, callEnded: true } })), {
    kind: 'ignore',
    why: 'clean exit',
  });
  assert.deepEqual(decideRecovery(facts({ exit: { code: null, signal: 'SIGKILL' } })), {
    kind: 'ignore',
    why: 'no job',
  });
  assert.deepEqual(decideRecovery(facts({ stopping: true })), { kind: 'ignore', why: 'worker stopping' });
  assert.deepEqual(decideRecovery(facts({ callers: undefined })), { kind: 'ignore', why: 'room gone' });
  assert.deepEqual(decideRecovery(facts({ callers: [] })), { kind: 'ignore', why: 'no caller left' });
  assert.deepEqual(decideRecovery(facts({ attempts: MAX_RECOVERIES_PER_CALL })), {
    kind: 'ignore',
    why: 'too many recoveries',
  });
  const second = decideRecovery(facts({ attempts: 1, exit: { code: 3, signal: null, job } }));
  assert.equal(second.kind === 'recover' && second.metadata.attempt, 2);
  assert.equal(second.kind === 'recover' && second.metadata.reason, 'job process exited with code 3');
  assert.equal(second.kind === 'recover' && 'callId' in second.metadata, false, 'a call never announced is not named');
});

test('recovery metadata round-trips; anything else is an ordinary dispatch', () => {
  const d = decideRecovery(facts());
  assert.ok(d.kind === 'recover');
  assert.deepEqual(parseRecoveryMetadata(JSON.stringify(d.metadata)), d.metadata);
  for (const m of [
    undefined,
    '',
    'not json',
    '{"tenant":"riverside"}',
    '{"recovery":"yes","previousJobId":"x"}',
    '[1]',
  ]) {
    assert.equal(parseRecoveryMetadata(m), undefined, String(m));
  }
});

const turn = (index: number, speaker: StoredTurn['speaker'], text: string): StoredTurn => ({
  index,
  speaker,
  text,
  interrupted: false,
});

test('the conversation is restored in order and the call goes on at the next turn index', () => {
  // as the records API returns them: any order; within an index the caller spoke first
  const r = restoreFromTurns([
    turn(2, 'agent', 'We open at eight.'),
    turn(0, 'agent', 'Hi, this is Voxanne.'),
    turn(1, 'caller', 'What are your opening hours?'),
  ]);
  assert.deepEqual(r.history, [
    { role: 'assistant', text: 'Hi, this is Voxanne.' },
    { role: 'user', text: 'What are your opening hours?' },
    { role: 'assistant', text: 'We open at eight.' },
  ]);
  assert.equal(r.nextTurnIndex, 3);
  assert.deepEqual(r.lastCaller, { text: 'What are your opening hours?', answered: true });
  assert.deepEqual(restoreFromTurns([]), { history: [], nextTurnIndex: 0 });
});

test('her line when she is back names what the caller asked, and asks again for an answer the crash cut off', () => {
  const topic = (t: string) => (/hours/.test(t) ? 'our opening hours' : undefined);
  const answered = restoreFromTurns([
    turn(0, 'agent', 'Hi.'),
    turn(1, 'caller', 'What are your opening hours?'),
    turn(2, 'agent', 'Eight to five.'),
  ]);
  assert.equal(
    recoveryLine(answered, topic),
    'Sorry, I lost you for a moment. You were asking about our opening hours. What else can I help you with?',
  );
  const cut = restoreFromTurns([turn(0, 'agent', 'Hi.'), turn(1, 'caller', 'What are your opening hours?')]);
  assert.equal(
    recoveryLine(cut, topic),
    'Sorry, I lost you for a moment. You were asking about our opening hours. Could you ask me that again?',
  );
  const unknown = restoreFromTurns([turn(0, 'agent', 'Hi.'), turn(1, 'caller', 'blue')]);
  assert.equal(recoveryLine(unknown, topic), 'Sorry, I lost you for a moment. Could you ask me that again?');
  assert.equal(
    recoveryLine(restoreFromTurns([turn(0, 'agent', 'Hi.')]), topic),
    'Sorry, I lost you for a moment. How can I help you today?',
  );
});

test('recovery attempts are counted per room, and forgotten when the room is gone or after two hours', () => {
  const a = new RecoveryAttempts();
  a.record('call-1', 0);
  a.record('call-1', 1_000);
  a.record('call-2', 2_000);
  assert.equal(a.count('call-1', 3_000), 2);
  assert.equal(a.count('call-2', 3_000), 1);
  assert.equal(a.count('call-3', 3_000), 0);
  a.forget('call-2');
  assert.equal(a.count('call-2', 3_000), 0);
  assert.equal(a.size, 1);
  // call-1's last recovery was at 1 s: remembered until two hours after it, then gone
  assert.equal(a.count('call-1', 1_000 + RECOVERY_MEMORY_MS), 2);
  assert.equal(a.count('call-4', 1_001 + RECOVERY_MEMORY_MS), 0);
  assert.equal(a.size, 0);
});
