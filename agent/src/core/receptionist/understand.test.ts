import assert from 'node:assert/strict';
import { test } from 'vitest';
import { DOMAIN_UTTERANCES, FRESH_UTTERANCES, HELD_OUT_UTTERANCES } from '../../../bench/utterances.ts';
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

test('on a phone line the verb of "can I speak to a person" is lost, and the request is still read', () => {
  // what the offline recogniser made of slt's "can I speak to a person" over 8 kHz RTP (bench:sip-stt)
  for (const said of [
    'can i keep to a person',
    'can i take to a person',
    'can i move to a person',
    'can i can go to a person',
    'could i talk too someone',
    "I'd like to peak with a human",
    'may i eat to the receptionist',
  ]) {
    assert.equal(asksForPerson(said), true, said);
  }
  for (const said of [
    // a thing handed over, more words than a lost verb, no request frame, or a role rather than a person
    'can i give it to someone',
    'can i send my details to someone',
    'can i bring my husband to someone',
    'i can take you to a person',
    'can i come to the doctor',
    'can i pay the person',
    'can i keep to a schedule',
    'are you a person',
  ]) {
    assert.equal(asksForPerson(said), false, said);
  }
});

test('no utterance of the recogniser benches is a request for a person but the one that asks for one', () => {
  const asking = new Set(['is there anyone i can talk to about my bill']);
  for (const said of [...DOMAIN_UTTERANCES, ...FRESH_UTTERANCES, ...HELD_OUT_UTTERANCES])
    assert.equal(asksForPerson(said), asking.has(said), said);
});
