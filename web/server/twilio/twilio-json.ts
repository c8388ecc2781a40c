/**
 * What the parsers of both Twilio socket protocols (media-messages.ts, relay-messages.ts) read alike:
 * a text frame that must be one JSON object, loosely typed fields read without trusting them, the
 * custom parameters, a keypad digit, and the SIP code a digit is passed on as.
 */

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** the frame's object, or (a string) why it is none: the message is then ignored for that reason */
export function jsonObject(text: string): Record<string, unknown> | string {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  return obj(m) ?? 'not an object';
}

/** `<Parameter>`s of the TwiML, as Twilio echoes them: string values only */
export function stringParams(v: unknown): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v) ?? {})) if (typeof x === 'string') params[k] = x;
  return params;
}

/** a keypad key Twilio reports, or undefined for anything else */
export function keypadDigit(v: unknown): string | undefined {
  const digit = str(v);
  return digit && /^[0-9*#A-D]$/.test(digit) ? digit : undefined;
}

/** SIP's DTMF event codes (RFC 4733), which LiveKit's SipDTMF packets carry */
export function dtmfCode(digit: string): number {
  if (digit >= '0' && digit <= '9') return digit.charCodeAt(0) - 48;
  if (digit === '*') return 10;
  if (digit === '#') return 11;
  return 12 + 'ABCD'.indexOf(digit);
}
