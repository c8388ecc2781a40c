import { test } from 'vitest';
import assert from 'node:assert/strict';
import { editDistance, findPhrase, normalize, tokenize, wordMatches } from './text-match.ts';

test('normalising keeps words, drops punctuation, apostrophes and hesitations', () => {
  assert.equal(normalize("What's your ADDRESS?!"), 'whats your address');
  assert.deepEqual(tokenize('um, how much uh is it'), ['how', 'much', 'is', 'it']);
  assert.deepEqual(tokenize('  '), []);
});

test('edit distance counts a swap of neighbours as one edit and stops early', () => {
  assert.equal(editDistance('hours', 'ours'), 1);
  assert.equal(editDistance('botox', 'botxo'), 1);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('a', 'abcdef', 2), 3);
});

test('near-homophones match long words; short and common words must be exact', () => {
  assert.ok(wordMatches('ours', 'hours', true));
  assert.ok(wordMatches('fillers', 'filler', true));
  assert.ok(!wordMatches('part', 'park', true), 'four-letter cues are exact');
  assert.ok(!wordMatches('schedule', 'reschedule', true), 'two edits need two long words');
  assert.ok(!wordMatches('ours', 'hours', false));
});

test('phrases are found across split or joined words', () => {
  assert.deepEqual(findPhrase(tokenize('how much is a face lift'), 'facelift', true), { start: 4, end: 6 });
  assert.deepEqual(findPhrase(tokenize('tell me about the b b l'), 'bbl', true), { start: 4, end: 7 });
  assert.ok(findPhrase(tokenize('price of a rhino plastic'), 'rhinoplasty', true));
  assert.ok(findPhrase(tokenize('what time do you open'), 'what time', false));
  assert.equal(findPhrase(tokenize('what is the time'), 'what time', false), undefined);
  assert.equal(findPhrase(tokenize('do you do hair transplants'), 'breast implants', true), undefined);
});
