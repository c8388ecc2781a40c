/**
 * The internal records API's request signature (web/server/RECORDS-API.md), one implementation
 * for both sides: the agent signs with it, the web server verifies with it.
 * hex(HMAC-SHA256(LIVEKIT_API_SECRET, `${timestamp}.${method}.${path}.${body}`)), where path is
 * the request target as sent (query string included) and timestamp is ms since the epoch.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** how far a request's timestamp may be from the server's clock */
export const SIGNATURE_MAX_SKEW_MS = 60_000;

export function signRecordsRequest(
  secret: string,
  timestamp: string,
  method: string,
  path: string,
  body: string,
): string {
  return createHmac('sha256', secret).update(`${timestamp}.${method}.${path}.${body}`).digest('hex');
}

export type SignatureCheck =
  { ok: true } | { ok: false; error: 'missing signature' | 'bad signature' | 'stale signature' };

export function verifyRecordsRequest(
  secret: string,
  r: { timestamp: string | undefined; signature: string | undefined; method: string; path: string; body: string },
  nowMs: number,
): SignatureCheck {
  if (!r.timestamp || !r.signature) return { ok: false, error: 'missing signature' };
  const expected = Buffer.from(signRecordsRequest(secret, r.timestamp, r.method, r.path, r.body), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(r.signature) ? Buffer.from(r.signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, error: 'bad signature' };
  const ts = Number(r.timestamp);
  if (!/^\d{1,16}$/.test(r.timestamp) || Math.abs(nowMs - ts) > SIGNATURE_MAX_SKEW_MS)
    return { ok: false, error: 'stale signature' };
  return { ok: true };
}
