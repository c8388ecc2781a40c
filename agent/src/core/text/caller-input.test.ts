import { test } from 'vitest';
import assert from 'node:assert/strict';
import { describeSlot, zonedIso } from './calendar.ts';
import { dateFromSpeech, phoneFromSpeech, spokenDigits, timeFromSpeech } from './caller-input.ts';

test('phone numbers from words, digits and what the recogniser writes for digits', () => {
  assert.equal(phoneFromSpeech('six one nine five five five oh one four two'), '+16195550142');
  assert.equal(phoneFromSpeech('(619) 555-0100'), '+16195550100');
  assert.equal(phoneFromSpeech('my number is 1 619 555 0100'), '+16195550100');
  assert.equal(phoneFromSpeech('six one nine five five five to for one eight'), '+16195552418');
  assert.equal(phoneFromSpeech('six one nine double five five two four one eight'), '+16195552418');
  assert.equal(phoneFromSpeech('call me back to book'), undefined);
  assert.equal(spokenDigits('i want to book for tuesday'), '');
  assert.equal(phoneFromSpeech('six one nine five five five'), undefined, 'too short');
});

test('clock times, with a m / p m, "at", or loose for an answer to "which time?"', () => {
  assert.deepEqual(timeFromSpeech('ten a m'), { time: '10:00', explicit: true });
  assert.deepEqual(timeFromSpeech('two thirty p m'), { time: '14:30', explicit: true });
  assert.deepEqual(timeFromSpeech('at 2:30'), { time: '14:30', explicit: false });
  assert.deepEqual(timeFromSpeech('nine oh five am'), { time: '09:05', explicit: true });
  assert.deepEqual(timeFromSpeech('noon'), { time: '12:00', explicit: true });
  assert.equal(timeFromSpeech('ten works'), undefined);
  assert.deepEqual(timeFromSpeech('ten works', true), { time: '10:00', explicit: false });
  assert.equal(timeFromSpeech('I have two questions'), undefined);
});

test('days: weekdays ahead of today, today and tomorrow, month and day', () => {
  const monday = '2026-03-02';
  assert.equal(dateFromSpeech('tuesday', monday), '2026-03-03');
  assert.equal(dateFromSpeech('monday', monday), '2026-03-09', 'the same weekday means next week');
  assert.equal(dateFromSpeech('tomorrow', monday), '2026-03-03');
  assert.equal(dateFromSpeech('march fifth', monday), '2026-03-05');
  assert.equal(dateFromSpeech('5th of march', monday), '2026-03-05');
  assert.equal(dateFromSpeech('the 14th', monday), '2026-03-14');
  assert.equal(dateFromSpeech('february second', monday), '2027-02-02', 'a past date is next year');
  assert.equal(dateFromSpeech('how much is it', monday), undefined);
});

test('slots in the clinic time zone, across daylight saving time', () => {
  assert.equal(zonedIso('2026-03-03', '10:00', 'America/Los_Angeles'), '2026-03-03T10:00:00-08:00');
  assert.equal(zonedIso('2026-03-10', '10:00', 'America/Los_Angeles'), '2026-03-10T10:00:00-07:00');
  const now = new Date('2026-03-02T17:00:00Z');
  assert.equal(describeSlot('2026-03-03T10:00:00-08:00', 'America/Los_Angeles', now), 'tomorrow at ten a m');
  assert.equal(
    describeSlot('2026-03-05T14:30:00-08:00', 'America/Los_Angeles', now),
    'Thursday, March fifth at two thirty p m',
  );
});
