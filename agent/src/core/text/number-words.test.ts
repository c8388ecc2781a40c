import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  digitsToWords,
  dollarsToWords,
  houseNumberToWords,
  numberToWords,
  ORDINAL_VALUES,
  ordinalToWords,
  phoneNumberToWords,
  priceRangeToWords,
  TENS_VALUES,
  UNIT_VALUES,
} from './number-words.ts';

test('numbers are written out in American style', () => {
  const cases: Array<[number, string]> = [
    [0, 'zero'],
    [7, 'seven'],
    [15, 'fifteen'],
    [40, 'forty'],
    [42, 'forty two'],
    [150, 'one hundred fifty'],
    [650, 'six hundred fifty'],
    [1000, 'one thousand'],
    [3500, 'three thousand five hundred'],
    [8000, 'eight thousand'],
    [12000, 'twelve thousand'],
    [18000, 'eighteen thousand'],
    [100000, 'one hundred thousand'],
    [1_250_019, 'one million two hundred fifty thousand nineteen'],
    [-3, 'minus three'],
  ];
  for (const [n, words] of cases) assert.equal(numberToWords(n), words, `${n}`);
});

test('non-integers are refused rather than misread', () => {
  assert.throws(() => numberToWords(1.5), RangeError);
  assert.throws(() => numberToWords(Number.NaN), RangeError);
});

test('prices read as dollars, ranges with both ends', () => {
  assert.equal(dollarsToWords(1), 'one dollar');
  assert.equal(dollarsToWords(150), 'one hundred fifty dollars');
  assert.equal(priceRangeToWords(8000, 12000), 'eight thousand to twelve thousand dollars');
  assert.equal(priceRangeToWords(150, 150), 'one hundred fifty dollars');
});

test('digits and phone numbers are read digit by digit in groups', () => {
  assert.equal(digitsToWords('92101'), 'nine two one zero one');
  assert.equal(phoneNumberToWords('+16195550142'), 'six one nine, five five five, zero one four two');
  assert.equal(phoneNumberToWords('+442071234567'), 'four four two, zero seven one, two three, four five six seven');
  assert.throws(() => digitsToWords('12a'), RangeError);
});

test('house numbers are said in pairs', () => {
  assert.equal(houseNumberToWords(1200), 'twelve hundred');
  assert.equal(houseNumberToWords(1205), 'twelve oh five');
  assert.equal(houseNumberToWords(1234), 'twelve thirty four');
  assert.equal(houseNumberToWords(2000), 'two thousand');
  assert.equal(houseNumberToWords(300), 'three hundred');
});

test('ordinals are said the way dates are: first, twelfth, twenty first, thirtieth', () => {
  const said = [1, 2, 3, 5, 8, 9, 12, 20, 21, 22, 23, 30, 31].map(ordinalToWords);
  assert.deepEqual(said, [
    'first',
    'second',
    'third',
    'fifth',
    'eighth',
    'ninth',
    'twelfth',
    'twentieth',
    'twenty first',
    'twenty second',
    'twenty third',
    'thirtieth',
    'thirty first',
  ]);
});

test('the same words read back as values: units, tens and the one-word ordinals', () => {
  assert.equal(UNIT_VALUES.zero, 0);
  assert.equal(UNIT_VALUES.nineteen, 19);
  assert.deepEqual(Object.keys(UNIT_VALUES).slice(0, 3), ['zero', 'one', 'two']);
  assert.deepEqual(Object.entries(TENS_VALUES), [
    ['twenty', 20],
    ['thirty', 30],
    ['forty', 40],
    ['fifty', 50],
    ['sixty', 60],
    ['seventy', 70],
    ['eighty', 80],
    ['ninety', 90],
  ]);
  assert.equal(ORDINAL_VALUES.first, 1);
  assert.equal(ORDINAL_VALUES.twelfth, 12);
  assert.equal(ORDINAL_VALUES.twentieth, 20);
  assert.equal(ORDINAL_VALUES.thirtieth, 30);
  assert.equal(Object.keys(ORDINAL_VALUES).length, 21);
  for (const [w, n] of Object.entries(ORDINAL_VALUES)) assert.equal(ordinalToWords(n), w);
});
