/**
 * The phone call's own rules: the caller's number as logs and records show it, what a keypad digit
 * means, and why she calls out. Pure.
 */

// declared once, beside the room names that must never carry a number (the Twilio edge masks with it too)
export { maskPhoneNumber } from '@voxanne/contracts/call-room';

/**
 * The user part of a SIP From or To header as LiveKit SIP copies it into an attribute
 * (`"Name" <sip:+15551234567@host:5060>;tag=…`, `<tel:+15551234567>`, `sip:+1555…@host`): the caller's
 * or the dialled number. Undefined when the header holds no SIP or tel URI with a user.
 */
export function sipHeaderUser(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /(?:^|[<\s])(?:sips?:([^@;>\s]{1,64})@|tel:([^;>\s]{1,64}))/i.exec(header);
  const raw = m?.[1] ?? m?.[2];
  if (!raw) return undefined;
  let user: string;
  try {
    user = decodeURIComponent(raw);
  } catch {
    user = raw; // a stray % is part of the user as sent
  }
  return user || undefined;
}

/**
 * How long after an inbound phone caller joins the room the call must be answered (LiveKit SIP's
 * sip.callStatus "active", which with sip.yaml's inbound_wait_ack means the caller ACKed its 200 OK).
 * LiveKit SIP answers once her track is subscribed and retransmits its 200 OK for about 7 s; a caller
 * still not answered by then sent an INVITE and went away (or never meant to stay), and she leaves
 * instead of holding a line for the 30 s LiveKit SIP takes to give up.
 */
export const INBOUND_ANSWER_WAIT_MS = 10_000;

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
