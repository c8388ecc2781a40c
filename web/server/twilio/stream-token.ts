/**
 * The media socket's own credential. Twilio's <Stream> URL takes no query string, so the token is the
 * last path segment: wss://…/twilio/media-stream/<token>. It is minted by the signed voice webhook for
 * one call and checked at the WebSocket upgrade, so a stranger who knows the path cannot open a media
 * socket, and a token seen once (in a proxy log) is useless a minute later. HMAC-SHA256, keyed from
 * the Twilio auth token (which only this server and Twilio hold).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** how long after the webhook Twilio may open the socket (it does so within a second or two) */
export const STREAM_TOKEN_TTL_MS = 60_000;

export interface StreamClaims {
  /** the call the socket is for (start.callSid must match) */
  callSid: string;
  /** the clinic, from the number called */
  tenant: string;
  /** the caller's number masked (+1******4567); never the full number */
  callerMasked: string;
  /** ms since the epoch */
  expiresAt: number;
}

const keyOf = (authToken: string) => createHmac('sha256', authToken).update('voxanne media-stream token v1').digest();

export function signStreamToken(authToken: string, claims: StreamClaims): string {
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', keyOf(authToken)).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export type TokenCheck =
  { ok: true; claims: StreamClaims } | { ok: false; reason: 'malformed' | 'bad signature' | 'expired' };

export function verifyStreamToken(authToken: string, token: string, nowMs: number): TokenCheck {
  const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const want = createHmac('sha256', keyOf(authToken)).update(m[1]!).digest();
  const got = Buffer.from(m[2]!, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'bad signature' };
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const o = c as Partial<StreamClaims>;
  if (
    typeof o.callSid !== 'string' ||
    typeof o.tenant !== 'string' ||
    typeof o.callerMasked !== 'string' ||
    typeof o.expiresAt !== 'number'
  )
    return { ok: false, reason: 'malformed' };
  if (nowMs > o.expiresAt) return { ok: false, reason: 'expired' };
  return { ok: true, claims: o as StreamClaims };
}
