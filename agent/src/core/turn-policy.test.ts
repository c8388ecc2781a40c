import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ManualClock } from './clock.ts';
import { isBackchannel, TurnPolicy, type PolicyAction } from './turn-policy.ts';

function setup() {
  const clock = new ManualClock();
  const actions: PolicyAction[] = [];
  const policy = new TurnPolicy(clock, (a) => actions.push(a), {
    falseInterruptionMs: 1000,
    silencePromptMs: 3000,
    maxSilencePrompts: 2,
  });
  return { clock, actions, policy };
}

test('a cough during her reply: no words within a second of silence → resume', () => {
  const { clock, actions, policy } = setup();
  policy.onState('SPEAKING', false);
  policy.onUserSpeechStart();
  policy.onBargeIn();
  clock.advance(300);
  policy.onUserSpeechEnd();
  clock.advance(999);
  assert.deepEqual(actions, []);
  clock.advance(1);
  assert.deepEqual(actions, [{ type: 'resume' }]);
});

test('"uh-huh" is not a request, so she resumes', () => {
  const { clock, actions, policy } = setup();
  policy.onUserSpeechStart();
  policy.onBargeIn();
  policy.onUserSpeechEnd();
  policy.onUserWords('uh huh');
  clock.advance(1000);
  assert.deepEqual(actions, [{ type: 'resume' }]);
});

test('real words make the interruption genuine: no resume', () => {
  const { clock, actions, policy } = setup();
  policy.onUserSpeechStart();
  policy.onBargeIn();
  policy.onUserSpeechEnd();
  clock.advance(400);
  policy.onUserWords('how much is a facelift');
  clock.advance(5000);
  assert.deepEqual(actions, []);
});

test('the false-interruption window waits while the caller is still talking', () => {
  const { clock, actions, policy } = setup();
  policy.onUserSpeechStart();
  policy.onBargeIn();
  clock.advance(2500); // still speaking
  assert.deepEqual(actions, []);
  policy.onUserSpeechEnd();
  clock.advance(1000);
  assert.deepEqual(actions, [{ type: 'resume' }]);
});

test('silence after her reply brings prompts, then a goodbye', () => {
  const { clock, actions, policy } = setup();
  policy.onState('LISTENING', true);
  clock.advance(3000);
  assert.deepEqual(actions, [{ type: 'silence_prompt', count: 1 }]);
  policy.onState('PROCESSING', false);
  policy.onState('SPEAKING', false);
  policy.onState('LISTENING', true);
  clock.advance(3000);
  policy.onState('SPEAKING', false);
  policy.onState('LISTENING', true);
  clock.advance(3000);
  assert.deepEqual(actions, [
    { type: 'silence_prompt', count: 1 },
    { type: 'silence_prompt', count: 2 },
    { type: 'goodbye' },
  ]);
});

test('the caller speaking cancels the silence timer, and words reset the prompt count', () => {
  const { clock, actions, policy } = setup();
  policy.onState('LISTENING', true);
  clock.advance(2000);
  policy.onUserSpeechStart();
  clock.advance(5000);
  assert.deepEqual(actions, []);
  policy.onUserWords('what are your hours');
  policy.onUserSpeechEnd();
  policy.onState('PROCESSING', false);
  clock.advance(10_000);
  assert.deepEqual(actions, [], 'no prompt while she is working on the answer');
});

test('no silence prompt after the greeting is cut short or while not listening', () => {
  const { clock, actions, policy } = setup();
  policy.onState('LISTENING', false);
  clock.advance(10_000);
  assert.deepEqual(actions, []);
});

test('backchannel detection', () => {
  assert.equal(isBackchannel('Mm-hmm.'), true);
  assert.equal(isBackchannel('okay yeah'), true);
  assert.equal(isBackchannel('okay what about saturday'), false);
});
