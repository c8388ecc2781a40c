/**
 * The authorization server half of SMART Backend Services, as an EHR runs it: the client's
 * public key is registered; a token request must be the client_credentials grant with a JWT
 * assertion signed by that key, naming the client as iss and sub and this token URL as aud,
 * expiring within five minutes, with a jti never seen before. Tokens expire; the fake can be told
 * to revoke them.
 */
import { createPublicKey, randomUUID, verify, type KeyObject } from 'node:crypto';

export interface TokenRequestSeen {
  form: Record<string, string>;
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** what the fake answered */
  status: number;
  error?: string;
}

export interface SmartClientRegistration {
  clientId: string;
  /** PEM or a KeyObject: the public half of the agent's key */
  publicKey: string | KeyObject;
  /** seconds */
  tokenLifetime?: number;
}

export class FakeSmartAuthorizer {
  readonly seen: TokenRequestSeen[] = [];
  readonly #key: KeyObject;
  readonly #jtis = new Set<string>();
  readonly #tokens = new Map<string, number>();

  constructor(
    readonly reg: SmartClientRegistration,
    private readonly now: () => number,
  ) {
    this.#key = typeof reg.publicKey === 'string' ? createPublicKey(reg.publicKey) : reg.publicKey;
  }

  /** POST token: status and JSON body */
  token(formText: string, tokenUrl: string): { status: number; body: Record<string, unknown> } {
    const form = Object.fromEntries(new URLSearchParams(formText));
    const seen: TokenRequestSeen = { form, status: 400 };
    this.seen.push(seen);
    const refuse = (status: number, error: string, description: string) => {
      seen.status = status;
      seen.error = `${error}: ${description}`;
      return { status, body: { error, error_description: description } };
    };
    if (form.grant_type !== 'client_credentials')
      return refuse(400, 'unsupported_grant_type', 'client_credentials only');
    if (form.client_assertion_type !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
      return refuse(400, 'invalid_request', 'client_assertion_type must be jwt-bearer');
    const parts = (form.client_assertion ?? '').split('.');
    if (parts.length !== 3) return refuse(400, 'invalid_request', 'client_assertion is not a JWT');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as Record<string, unknown>;
      claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
    } catch {
      return refuse(400, 'invalid_request', 'client_assertion is not a JWT');
    }
    seen.header = header;
    seen.claims = claims;
    const alg = this.#key.asymmetricKeyType === 'ec' ? 'ES384' : 'RS384';
    if (header.alg !== alg) return refuse(401, 'invalid_client', `alg must be ${alg}`);
    const ok = verify(
      'sha384',
      Buffer.from(`${parts[0]}.${parts[1]}`),
      alg === 'ES384' ? { key: this.#key, dsaEncoding: 'ieee-p1363' } : this.#key,
      Buffer.from(parts[2]!, 'base64url'),
    );
    if (!ok) return refuse(401, 'invalid_client', 'signature does not verify with the registered key');
    if (claims.iss !== this.reg.clientId || claims.sub !== this.reg.clientId)
      return refuse(401, 'invalid_client', 'iss and sub must be the client id');
    if (claims.aud !== tokenUrl) return refuse(401, 'invalid_client', 'aud must be the token URL');
    const nowS = this.now() / 1000;
    if (typeof claims.exp !== 'number' || claims.exp <= nowS || claims.exp > nowS + 300)
      return refuse(401, 'invalid_client', 'exp must be in the next five minutes');
    if (typeof claims.jti !== 'string' || this.#jtis.has(claims.jti))
      return refuse(401, 'invalid_client', 'jti missing or replayed');
    this.#jtis.add(claims.jti);
    const lifetime = this.reg.tokenLifetime ?? 300;
    const token = randomUUID();
    this.#tokens.set(token, this.now() + lifetime * 1000);
    seen.status = 200;
    return {
      status: 200,
      body: { access_token: token, token_type: 'bearer', expires_in: lifetime, scope: form.scope ?? '' },
    };
  }

  /** whether an Authorization header carries a live token */
  allows(authorization: string | undefined): boolean {
    const m = /^Bearer (.+)$/i.exec(authorization ?? '');
    const exp = m ? this.#tokens.get(m[1]!) : undefined;
    return exp !== undefined && this.now() < exp;
  }

  revokeAll(): void {
    this.#tokens.clear();
  }
}
