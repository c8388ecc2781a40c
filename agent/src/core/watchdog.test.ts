import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { PROCESSING_BOUND_MS } from './provider-timing.ts';
import { DEFAULT_WATCHDOG_LIMITS as L, nextCheckAt, recoveryFor, stuckAt } from './watchdog.ts';

describe('watchdog rules', () => {
  it('PROCESSING is stuck once every provider try and the fallback have had their time', () => {
    assert.equal(L.processingMs, PROCESSING_BOUND_MS);
    assert.equal(PROCESSING_BOUND_MS, 2 * 5000 + 100 + 3000);
    const s = { state: 'PROCESSING' as const, enteredAtMs: 1000 };
    assert.equal(nextCheckAt(s, L), 1000 + PROCESSING_BOUND_MS);
    assert.equal(stuckAt(s, 1000 + PROCESSING_BOUND_MS - 1, L), undefined);
    assert.deepEqual(stuckAt(s, 1000 + PROCESSING_BOUND_MS, L), {
      reason: 'processing_too_long',
      state: 'PROCESSING',
      forMs: PROCESSING_BOUND_MS,
    });
  });

  it('LISTENING is stuck only with words waiting for a reply', () => {
    assert.equal(nextCheckAt({ state: 'LISTENING', enteredAtMs: 0 }, L), undefined);
    const s = { state: 'LISTENING' as const, enteredAtMs: 0, unansweredSinceMs: 500 };
    assert.equal(stuckAt(s, 500 + L.unansweredMs - 1, L), undefined);
    assert.equal(stuckAt(s, 500 + L.unansweredMs, L)?.reason, 'words_unanswered');
  });

  it('LISTENING for the final of words an interim showed: stuck after the longer final bound; she asks again', () => {
    assert.ok(L.finalMissingMs > 2300, 'longer than the slowest offline final seen');
    const s = { state: 'LISTENING' as const, enteredAtMs: 0, awaitingFinalSinceMs: 1000 };
    assert.equal(nextCheckAt(s, L), 1000 + L.finalMissingMs);
    assert.equal(stuckAt(s, 1000 + L.finalMissingMs - 1, L), undefined);
    const stuck = stuckAt(s, 1000 + L.finalMissingMs, L);
    assert.deepEqual(stuck, { reason: 'final_missing', state: 'LISTENING', forMs: L.finalMissingMs });
    assert.deepEqual(recoveryFor(stuck!, { wasRecovery: false, recoveriesInARow: 0 }, L), { kind: 'ask_again' });
    // words already waiting are answered on their own, earlier bound
    assert.equal(stuckAt({ ...s, unansweredSinceMs: 1500 }, 1500 + L.unansweredMs, L)?.reason, 'words_unanswered');
  });

  it('INTERRUPTED that never flushes is stuck; IDLE is never watched', () => {
    assert.equal(stuckAt({ state: 'INTERRUPTED', enteredAtMs: 0 }, L.interruptedMs, L)?.reason, 'interrupted_too_long');
    assert.equal(nextCheckAt({ state: 'IDLE', enteredAtMs: 0 }, L), undefined);
  });

  it('SPEAKING is stuck only when her reply stopped giving her audio for the stall bound', () => {
    const s = { state: 'SPEAKING' as const, enteredAtMs: 0, lastAudioMs: 60_000 };
    assert.equal(nextCheckAt(s, L), 60_000 + L.speakingStallMs, 'a long answer that keeps coming is fine');
    assert.equal(stuckAt(s, 60_000 + L.speakingStallMs - 1, L), undefined);
    assert.deepEqual(stuckAt(s, 60_000 + L.speakingStallMs, L), {
      reason: 'speaking_stalled',
      state: 'SPEAKING',
      forMs: L.speakingStallMs,
    });
    assert.deepEqual(
      recoveryFor(
        { reason: 'speaking_stalled', state: 'SPEAKING', forMs: 1 },
        { userText: 'hours?', wasRecovery: false, recoveriesInARow: 0 },
        L,
      ),
      { kind: 'answer_fallback', userText: 'hours?' },
    );
  });

  it('recovery: the fallback answers the words once, then she asks again, then it gives up', () => {
    const stuck = { reason: 'processing_too_long' as const, state: 'PROCESSING' as const, forMs: 20000 };
    assert.deepEqual(recoveryFor(stuck, { userText: 'hours?', wasRecovery: false, recoveriesInARow: 0 }, L), {
      kind: 'answer_fallback',
      userText: 'hours?',
    });
    assert.deepEqual(recoveryFor(stuck, { userText: 'hours?', wasRecovery: true, recoveriesInARow: 1 }, L), {
      kind: 'ask_again',
    });
    assert.deepEqual(
      recoveryFor(stuck, { wasRecovery: false, recoveriesInARow: 0 }, L),
      { kind: 'ask_again' },
      'her own line stuck: nothing to answer',
    );
    assert.deepEqual(recoveryFor(stuck, { userText: 'x', wasRecovery: false, recoveriesInARow: L.maxRecoveries }, L), {
      kind: 'give_up',
    });
    assert.deepEqual(
      recoveryFor(
        { ...stuck, reason: 'words_unanswered', state: 'LISTENING' },
        { wasRecovery: false, recoveriesInARow: 0 },
        L,
      ),
      { kind: 'take_turn' },
    );
    assert.deepEqual(
      recoveryFor(
        { ...stuck, reason: 'interrupted_too_long', state: 'INTERRUPTED' },
        { wasRecovery: false, recoveriesInARow: 0 },
        L,
      ),
      { kind: 'flush' },
    );
  });
});
