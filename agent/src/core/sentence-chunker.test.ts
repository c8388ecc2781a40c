import { test } from 'vitest';
import assert from 'node:assert/strict';
import { SentenceChunker, splitSentences } from './sentence-chunker.ts';

function feed(chunker: SentenceChunker, text: string, step = 3): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += step) out.push(...chunker.push(text.slice(i, i + step)));
  return [...out, ...chunker.flush()];
}

test('splits sentences as soon as the boundary is certain', () => {
  const c = new SentenceChunker();
  assert.deepEqual(c.push('We open at eight. We'), ['We open at eight.']);
  assert.deepEqual(c.push(' close at five'), []);
  assert.deepEqual(c.push('! Anything else?'), ['We close at five!']);
  assert.deepEqual(c.flush(), ['Anything else?']);
});

test('the first chunk of a long sentence ends at a clause once it has enough words', () => {
  const c = new SentenceChunker({ firstClauseMinWords: 4 });
  const chunks = feed(
    c,
    'Our Brazilian butt lift costs about eight thousand, and recovery takes two weeks, more or less. Thanks, Sarah.',
  );
  assert.deepEqual(chunks, [
    'Our Brazilian butt lift costs about eight thousand,',
    'and recovery takes two weeks, more or less.',
    'Thanks, Sarah.',
  ]);
});

test('a short opening clause is not split off', () => {
  assert.deepEqual(feed(new SentenceChunker(), 'Sure, we do. Bye.'), ['Sure, we do.', 'Bye.']);
});

test('abbreviations, initials and decimals do not end a sentence', () => {
  const chunks = feed(new SentenceChunker(), 'Dr. Smith sees patients at 9.30 a.m. on Mondays. J. Doe too.', 1);
  assert.deepEqual(chunks, ['Dr. Smith sees patients at 9.30 a.m. on Mondays.', 'J. Doe too.']);
});

test('closing quotes stay with their sentence', () => {
  assert.deepEqual(feed(new SentenceChunker(), 'She said "yes." Then left.'), ['She said "yes."', 'Then left.']);
});

test('a run-on without punctuation is cut at maxWords', () => {
  const words = Array.from({ length: 12 }, (_, i) => `w${i}`).join(' ');
  const chunks = feed(new SentenceChunker({ maxWords: 5 }), words);
  assert.deepEqual(chunks, ['w0 w1 w2 w3 w4', 'w5 w6 w7 w8 w9', 'w10 w11']);
});

test('empty and whitespace input yield nothing', () => {
  const c = new SentenceChunker();
  assert.deepEqual(c.push('   '), []);
  assert.deepEqual(c.flush(), []);
});

test('a fixed line is cut at its sentence ends only: no clause cut, abbreviations stay', () => {
  const greeting =
    'Hello, thanks for calling Riverside Clinic, this is Voxanne. Dr. Lee sees patients today! How can I help you?';
  assert.deepEqual(splitSentences(greeting), [
    'Hello, thanks for calling Riverside Clinic, this is Voxanne.',
    'Dr. Lee sees patients today!',
    'How can I help you?',
  ]);
  assert.deepEqual(splitSentences('Hello'), ['Hello']);
  assert.deepEqual(splitSentences(''), []);
});
