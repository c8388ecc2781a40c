/**
 * Phone numbers in logs: enough to tell calls apart and to match a complaint ("the call from …4567"),
 * not enough to call the patient. Pure.
 */

/** +15551234567 → +1******4567: the country code's first digit and the last four stay. */
export function maskPhoneNumber(n: string | undefined): string {
  if (!n) return '(unknown)';
  const digits = n.replace(/[^\d]/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  const plus = n.trim().startsWith('+');
  const keepHead = plus ? 1 : 0;
  return `${plus ? '+' : ''}${digits.slice(0, keepHead)}${'*'.repeat(digits.length - keepHead - 4)}${digits.slice(-4)}`;
}

/** What a phone menu key means to her. */
export type DtmfIntent = 'person' | 'none';

/** "Press 0 to reach a person": the convention callers know. Other keys mean nothing to her yet. */
export function dtmfIntent(digit: string): DtmfIntent {
  return digit === '0' ? 'person' : 'none';
}
