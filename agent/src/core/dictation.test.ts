import { describe, expect, test } from 'vitest';
import { dictationAsked, dictationVerdict } from './dictation.ts';

describe('what she is collecting, from her question', () => {
  test.each([
    ["Thanks. What's the best phone number for you?", 'phone'],
    ['Sure. What phone number is the booking under?', 'phone'],
    ["Sorry, I didn't catch the whole number. Could you say the number again, digit by digit?", 'phone'],
    ["Thank you. What's your date of birth?", 'date-of-birth'],
    ["I have March fourth, nineteen eighty five. What's your email address? Please spell it out for me.", 'spelling'],
    ['Could you spell the email address again, letter by letter?', 'spelling'],
  ])('%s → %s', (said, kind) => expect(dictationAsked(said)).toBe(kind));

  test.each([
    ['We open at eight. Anything else I can help with?'],
    // an earlier sentence that echoes an answer does not count: only the question does
    ['I have six one nine, five five five, zero one two three. Which insurance carrier do you have?'],
    ["Our number is six one nine, five five five, zero one four two. What's the reason for your visit?"],
  ])('%s → nothing', (said) => expect(dictationAsked(said)).toBeUndefined());
});

describe('is the dictated answer whole?', () => {
  test.each([
    // a phone number in groups: each group alone is not the answer
    ['phone', 'six one nine', 'more'],
    ['phone', 'six one nine five five five', 'more'],
    ['phone', 'my number is six one', 'more'],
    ['phone', '619', 'more'],
    ['phone', 'six one nine five five five zero one zero zero', 'judge'],
    ['phone', 'one six one nine five five five zero one zero zero', 'judge'],
    ['phone', "I'd rather not give it", 'judge'],
    ['phone', 'why do you need that?', 'judge'],
    // a date of birth: a month, a day, a year
    ['date-of-birth', 'march', 'more'],
    ['date-of-birth', 'march fourth', 'more'],
    ['date-of-birth', 'march fourth nineteen', 'more'],
    ['date-of-birth', 'zero three zero four', 'more'],
    ['date-of-birth', 'march fourth nineteen eighty five', 'judge'],
    ['date-of-birth', '03 04 1985', 'judge'],
    ['date-of-birth', "I'm not comfortable saying", 'judge'],
    // spelled out: letters and joiners wait for the rest
    ['spelling', 'm a r i a', 'more'],
    ['spelling', 'm a r i a dot', 'more'],
    ['spelling', 'maria dot lopez at gmail', 'more'],
    ['spelling', 'maria dot lopez at gmail dot', 'more'],
    ['spelling', 'maria dot lopez at gmail dot com', 'judge'],
    ['spelling', "I don't have one", 'judge'],
  ] as const)('%s: "%s" → %s', (kind, text, verdict) => expect(dictationVerdict(kind, text)).toBe(verdict));
});
