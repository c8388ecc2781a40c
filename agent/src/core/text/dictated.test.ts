import { describe, expect, test } from 'vitest';
import { birthDateFromSpeech, emailFromSpeech, partialBirthDate } from './dictated.ts';

const TODAY = '2026-03-02';

describe('a date of birth, as callers say it', () => {
  test.each([
    ['March fourth, nineteen eighty five', '1985-03-04'],
    ['march the fourth nineteen eighty five', '1985-03-04'],
    ['It is March 4th, 1985.', '1985-03-04'],
    ['the fourth of March 1985', '1985-03-04'],
    ['december twenty third two thousand three', '2003-12-23'],
    ['july first two thousand and ten', '2010-07-01'],
    ['january thirty first nineteen oh five', '1905-01-31'],
    ['3/4/1985', '1985-03-04'],
    ['03 04 1985', '1985-03-04'],
    ['zero three zero four one nine eight five', '1985-03-04'],
  ])('%s → %s', (said, iso) => expect(birthDateFromSpeech(said, TODAY)).toBe(iso));

  test.each([
    ['March fourth', 'no year'],
    ['nineteen eighty five', 'no day'],
    ['February thirtieth nineteen ninety', 'no such day'],
    ['March fourth twenty thirty', 'in the future'],
    ['I would rather not say', 'no date at all'],
  ])('%s: none (%s)', (said) => expect(birthDateFromSpeech(said, TODAY)).toBeUndefined());

  test('words that can still become a date', () => {
    expect(partialBirthDate('March fourth')).toBe(true);
    expect(partialBirthDate('zero three')).toBe(true);
    expect(partialBirthDate('why do you need that')).toBe(false);
  });
});

describe('an email address, spelled', () => {
  test.each([
    ['m a r i a dot l o p e z at gmail dot com', 'maria.lopez@gmail.com'],
    ['My email is maria at example dot org.', 'maria@example.org'],
    ['sam underscore lee 7 at yahoo dot co dot uk', 'sam_lee7@yahoo.co.uk'],
    ['it is t o m dash l e e at outlook dot com', 'tom-lee@outlook.com'],
    ['Maria.Lopez@Example.com', 'maria.lopez@example.com'],
  ])('%s → %s', (said, email) => expect(emailFromSpeech(said)).toBe(email));

  test.each([['m a r i a dot l o p e z'], ['at gmail dot com'], ['I do not have one']])('%s: none', (said) =>
    expect(emailFromSpeech(said)).toBeUndefined(),
  );
});
