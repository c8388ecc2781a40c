import { describe, expect, test } from 'vitest';
import { formatBirthDate, intakeLines } from './intake-text.ts';

describe('a new patient’s intake for staff', () => {
  test('every field, labelled, in a fixed order; self-pay spelled for people', () => {
    expect(
      intakeLines({
        referral: 'a friend',
        reason: 'a consultation about a tummy tuck',
        insurance: 'self-pay',
        email: 'maria.lopez@example.com',
        dateOfBirth: '1985-03-04',
      }),
    ).toEqual([
      ['Date of birth', '4 Mar 1985'],
      ['Email', 'maria.lopez@example.com'],
      ['Insurance', 'Self-pay'],
      ['Reason for visit', 'a consultation about a tummy tuck'],
      ['Heard of us', 'a friend'],
    ]);
  });

  test('fields not given are left out; no intake is no lines', () => {
    expect(intakeLines({ insurance: 'Aetna' })).toEqual([['Insurance', 'Aetna']]);
    expect(intakeLines(null)).toEqual([]);
    expect(intakeLines(undefined)).toEqual([]);
  });

  test('a birth date is a calendar date, not shifted by a time zone', () => {
    expect(formatBirthDate('2000-01-01')).toBe('1 Jan 2000');
    expect(formatBirthDate('1999-12-31')).toBe('31 Dec 1999');
    expect(formatBirthDate('not a date')).toBe('not a date');
  });
});
