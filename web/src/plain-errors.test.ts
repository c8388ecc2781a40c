import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { classifyMicError, ERROR_KINDS, ERROR_MESSAGES } from './plain-errors.ts';

describe('classifyMicError', () => {
  it('maps getUserMedia failures to what the caller can do about them', () => {
    const err = (name: string) => Object.assign(new Error('x'), { name });
    assert.equal(classifyMicError(err('NotAllowedError')), 'mic-denied');
    assert.equal(classifyMicError(err('SecurityError')), 'mic-denied');
    assert.equal(classifyMicError(err('NotFoundError')), 'mic-missing');
    assert.equal(classifyMicError(err('OverconstrainedError')), 'mic-missing');
    assert.equal(classifyMicError(err('NotReadableError')), 'mic-failed');
    assert.equal(classifyMicError('weird'), 'mic-failed');
    assert.equal(classifyMicError(null), 'mic-failed');
  });

  it('has a plain message for every kind, with the wording the product promises', () => {
    for (const k of ERROR_KINDS) assert.ok(ERROR_MESSAGES[k].length > 20, k);
    assert.match(ERROR_MESSAGES['mic-denied'], /^Voxanne needs your microphone/);
    assert.match(ERROR_MESSAGES['server-unreachable'], /^Can't reach the voice server/);
    assert.match(ERROR_MESSAGES['agent-unavailable'], /^Voxanne isn't available right now/);
    assert.equal(ERROR_MESSAGES['lines-busy'], 'All our lines are busy; please try again in a minute.');
  });
});
