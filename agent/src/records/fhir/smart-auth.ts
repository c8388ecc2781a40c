/**
 * SMART Backend Services (hl7.org/fhir/smart-app-launch/backend-services.html): the agent proves
 * it is the registered client by a short-lived JWT signed with its private key (RS384 or ES384;
 * the EHR holds the public key, usually through a JWKS URL), exchanges it for an access token with
 * the client_credentials grant, and keeps the token until shortly before it expires.
 */
import { createPrivateKey, randomUUID, sign, type KeyObject } from 'node:crypto';
import { FhirError } from './errors.ts';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** a token this close to its expiry is renewed before use, so no request carries a dying one */
export const TOKEN_RENEW_MARGIN_MS = 60_000;
/** the assertion's lifetime; the spec allows at most five minutes */
const ASSERTION_LIFETIME_S = 300;

export interface SmartAuthOptions {
  clientId: string;
  /** PEM, PKCS#8 (RSA or EC P-384) */
  privateKeyPem: string;
  /** the key id the EHR knows the public key by (JWKS `kid`) */
  keyId?: string;
  scope: string;
  /** the token endpoint, or a function that finds it (.well-known/smart-configuration) */
  tokenUrl: string | (() => Promise<string>);
  fetch?: typeof fetch;
  /** wall clock, ms since the epoch */
  now?: () => number;
  timeoutMs?: number;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** The signed client assertion the token request carries. */
export function clientAssertion(o: {
  clientId: string;
  key: KeyObject;
  keyId?: string;
  audience: string;
  nowMs: number;
}): string {
  const alg = o.key.asymmetricKeyType === 'ec' ? 'ES384' : 'RS384';
  const header = { alg, typ: 'JWT', ...(o.keyId ? { kid: o.keyId } : {}) };
  const iat = Math.floor(o.nowMs / 1000);
  const claims = {
    iss: o.clientId,
    sub: o.clientId,
    aud: o.audience,
    iat,
    exp: iat + ASSERTION_LIFETIME_S,
    jti: randomUUID(),
  };
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  // JWS wants ECDSA signatures as r||s, not DER
  const sig = sign('sha384', Buffer.from(input), alg === 'ES384' ? { key: o.key, dsaEncoding: 'ieee-p1363' } : o.key);
  return `${input}.${b64url(sig)}`;
}

export class SmartBackendAuth {
  readonly #key: KeyObject;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #token: { value: string; expiresAtMs: number } | undefined;
  #pending: Promise<string> | undefined;
  /** token requests made (for tests and the logs) */
  requests = 0;

  constructor(private readonly o: SmartAuthOptions) {
    this.#key = createPrivateKey(o.privateKeyPem);
    this.#fetch = o.fetch ?? fetch;
    this.#now = o.now ?? Date.now;
  }

  /** "Bearer …" for the next request: the cached token, or a new one when it is near expiry. */
  async authorization(): Promise<string> {
    const t = this.#token;
    if (t && this.#now() < t.expiresAtMs - TOKEN_RENEW_MARGIN_MS) return `Bearer ${t.value}`;
    // concurrent requests share one token request
    this.#pending ??= this.#request().finally(() => (this.#pending = undefined));
    return `Bearer ${await this.#pending}`;
  }

  /** the server refused the token (401): the next request gets a new one */
  invalidate(): void {
    this.#token = undefined;
  }

  async #request(): Promise<string> {
    const url = typeof this.o.tokenUrl === 'string' ? this.o.tokenUrl : await this.o.tokenUrl();
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.o.scope,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: clientAssertion({
        clientId: this.o.clientId,
        key: this.#key,
        ...(this.o.keyId ? { keyId: this.o.keyId } : {}),
        audience: url,
        nowMs: this.#now(),
      }),
    });
    this.requests++;
    let res: Response;
    try {
      res = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(this.o.timeoutMs ?? 4000),
      });
    } catch (err) {
      throw new FhirError(`token endpoint unreachable: ${(err as Error).message}`, undefined);
    }
    const json = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!res.ok || !json.access_token)
      throw new FhirError(
        `token request refused: ${res.status} ${json.error ?? ''} ${json.error_description ?? ''}`.trim(),
        res.status >= 500 ? res.status : 401,
      );
    // expires_in is seconds (RFC 6749); absent, assume the spec's recommended five minutes
    const lifetimeMs = (typeof json.expires_in === 'number' ? json.expires_in : 300) * 1000;
    this.#token = { value: json.access_token, expiresAtMs: this.#now() + lifetimeMs };
    return json.access_token;
  }
}
