/**
 * Identity before details: may this caller hear, move or cancel this booking? Pure. The clinic's
 * rule (knowledge base `identity.rule`, set on the dashboard's settings page) says what proves it:
 *
 * - `name-and-dob`: the full name and the date of birth the booking was made with, both said by
 *   the caller. A booking stored without a date of birth cannot be verified this way.
 * - `caller-phone-or-name-and-dob`: the same, or a phone call coming from the number the booking was
 *   made with (the real number, known to the call's tools only; logs see it masked).
 *
 * A caller who is not verified learns nothing: the tools answer a mismatch exactly as they answer
 * "no booking" (records/booking-tools.ts).
 */
import type { IdentityRule, KnowledgeBase } from '@voxanne/contracts/knowledge-base';

export const DEFAULT_IDENTITY_RULE: IdentityRule = 'caller-phone-or-name-and-dob';

export function identityRuleOf(kb: KnowledgeBase): IdentityRule {
  return kb.identity?.rule ?? DEFAULT_IDENTITY_RULE;
}

/** what the caller has said (and, on a phone line, the number they call from: E.164) */
export interface IdentityClaim {
  name?: string | undefined;
  /** YYYY-MM-DD */
  dateOfBirth?: string | undefined;
  callerPhone?: string | undefined;
}

/** what the booking was made with */
export interface StoredIdentity {
  name: string;
  phone: string;
  dateOfBirth?: string | undefined;
}

export type Verification = { verified: true; by: 'caller-phone' | 'name-and-dob' } | { verified: false };

const nameTokens = (name: string): string[] =>
  name
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z' -]+/g, ' ')
    .replace(/[-']/g, '')
    .split(/\s+/)
    .filter(Boolean);

/**
 * The same person's name: the same first and last names (a middle name said or left out, letter
 * case, accents and hyphens do not matter). A first name alone never matches.
 */
export function sameName(said: string, stored: string): boolean {
  const a = nameTokens(said);
  const b = nameTokens(stored);
  if (a.length < 2 || b.length < 2) return false;
  return a[0] === b[0] && a.at(-1) === b.at(-1);
}

export function verifyCaller(rule: IdentityRule, claim: IdentityClaim, booking: StoredIdentity): Verification {
  if (rule === 'caller-phone-or-name-and-dob' && claim.callerPhone && claim.callerPhone === booking.phone)
    return { verified: true, by: 'caller-phone' };
  if (
    claim.name &&
    claim.dateOfBirth &&
    booking.dateOfBirth &&
    claim.dateOfBirth === booking.dateOfBirth &&
    sameName(claim.name, booking.name)
  )
    return { verified: true, by: 'name-and-dob' };
  return { verified: false };
}

/** whether a phone line may stand in for the name and date of birth under this rule */
export const acceptsCallerPhone = (rule: IdentityRule): boolean => rule === 'caller-phone-or-name-and-dob';
