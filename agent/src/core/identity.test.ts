import { describe, expect, test } from 'vitest';
import { sameName, verifyCaller, type IdentityClaim, type StoredIdentity } from './identity.ts';

const SARAH: StoredIdentity = { name: 'Sarah Jones', phone: '+16195550100', dateOfBirth: '1985-03-04' };
const NO_DOB: StoredIdentity = { name: 'Sarah Jones', phone: '+16195550100' };

describe('identity before details, case by case', () => {
  const cases: Array<[string, 'name-and-dob' | 'caller-phone-or-name-and-dob', IdentityClaim, StoredIdentity, string]> =
    [
      [
        'name and date of birth match',
        'name-and-dob',
        { name: 'Sarah Jones', dateOfBirth: '1985-03-04' },
        SARAH,
        'name-and-dob',
      ],
      [
        'a middle name and letter case do not matter',
        'name-and-dob',
        { name: 'sarah ann JONES', dateOfBirth: '1985-03-04' },
        SARAH,
        'name-and-dob',
      ],
      ['the wrong date of birth', 'name-and-dob', { name: 'Sarah Jones', dateOfBirth: '1985-04-03' }, SARAH, 'no'],
      ['the wrong last name', 'name-and-dob', { name: 'Sarah Smith', dateOfBirth: '1985-03-04' }, SARAH, 'no'],
      ['a first name alone', 'name-and-dob', { name: 'Sarah', dateOfBirth: '1985-03-04' }, SARAH, 'no'],
      ['a name without a date of birth', 'name-and-dob', { name: 'Sarah Jones' }, SARAH, 'no'],
      [
        'a booking stored without a date of birth',
        'name-and-dob',
        { name: 'Sarah Jones', dateOfBirth: '1985-03-04' },
        NO_DOB,
        'no',
      ],
      [
        'the booking line, where the rule does not accept it',
        'name-and-dob',
        { callerPhone: '+16195550100' },
        SARAH,
        'no',
      ],
      [
        'the booking line, where the rule accepts it',
        'caller-phone-or-name-and-dob',
        { callerPhone: '+16195550100' },
        NO_DOB,
        'caller-phone',
      ],
      ['another line', 'caller-phone-or-name-and-dob', { callerPhone: '+16195550199' }, SARAH, 'no'],
      [
        'another line, with name and date of birth',
        'caller-phone-or-name-and-dob',
        { callerPhone: '+16195550199', name: 'Sarah Jones', dateOfBirth: '1985-03-04' },
        SARAH,
        'name-and-dob',
      ],
      ['nothing said', 'caller-phone-or-name-and-dob', {}, SARAH, 'no'],
    ];
  test.each(cases)('%s', (_, rule, claim, booking, expected) => {
    const v = verifyCaller(rule, claim, booking);
    expect(v.verified ? v.by : 'no').toBe(expected);
  });

  test('names: accents and hyphens do not matter, swapped names do', () => {
    expect(sameName('José García-López', 'Jose Garcialopez')).toBe(true);
    expect(sameName('Jones Sarah', 'Sarah Jones')).toBe(false);
  });
});
