/**
 * The phone call's own rules: the caller's number as logs and records show it, what a keypad digit
 * means, and why she calls out. Pure.
 */

// declared once, beside the room names that must never carry a number (the Twilio edge masks with it too)
export { maskPhoneNumber } from '@voxanne/contracts/call-room';

/** What a phone menu key means to her. */
export type DtmfIntent = 'person' | 'none';

/** "Press 0 to reach a person": the convention callers know. Other keys mean nothing to her yet. */
export function dtmfIntent(digit: string): DtmfIntent {
  return digit === '0' ? 'person' : 'none';
}

/** Why she is calling out, from the room metadata the outbound call was placed with (sip/src/outbound.ts). */
export interface OutboundPurpose {
  purpose: 'reminder' | 'callback';
  detail?: string;
}

/** The outbound call described by a room's metadata, or undefined for a call the patient placed. */
export function outboundPurpose(roomMetadata: string | undefined): OutboundPurpose | undefined {
  if (!roomMetadata) return undefined;
  let m: unknown;
  try {
    m = JSON.parse(roomMetadata);
  } catch {
    return undefined; // metadata set by something else: not an outbound call of ours
  }
  const o = m as Record<string, unknown>;
  if (o.direction !== 'outbound' || (o.purpose !== 'reminder' && o.purpose !== 'callback')) return undefined;
  return {
    purpose: o.purpose,
    ...(typeof o.detail === 'string' && o.detail ? { detail: o.detail.slice(0, 200) } : {}),
  };
}

/** What she says first when she is the one calling: who she is and why, before anything else. */
export function outboundGreeting(clinicName: string, p: OutboundPurpose): string {
  const who = `Hello, this is Voxanne, the virtual assistant at ${clinicName}.`;
  if (p.purpose === 'reminder')
    return (
      `${who} I'm calling to remind you about ` +
      `${p.detail ?? 'your upcoming appointment'}. Would you like to keep it, or change it?`
    );
  return `${who} You asked us to call you back${p.detail ? ` about ${p.detail}` : ''}. How can I help?`;
}
