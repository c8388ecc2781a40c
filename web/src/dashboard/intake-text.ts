/**
 * A new patient's intake as staff read it under a booking: labelled lines in a fixed order, a
 * date of birth as a date (not an ISO string), nothing for a field the caller did not give. Pure.
 */
import type { PatientIntake } from '@voxanne/contracts/records-api';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "1985-03-04" → "4 Mar 1985" (no time zone: a birthday is a calendar date, not an instant) */
export function formatBirthDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

export function intakeLines(intake: PatientIntake | null | undefined): Array<[label: string, value: string]> {
  if (!intake) return [];
  const lines: Array<[string, string | undefined]> = [
    ['Date of birth', intake.dateOfBirth && formatBirthDate(intake.dateOfBirth)],
    ['Email', intake.email],
    ['Insurance', intake.insurance === 'self-pay' ? 'Self-pay' : intake.insurance],
    ['Reason for visit', intake.reason],
    ['Heard of us', intake.referral],
  ];
  return lines.filter((l): l is [string, string] => typeof l[1] === 'string' && l[1] !== '');
}
