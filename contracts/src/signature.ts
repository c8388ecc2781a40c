/**
 * The internal records API's request signature (web/server/RECORDS-API.md), one implementation
 * for both sides: the agent signs with it, the web server verifies with it.
 * hex(HMAC-SHA256(RECORDS_API_KEY, `${timestamp}.${nonce}.${method}.${path}.${body}`)), where path
 * is the request target as sent (query string included), timestamp is ms since the epoch and nonce
 * is fresh random text per request: the server accepts each nonce once (NonceLedger), so a captured
 * request cannot be replayed, not even within the timestamp's window.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** how far a request's timestamp may be from the server's clock */
export const SIGNATURE_MAX_SKEW_MS = 60_000;
/** 16-128 characters of base64url or hex; newNonce() makes 22 */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export interface SignedParts {
  timestamp: string;
  nonce: string;
  method: string;
  path: string;
  body: string;
}

export function signRecordsRequest(key: string, p: SignedParts): string {
  return createHmac('sha256', key).update(`${p.timestamp}.${p.nonce}.${p.method}.${p.path}.${p.body}`).digest('hex');
}

/** 128 random bits, base64url */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export type SignatureCheck =
  { ok: true } | { ok: false; error: 'missing signature' | 'bad signature' | 'stale signature' | 'replayed signature' };

/**
 * The nonces seen within the timestamp window. A nonce is kept for twice the allowed skew (a
 * request stamped up to SIGNATURE_MAX_SKEW_MS in the future stays refusable until it is stale),
 * then forgotten; past `max` entries the oldest go first, which can only make the server refuse
 * more (a forgotten nonce's request is stale by then unless the flood is enormous).
 */
export class NonceLedger {
  readonly #seen = new Map<string, number>();

  constructor(readonly max = 100_000) {}

  /** true the first time a nonce is offered within the window, false on a replay */
  accept(nonce: string, nowMs: number): boolean {
    for (const [n, at] of this.#seen) {
      if (at > nowMs - 2 * SIGNATURE_MAX_SKEW_MS && this.#seen.size < this.max) break;
      this.#seen.delete(n);
    }
    if (this.#seen.has(nonce)) return false;
    this.#seen.set(nonce, nowMs);
    return true;
  }
}

export function verifyRecordsRequest(
  key: string,
  r: {
    timestamp: string | undefined;
    nonce: string | undefined;
    signature: string | undefined;
    method: string;
    path: string;
    body: string;
  },
  nowMs: number,
  ledger: NonceLedger,
): SignatureCheck {
  if (!r.timestamp || !r.signature || !r.nonce || !NONCE_PATTERN.test(r.nonce))
    return { ok: false, error: 'missing signature' };
  const expected = Buffer.from(signRecordsRequest(key, { ...r, timestamp: r.timestamp, nonce: r.nonce }), 'hex');
  const given = /^[0-9a-f]{64}$/i.test(r.signature) ? Buffer.from(r.signature, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, error: 'bad signature' };
  const ts = Number(r.timestamp);
  if (!/^\d{1,16}$/.test(r.timestamp) || Math.abs(nowMs - ts) > SIGNATURE_MAX_SKEW_MS)
    return { ok: false, error: 'stale signature' };
  // only a correctly signed, fresh request spends its nonce: a forger cannot burn the agent's
  if (!ledger.accept(r.nonce, nowMs)) return { ok: false, error: 'replayed signature' };
  return { ok: true };
}
