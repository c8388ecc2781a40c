import { test } from 'vitest';
import assert from 'node:assert/strict';
import { CallerAddressBook } from './caller-address.ts';
import { extractCallerName } from './caller-name.ts';

test('names from "my name is", "this is", "I\'m", "X here", in typed or recognised text', () => {
  const cases: Array<[string, string | undefined]> = [
    ['My name is Sarah Jones.', 'Sarah Jones'],
    ['my name is sarah jones and i want botox', 'Sarah Jones'],
    ['Hi, this is Sarah.', 'Sarah'],
    ["I'm Maria, I'd like to book a consult", 'Maria'],
    ['im sarah and i want botox', 'Sarah'],
    ['Hi, Mike here', 'Mike'],
    ["it's Jenny calling about my appointment", 'Jenny'],
    ['the name is Priya Patel', 'Priya Patel'],
  ];
  for (const [text, full] of cases) assert.equal(extractCallerName(text)?.full, full, text);
});

test('"I\'m calling about…" and other states after "I\'m" / "this is" are not names', () => {
  for (const text of [
    "I'm calling about botox",
    "I'm looking for your address",
    'I am interested in lipo',
    "I'm not sure",
    "I'm just wondering about prices",
    'this is about my booking',
    "it's for my daughter",
    "I'm a new patient",
    "I'm really nervous about surgery",
    "I'm so excited",
    'what are your hours',
  ]) {
    assert.equal(extractCallerName(text), undefined, text);
  }
});

test('the name is used when given, then not again for a few replies', () => {
  const book = new CallerAddressBook();
  assert.deepEqual(book.forAnswer(1), {});
  book.heard('hi this is sarah', 2);
  assert.deepEqual(book.forAnswer(2), { callerName: 'Sarah', nameJustGiven: true });
  book.replied(2, true);
  assert.deepEqual(book.forAnswer(3), { suppressName: 'Sarah' });
  assert.deepEqual(book.forAnswer(4), { suppressName: 'Sarah' });
  assert.deepEqual(book.forAnswer(5), { callerName: 'Sarah', nameJustGiven: false });
  book.replied(5, false);
  assert.deepEqual(
    book.forAnswer(6),
    { callerName: 'Sarah', nameJustGiven: false },
    'offered again until actually used',
  );
});

test('a title is not the name', () => {
  assert.equal(extractCallerName('this is Dr. Smith')?.first, 'Smith');
  assert.equal(extractCallerName('hi, this is mrs jones')?.first, 'Jones');
});
