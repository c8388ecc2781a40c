/**
 * Which participant of a call's room is the caller she talks to. A web call's room names its one
 * caller in the room metadata (the web server chose the identity and handed the token to that caller
 * only); a phone call's room has no such name, and its caller is the participant LiveKit SIP put in.
 * Anyone else (another agent, a participant joined with some other token) is never the caller: she
 * does not greet them, hear them or answer them.
 */
import { parseCallRoomMetadata } from '@voxanne/contracts/call-room';

export const PARTICIPANT_KINDS = ['standard', 'sip', 'agent', 'other'] as const;
export type ParticipantKindName = (typeof PARTICIPANT_KINDS)[number];

export interface ParticipantFacts {
  identity: string;
  kind: ParticipantKindName;
}

/** What the room says about its caller: an identity to wait for, or "a phone line". */
export type CallerExpectation = { kind: 'web'; identity: string } | { kind: 'sip' };

export function callerExpectation(roomMetadata: string | undefined): CallerExpectation {
  const caller = parseCallRoomMetadata(roomMetadata).caller;
  return caller ? { kind: 'web', identity: caller } : { kind: 'sip' };
}

export function isTrustedCaller(p: ParticipantFacts, expected: CallerExpectation): boolean {
  if (expected.kind === 'web') return p.kind === 'standard' && p.identity === expected.identity;
  return p.kind === 'sip';
}
