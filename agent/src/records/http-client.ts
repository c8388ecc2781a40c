/**
 * The signed HTTP client for the web server's internal API (web/server/RECORDS-API.md): every
 * request (every retry too) carries x-voxanne-timestamp, a fresh x-voxanne-nonce and an HMAC of
 * `${timestamp}.${nonce}.${method}.${path}.${body}` with RECORDS_API_KEY. Failures that a retry can
 * fix (no connection, 5xx, 408, 429) are retried with exponential backoff; others (every other 4xx:
 * the server refused the request as it is) become typed, non-retryable RecordsErrors naming the
 * route and the field.
 */
import { NONCE_HEADER, RECORDS_API_PREFIX, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@voxanne/contracts/records-api';
import { randomBytes } from 'node:crypto';
import type { SignedParts } from '@voxanne/contracts/signature';
import { NotFoundError, RecordsError, SlotTakenError } from './types.ts';

export type Signer = (key: string, parts: SignedParts) => string;

export interface RetryPolicy {
  /** attempts in all, the first included */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RecordsClientOptions {
  /** e.g. http://127.0.0.1:5173; the client adds /internal/v1 */
  baseUrl: string;
  secret: string;
  sign: Signer;
  retry?: Partial<RetryPolicy>;
  /** per attempt */
  timeoutMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** a fresh nonce per request (default: 128 random bits) */
  nonce?: () => string;
}

export const PREFIX = RECORDS_API_PREFIX;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function backoffMs(attempt: number, p: RetryPolicy): number {
  return Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
}

/**
 * The body as sent: a NUL byte or a lone surrogate (which PostgreSQL cannot store, and the server refuses with a 400)
 * becomes U+FFFD. It can arrive from outside, in a SIP From user or a room name, and a call must be
 * recorded all the same.
 */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function recordsJson(body: unknown): string {
  return JSON.stringify(body, (_key, v: unknown) => (typeof v === 'string' ? v.replace(UNSTORABLE, '\uFFFD') : v));
}

export class RecordsClient {
  readonly #o: Required<Omit<RecordsClientOptions, 'retry'>> & { retry: RetryPolicy };

  constructor(o: RecordsClientOptions) {
    if (!o.secret) throw new TypeError('RecordsClient needs RECORDS_API_KEY to sign requests');
    const url = new URL(o.baseUrl); // throws a clear TypeError on a bad VOXANNE_RECORDS_URL
    this.#o = {
      baseUrl: url.origin,
      secret: o.secret,
      sign: o.sign,
      retry: { attempts: 3, baseDelayMs: 200, maxDelayMs: 2000, ...o.retry },
      timeoutMs: o.timeoutMs ?? 3000,
      fetch: o.fetch ?? fetch,
      sleep: o.sleep ?? defaultSleep,
      now: o.now ?? Date.now,
      nonce: o.nonce ?? (() => randomBytes(16).toString('base64url')),
    };
  }

  get retryPolicy(): RetryPolicy {
    return this.#o.retry;
  }

  /** One request, retried per the policy (or `attempts` when given). Resolves with the parsed JSON body. */
  async request<T>(
    method: 'GET' | 'POST',
    route: string,
    body?: unknown,
    attempts = this.#o.retry.attempts,
  ): Promise<T> {
    let last: RecordsError | undefined;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await this.#o.sleep(backoffMs(i - 1, this.#o.retry));
      try {
        return await this.once<T>(method, route, body);
      } catch (err) {
        if (!(err instanceof RecordsError) || !err.retryable) throw err;
        last = err;
      }
    }
    throw last!;
  }

  /** One attempt, no retry. */
  async once<T>(method: 'GET' | 'POST', route: string, body?: unknown): Promise<T> {
    const path = `${PREFIX}${route}`; // route may carry a query string
    const text = body === undefined ? '' : recordsJson(body);
    const timestamp = String(this.#o.now());
    // the signed path is the request target as sent, query string included (req.url on the server)
    const nonce = this.#o.nonce();
    const signature = this.#o.sign(this.#o.secret, { timestamp, nonce, method, path, body: text });
    let res: Response;
    try {
      res = await this.#o.fetch(`${this.#o.baseUrl}${path}`, {
        method,
        headers: {
          [TIMESTAMP_HEADER]: timestamp,
          [NONCE_HEADER]: nonce,
          [SIGNATURE_HEADER]: signature,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: text }),
        signal: AbortSignal.timeout(this.#o.timeoutMs),
      });
    } catch (err) {
      throw new RecordsError(
        `${method} ${path}: records server unreachable (${(err as Error).message})`,
        undefined,
        true,
      );
    }
    const raw = await res.text();
    let json: unknown;
    try {
      json = raw ? JSON.parse(raw) : {};
    } catch {
      json = undefined;
    }
    if (res.ok) {
      if (json === undefined) throw new RecordsError(`${method} ${path}: response is not JSON`, res.status, false);
      return json as T;
    }
    const info = (json ?? {}) as { error?: string; field?: string };
    const message = `${method} ${path}: ${res.status} ${info.error ?? raw.slice(0, 200)}`;
    if (res.status === 409) throw new SlotTakenError(message);
    if (res.status === 404) throw new NotFoundError(message);
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    throw new RecordsError(message, res.status, retryable, info.field);
  }
}
