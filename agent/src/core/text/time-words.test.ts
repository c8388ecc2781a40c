import { test } from 'vitest';
import assert from 'node:assert/strict';
import { timeToWords } from './time-words.ts';

test('24-hour times are spoken with a m / p m', () => {
  const cases: Array<[string, string]> = [
    ['08:00', 'eight a m'],
    ['17:30', 'five thirty p m'],
    ['17:00', 'five p m'],
    ['09:05', 'nine oh five a m'],
    ['12:00', 'noon'],
    ['12:45', 'twelve forty five p m'],
    ['00:00', 'midnight'],
    ['00:30', 'twelve thirty a m'],
    ['13:00', 'one p m'],
    ['23:59', 'eleven fifty nine p m'],
  ];
  for (const [t, words] of cases) assert.equal(timeToWords(t), words, t);
});

test('malformed times are refused', () => {
  assert.throws(() => timeToWords('8am'), RangeError);
  assert.throws(() => timeToWords('24:00'), RangeError);
});
