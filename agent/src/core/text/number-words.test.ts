import { test } from 'vitest';
import assert from 'node:assert/strict';
import {
  digitsToWords,
  dollarsToWords,
  houseNumberToWords,
  numberToWords,
  phoneNumberToWords,
  priceRangeToWords,
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
