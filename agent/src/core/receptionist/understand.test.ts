import assert from 'node:assert/strict';
import { test } from 'vitest';
import { asksForPerson } from './understand.ts';

test('a request for a person is recognised in the usual phrasings', () => {
  for (const said of [
    'Can I speak to someone please?',
    "I'd like to talk to a real person",
    'operator',
    'Could you transfer me?',
    'Put me through to the front desk',
    'can i speak with a nurse',
  ]) {
    assert.equal(asksForPerson(said), true, said);
  }
});

test('questions that merely mention people are not a request for one', () => {
  for (const said of [
    'Are you a person?',
    'Are you human?',
    'What are your opening hours?',
    'How much is a tummy tuck?',
    'Someone told me you do BBL',
    '',
  ]) {
    assert.equal(asksForPerson(said), false, said);
  }
});
