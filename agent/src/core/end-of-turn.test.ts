import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { DEFAULT_END_OF_TURN, endOfTurn, trailingDigits } from './end-of-turn.ts';

const kind = (text: string, p?: number) => {
  const v = endOfTurn(text, p);
  return v.kind === 'complete' ? 'complete' : v.reason;
};

describe('endOfTurn: is the caller done?', () => {
  it('complete thoughts and questions end the turn', () => {
    for (const t of [
      'What are your opening hours?',
      'Tell me about the BBL.',
      'where are you located',
      "I'd like to book a consultation",
      'I think so.',
      "I'd like that.",
      'my number is five five five one two three four five six seven',
      'call me at 555 123 4567',
      '',
    ])
      assert.equal(kind(t), 'complete', t);
  });

  it('a filler, a dangling function word or a trailing comma holds the turn', () => {
    assert.equal(kind("I'd like to book, um"), 'filler');
    assert.equal(kind('um'), 'filler');
    assert.equal(kind('Can I get prices for botox, fillers, and'), 'function_word');
    assert.equal(kind('I was wondering if'), 'function_word');
    assert.equal(kind('I want to ask about the'), 'function_word');
    assert.equal(kind('I need botox,'), 'trailing_comma');
    assert.equal(kind('My name is'), 'function_word', 'the name follows');
    assert.equal(kind('The best number to reach me is'), 'function_word');
    assert.equal(kind('My appointments were'), 'function_word');
    assert.equal(kind("That's what it is."), 'complete', 'a full stop ends it');
    assert.equal(kind('What time is it'), 'complete');
  });

  it('a phone number short of ten digits holds the turn, however it is grouped', () => {
    assert.equal(kind('my number is five five five'), 'short_number');
    assert.equal(kind('my number is 555, 123'), 'short_number');
    assert.equal(trailingDigits('five five five, one two three, four five six seven.'), 10);
    assert.equal(trailingDigits('double five'), 2);
    assert.equal(trailingDigits('at 2'), 1);
    assert.equal(kind('can I come at 2'), 'complete', 'a time is not a number being read out');
  });

  it("the model's probability holds ambiguous words briefly, never a question or a full stop", () => {
    assert.deepEqual(endOfTurn("I'm interested in botox", 0.2), {
      kind: 'unfinished',
      reason: 'model',
      holdMs: DEFAULT_END_OF_TURN.unlikelyHoldMs,
    });
    assert.equal(kind("I'm interested in botox", 0.5), 'complete');
    assert.equal(kind('Do you take insurance?', 0.05), 'complete');
    assert.equal(kind('Tell me about the BBL.', 0.05), 'complete');
    assert.equal(endOfTurn('I want to', 0.9).kind, 'unfinished', 'the words decide before the model');
  });
});
