import { test } from 'vitest';
import assert from 'node:assert/strict';
import { recognisedWords } from './recognised-words.ts';

test('a transcript of no words is empty, whatever the recogniser wrote for the noise', () => {
  for (const none of [undefined, '', ' ', '\t \n', '<sil>', '<s> </s>', '[NOISE]', '[SPEECH] <sil>', '++BREATH++'])
    assert.equal(recognisedWords(none), '', JSON.stringify(none));
  assert.equal(recognisedWords('[BLANK_AUDIO]'), '');
  assert.equal(recognisedWords('(coughs) ...'), '');
  assert.equal(recognisedWords(' - . '), '');
});

test('words are kept as they are, with the markers and stray spacing around them gone', () => {
  assert.equal(recognisedWords('where are you located'), 'where are you located');
  assert.equal(recognisedWords('  <s> where  are you [NOISE] located <sil> </s> '), 'where are you located');
  assert.equal(recognisedWords('Is it $100? Yes.'), 'Is it $100? Yes.');
  assert.equal(recognisedWords("o'clock"), "o'clock");
  assert.equal(recognisedWords('café à dix heures'), 'café à dix heures');
});
