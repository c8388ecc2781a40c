import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { aggregateWer, alignWords, normalizeForWer, wordErrorRate } from './wer.ts';

describe('normalizeForWer', () => {
  it('lowercases and strips punctuation', () => {
    assert.deepEqual(normalizeForWer('Hello, World! How are you?'), ['hello', 'world', 'how', 'are', 'you']);
  });
  it('spells out numbers, times, prices and ordinals', () => {
    assert.deepEqual(normalizeForWer('at 10:30'), ['at', 'ten', 'thirty']);
    assert.deepEqual(normalizeForWer('9:05'), ['nine', 'oh', 'five']);
    assert.deepEqual(normalizeForWer('$8,000'), ['eight', 'thousand', 'dollars']);
    assert.deepEqual(normalizeForWer('on the 21st'), ['on', 'the', 'twenty', 'first']);
    assert.deepEqual(normalizeForWer('the 12th and 3rd'), ['the', 'twelfth', 'and', 'third']);
    assert.deepEqual(normalizeForWer('the 20th'), ['the', 'twentieth']);
    assert.deepEqual(normalizeForWer('555 0142'), [
      'five',
      'hundred',
      'fifty',
      'five',
      'one',
      'hundred',
      'forty',
      'two',
    ]);
  });
  it('spells a.m./p.m. as letters and leaves the verb "am" alone', () => {
    assert.deepEqual(normalizeForWer('10 a.m.'), ['ten', 'a', 'm']);
    assert.deepEqual(normalizeForWer('3pm'), ['three', 'p', 'm']);
    assert.deepEqual(normalizeForWer('two PM'), ['two', 'p', 'm']);
    assert.deepEqual(normalizeForWer('I am here'), ['i', 'am', 'here']);
  });
  it('expands contractions the same way on both sides', () => {
    assert.deepEqual(normalizeForWer("what's your address"), ['what', 'is', 'your', 'address']);
    assert.deepEqual(normalizeForWer("I'd like to, I can't, I'm sure, don't"), [
      'i',
      'would',
      'like',
      'to',
      'i',
      'can',
      'not',
      'i',
      'am',
      'sure',
      'do',
      'not',
    ]);
    assert.deepEqual(normalizeForWer('it’s fine'), ['it', 'is', 'fine']);
  });
  it('splits hyphenated words and keeps possessives', () => {
    assert.deepEqual(normalizeForWer("follow-up at Dr. Smith's"), ['follow', 'up', 'at', 'dr', "smith's"]);
  });
  it('returns nothing for empty or punctuation-only text', () => {
    assert.deepEqual(normalizeForWer(''), []);
    assert.deepEqual(normalizeForWer(' ... !? '), []);
  });
});

describe('wordErrorRate', () => {
  it('is zero for identical text after normalisation', () => {
    const r = wordErrorRate("What's the price at 10:30?", 'what is the price at ten thirty');
    assert.equal(r.wer, 0);
    assert.equal(r.referenceWords, 7);
  });
  it('counts a substitution, a deletion and an insertion', () => {
    const sub = wordErrorRate('book on tuesday', 'book on thursday');
    assert.deepEqual([sub.substitutions, sub.deletions, sub.insertions], [1, 0, 0]);
    assert.equal(sub.wer, 1 / 3);
    const del = wordErrorRate('how much is a tummy tuck', 'how much is tummy tuck');
    assert.deepEqual([del.substitutions, del.deletions, del.insertions], [0, 1, 0]);
    assert.equal(del.wer, 1 / 6);
    const ins = wordErrorRate('yes', 'yes yes please');
    assert.deepEqual([ins.substitutions, ins.deletions, ins.insertions], [0, 0, 2]);
    assert.equal(ins.wer, 2);
  });
  it('finds the minimum edit count', () => {
    // "opening hours" → "open in hours": one substitution and one insertion, not three edits
    const r = wordErrorRate('what are your opening hours', 'what are your open in hours');
    assert.equal(r.substitutions + r.deletions + r.insertions, 2);
    assert.equal(r.wer, 2 / 5);
  });
  it('handles empty sides', () => {
    assert.equal(wordErrorRate('', '').wer, 0);
    assert.equal(wordErrorRate('hello there', '').wer, 1);
    assert.equal(wordErrorRate('hello there', '').deletions, 2);
    assert.equal(wordErrorRate('', 'noise words').wer, 2);
  });
});

describe('aggregateWer', () => {
  it('weights by reference length', () => {
    const a = alignWords(['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'x']); // 1 error / 4 words
    const b = alignWords(['e'], []); // 1 error / 1 word
    assert.equal(aggregateWer([a, b]), 2 / 5);
    assert.equal(aggregateWer([]), 0);
  });
});
