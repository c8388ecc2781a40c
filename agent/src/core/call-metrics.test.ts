import assert from 'node:assert/strict';
import { test } from 'vitest';
import { callOutcome, errorKind } from './call-metrics.ts';

test("a call's end reason becomes one of a few outcome labels", () => {
  assert.equal(callOutcome('caller left'), 'caller_hung_up');
  assert.equal(callOutcome('caller left before the greeting'), 'caller_hung_up');
  assert.equal(callOutcome('agent hung up'), 'agent_hung_up');
  assert.equal(callOutcome('no caller'), 'unanswered');
  assert.equal(callOutcome('not answered'), 'unanswered');
  assert.equal(callOutcome('agent stopping'), 'interrupted');
  assert.equal(callOutcome('room disconnected'), 'interrupted');
  assert.equal(callOutcome('something nobody planned for'), 'other');
});

test('a provider failure is classed by status, then by what its name and message say', () => {
  assert.equal(errorKind({ statusCode: 503, message: 'Service Unavailable' }), 'http_5xx');
  assert.equal(errorKind({ status: 429, message: 'rate limited' }), 'http_4xx');
  assert.equal(errorKind(Object.assign(new Error('request timed out'), { name: 'APITimeoutError' })), 'timeout');
  assert.equal(errorKind(new Error('connect ECONNREFUSED 127.0.0.1:9')), 'connection');
  assert.equal(errorKind(new Error('unexpected token in JSON')), 'other');
  assert.equal(errorKind(Object.assign(new Error('no words'), { name: 'EmptyAnswerError' })), 'empty_answer');
  assert.equal(errorKind('a string thrown'), 'other');
  assert.equal(errorKind(undefined), 'other');
});
