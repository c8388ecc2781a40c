import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { isInitialism, selectPronunciations } from './pronunciations.ts';

const DICT = [
  "'bout B AW T",
  'a AH',
  'a(2) EY',
  'b B IY',
  'hello HH AH L OW',
  'hello(2) HH EH L OW',
  'hours AW ER Z',
  'hours(2) AW R Z',
  'l EH L',
  'lip L IH P',
  'what W AH T',
  "what's W AH T S",
  '',
].join('\n');

describe('selectPronunciations', () => {
  it('keeps only the wanted words with their alternates, renumbered and sorted', () => {
    const r = selectPronunciations(DICT, ['what', 'hello', "what's"]);
    assert.equal(
      r.dictionary,
      ['hello HH AH L OW', 'hello(2) HH EH L OW', 'what W AH T', "what's W AH T S", ''].join('\n'),
    );
    assert.deepEqual(r.missing, []);
  });
  it('names the words it cannot pronounce', () => {
    const r = selectPronunciations(DICT, ['hours', 'lipo', 'voxanne']);
    assert.deepEqual(r.missing, ['lipo', 'voxanne']);
    assert.ok(r.dictionary.startsWith('hours AW ER Z\nhours(2) AW R Z\n'));
  });
  it('spells initialisms from the letter entries', () => {
    const r = selectPronunciations(DICT, ['bbl']);
    assert.deepEqual(r.spelled, ['bbl']);
    assert.equal(r.dictionary, 'bbl B IY B IY EH L\n');
  });
  it('lets extra pronunciations override and extend the dictionary', () => {
    const r = selectPronunciations(DICT, ['lipo', 'hello'], {
      extra: { lipo: 'l ih p ow', hello: ['HH EH L OW'], unused: 'X' },
    });
    assert.equal(r.dictionary, 'hello HH EH L OW\nlipo L IH P OW\n');
    assert.deepEqual(r.missing, []);
  });
});

describe('isInitialism', () => {
  it('recognises vowel-less short words only', () => {
    assert.equal(isInitialism('bbl'), true);
    assert.equal(isInitialism('md'), true);
    assert.equal(isInitialism('lipo'), false);
    assert.equal(isInitialism('b'), false);
    assert.equal(isInitialism("b's"), false);
  });
});

it('a compound ("tummy_tuck") is pronounced as its words in a row, each by its first pronunciation', () => {
  const dict = [
    'tummy T AH M IY',
    'tuck T AH K',
    'twenty T W EH N T IY',
    'twenty(2) T W EH N IY',
    'second S EH K AH N D',
  ]
    .concat(['b B IY', 'l EH L'])
    .join('\n');
  const r = selectPronunciations(dict, ['tummy_tuck', 'twenty_second', 'bbl_lift', 'tuck'], {
    extra: { lift: 'L IH F T' },
  });
  assert.equal(
    r.dictionary,
    'bbl_lift B IY B IY EH L L IH F T\ntuck T AH K\ntummy_tuck T AH M IY T AH K\n' +
      'twenty_second T W EH N T IY S EH K AH N D\n',
  );
  assert.deepEqual(r.missing, []);
  assert.deepEqual(selectPronunciations(dict, ['tummy_zzz']).missing, ['tummy_zzz']);
});
