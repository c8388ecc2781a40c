/**
 * One clinic's FHIR scheduling, built from its settings (contracts/src/scheduling.ts) and the
 * agent's SMART key: the client (with SMART backend-services tokens, the token endpoint taken
 * from the settings or the server's .well-known/smart-configuration) and the BookingStore over it.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type FhirSettings, fhirUrlAllowed, fhirUrlsNotAllowed, isSecureUrl } from '@voxanne/contracts/scheduling';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { FhirClient } from './client.ts';
import { FhirError } from './errors.ts';
import { FhirBookingStore } from './fhir-store.ts';
import { SmartBackendAuth } from './smart-auth.ts';

export { FhirBookingStore } from './fhir-store.ts';
export { FhirClient } from './client.ts';
export { FhirError } from './errors.ts';
export { SmartBackendAuth } from './smart-auth.ts';

export interface SmartKey {
  /** PEM, PKCS#8: the private half of the key the EHR registered (FHIR_PRIVATE_KEY_FILE) */
  privateKeyPem: string;
  /** its JWKS kid (FHIR_KEY_ID) */
  keyId?: string;
}

/**
 * The agent's SMART key, read once at start (FHIR_PRIVATE_KEY_FILE, FHIR_KEY_ID); a file that is
 * missing or not a private key stops the start with a message naming the variable.
 */
export function loadSmartKey(env: {
  FHIR_PRIVATE_KEY_FILE?: string | undefined;
  FHIR_KEY_ID?: string | undefined;
}): SmartKey | undefined {
  if (!env.FHIR_PRIVATE_KEY_FILE) return undefined;
  let pem: string;
  try {
    pem = readFileSync(env.FHIR_PRIVATE_KEY_FILE, 'utf8');
    createPrivateKey(pem);
  } catch (err) {
    throw new Error(`FHIR_PRIVATE_KEY_FILE: not a readable PEM private key (${(err as Error).message})`);
  }
  return { privateKeyPem: pem, ...(env.FHIR_KEY_ID ? { keyId: env.FHIR_KEY_ID } : {}) };
}

/** The token endpoint a SMART server advertises (SMART App Launch 2.x, §Discovery). */
export async function discoverTokenUrl(
  baseUrl: string,
  f: typeof fetch = fetch,
  timeoutMs = 4000,
  allowedOrigins?: readonly string[],
): Promise<string> {
  const url = `${baseUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
  let res: Response;
  try {
    res = await f(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new FhirError(`SMART configuration unreachable: ${(err as Error).message}`, undefined);
  }
  const json = (await res.json().catch(() => ({}))) as { token_endpoint?: unknown };
  if (!res.ok || typeof json.token_endpoint !== 'string')
    throw new FhirError(`no token_endpoint in ${url} (${res.status})`, res.ok ? 502 : res.status);
  // the signed assertion goes there: never in the clear over a network
  if (!isSecureUrl(json.token_endpoint)) throw new FhirError(`token_endpoint ${json.token_endpoint} is not https`, 502);
  if (!fhirUrlAllowed(json.token_endpoint, allowedOrigins))
    throw new FhirError(`token_endpoint ${json.token_endpoint} is not in FHIR_ALLOWED_ORIGINS`, 403);
  return json.token_endpoint;
}

export interface FhirSchedulingOptions {
  settings: FhirSettings;
  kb: KnowledgeBase;
  tenant: string;
  key?: SmartKey;
  now: () => Date;
  fetch?: typeof fetch;
  /** FHIR_ALLOWED_ORIGINS: where the settings may send the clinic's patients (unset: anywhere secure) */
  allowedOrigins?: readonly string[] | undefined;
}

export function createFhirScheduling(o: FhirSchedulingOptions): {
  store: FhirBookingStore;
  client: FhirClient;
  auth?: SmartBackendAuth;
} {
  const s = o.settings;
  const outside = fhirUrlsNotAllowed(s, o.allowedOrigins);
  if (outside.length > 0) throw new FhirError(`${outside.join(', ')}: not in FHIR_ALLOWED_ORIGINS`, 403);
  let auth: SmartBackendAuth | undefined;
  if (s.auth === 'smart-backend') {
    if (!o.key) throw new FhirError('SMART backend auth needs the agent’s FHIR_PRIVATE_KEY_FILE', 401);
    if (!s.clientId) throw new FhirError('SMART backend auth needs scheduling.fhir.clientId', 401);
    let discovered: Promise<string> | undefined;
    auth = new SmartBackendAuth({
      clientId: s.clientId,
      privateKeyPem: o.key.privateKeyPem,
      ...(o.key.keyId ? { keyId: o.key.keyId } : {}),
      scope: s.scope,
      tokenUrl:
        s.tokenUrl ??
        (() => {
          discovered ??= discoverTokenUrl(s.baseUrl, o.fetch, s.timeoutMs, o.allowedOrigins);
          discovered.catch(() => (discovered = undefined));
          return discovered;
        }),
      ...(o.fetch ? { fetch: o.fetch } : {}),
      now: () => o.now().getTime(),
      timeoutMs: s.timeoutMs,
    });
  }
  const a = auth;
  const client = new FhirClient({
    baseUrl: s.baseUrl,
    timeoutMs: s.timeoutMs,
    ...(a ? { authorization: () => a.authorization(), invalidate: () => a.invalidate() } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
  const store = new FhirBookingStore({ client, kb: o.kb, tenant: o.tenant, schedules: s.schedules, now: o.now });
  return { store, client, ...(auth ? { auth } : {}) };
}
