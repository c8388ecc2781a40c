import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { MS_PER_WORD, SENTENCE_PAUSE_MS, spokenMs } from './spoken-duration.ts';

describe('spokenMs', () => {
  it('counts words at a conversational pace, with the pause after the sentence', () => {
    assert.equal(spokenMs('We open at nine.'), 4 * MS_PER_WORD + SENTENCE_PAUSE_MS);
    assert.equal(spokenMs('  Tuesday,   the 14th — at 3 pm. '), 6 * MS_PER_WORD + SENTENCE_PAUSE_MS);
  });
  it('takes the pace of the voice when it is given', () => {
    assert.equal(spokenMs('We open at nine.', 120), 4 * 120 + SENTENCE_PAUSE_MS);
    assert.equal(spokenMs('We open at nine.', MS_PER_WORD), spokenMs('We open at nine.'));
    assert.equal(spokenMs(' … ', 120), 0);
  });
  it('is nothing for text with no words', () => {
    assert.equal(spokenMs(''), 0);
    assert.equal(spokenMs(' … — ! '), 0);
  });
});
