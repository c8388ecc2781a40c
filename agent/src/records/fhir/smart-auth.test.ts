/**
 * SMART backend services against the fake EHR's authorization server: the token request's shape
 * (client_credentials, a JWT assertion signed with the client's key, iss/sub/aud/exp/jti), the
 * token cached until shortly before it expires, a refused token renewed once, and a key the EHR
 * does not know ending in "unavailable" for the booking tools, not in a crash.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, test } from 'vitest';
import { FakeFhirServer } from '../../../../test/fakes/fhir/fake-fhir.ts';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import { runBookingTool } from '../booking-tools.ts';
import { createFhirScheduling, discoverTokenUrl, FhirError } from './index.ts';
import { TOKEN_RENEW_MARGIN_MS } from './smart-auth.ts';

const kb = await loadKnowledgeBase();
const TUE = ['09:00', '09:30'].map((t) => `2026-03-03T${t}:00-08:00`);
let wall = Date.parse('2026-03-02T17:00:00Z');
const now = () => new Date(wall);

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const pem = (k: { privateKey: import('node:crypto').KeyObject }) =>
  k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

let fake: FakeFhirServer | undefined;
afterEach(async () => {
  await fake?.stop();
  wall = Date.parse('2026-03-02T17:00:00Z');
});

async function ehr(publicKey: import('node:crypto').KeyObject, tokenLifetime = 300): Promise<FakeFhirServer> {
  fake = new FakeFhirServer({ smart: { clientId: 'voxanne-riverside', publicKey, tokenLifetime }, now: () => wall });
  await fake.start();
  fake.seedSchedule({ id: 'dr-lee', practitioner: 'lee', starts: TUE });
  return fake;
}

function scheduling(f: FakeFhirServer, key: string, tokenUrl?: string, allowedOrigins?: string[]) {
  return createFhirScheduling({
    allowedOrigins,
    settings: {
      baseUrl: f.baseUrl,
      auth: 'smart-backend',
      clientId: 'voxanne-riverside',
      ...(tokenUrl ? { tokenUrl } : {}),
      scope: 'system/Slot.rs system/Schedule.rs system/Appointment.cru system/Patient.cru',
      schedules: { consultation: 'dr-lee' },
      timeoutMs: 2000,
    },
    kb,
    tenant: 'riverside',
    key: { privateKeyPem: key, keyId: 'voxanne-2026' },
    now,
  });
}

for (const [alg, pair] of [
  ['RS384', rsa],
  ['ES384', ec],
] as const) {
  test(`the token request (${alg}): client_credentials with a signed JWT assertion, found by discovery`, async () => {
    const f = await ehr(pair.publicKey);
    const { store } = scheduling(f, pem(pair));
    assert.equal((await store.availability('2026-03-03', 'consultation')).length, 2);
    const seen = f.authorizer!.seen;
    assert.equal(seen.length, 1);
    const t = seen[0]!;
    assert.equal(t.status, 200, t.error);
    assert.equal(t.form.grant_type, 'client_credentials');
    assert.equal(t.form.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal(t.form.scope, 'system/Slot.rs system/Schedule.rs system/Appointment.cru system/Patient.cru');
    assert.deepEqual(t.header, { alg, typ: 'JWT', kid: 'voxanne-2026' });
    const c = t.claims!;
    assert.equal(c.iss, 'voxanne-riverside');
    assert.equal(c.sub, 'voxanne-riverside');
    assert.equal(c.aud, f.tokenUrl);
    assert.equal(c.exp, Math.floor(wall / 1000) + 300);
    assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
    const paths = f.seen.map((r) => `${r.method} ${r.path.split('?')[0]}`);
    assert.deepEqual(paths.slice(0, 2), ['GET /.well-known/smart-configuration', 'POST /auth/token']);
    // every FHIR request carried the bearer token
    for (const r of f.seen.filter((x) => !x.path.startsWith('/auth') && !x.path.startsWith('/.well-known')))
      assert.match(String(r.headers.authorization), /^Bearer [0-9a-f-]{36}$/);
  });
}

test('the token is cached until shortly before expiry, then a new one (new jti) is requested', async () => {
  const f = await ehr(rsa.publicKey, 600);
  const { store, auth } = scheduling(f, pem(rsa), `${f.baseUrl}/auth/token`);
  await store.availability('2026-03-03', 'consultation');
  await store.findByPhone('+16195550100');
  assert.equal(auth!.requests, 1, 'one token for the call’s requests');
  wall += 600_000 - TOKEN_RENEW_MARGIN_MS - 1000;
  await store.findByPhone('+16195550100');
  assert.equal(auth!.requests, 1, 'still valid beyond the margin');
  wall += 2000;
  await store.findByPhone('+16195550100');
  assert.equal(auth!.requests, 2, 'renewed inside the margin');
  const jtis = f.authorizer!.seen.map((s) => s.claims?.jti);
  assert.equal(new Set(jtis).size, 2);
  assert.ok(!f.seen.some((r) => r.path.startsWith('/.well-known')), 'a configured tokenUrl needs no discovery');
});

test('concurrent requests share one token request', async () => {
  const f = await ehr(ec.publicKey);
  const { client, auth } = scheduling(f, pem(ec));
  await Promise.all([client.read('Schedule', 'dr-lee'), client.read('Schedule', 'dr-lee'), client.capabilities()]);
  assert.equal(auth!.requests, 1);
});

test('a token the server refuses (revoked): renewed once and the request goes through', async () => {
  const f = await ehr(rsa.publicKey);
  const { client, auth } = scheduling(f, pem(rsa));
  await client.read('Schedule', 'dr-lee');
  f.authorizer!.revokeAll();
  const r = await client.read('Schedule', 'dr-lee');
  assert.equal(r.status, 200);
  assert.equal(auth!.requests, 2);
});

test('a key the EHR does not know: refused (invalid_client), and the booking tools say unavailable', async () => {
  const f = await ehr(rsa.publicKey);
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { store } = scheduling(f, pem(stranger));
  const r = await runBookingTool(
    'check_availability',
    { service: 'consultation', date: '2026-03-03' },
    { kb, store, now, lastCallerText: () => '' },
  );
  assert.deepEqual([r.ok, !r.ok && r.error], [false, 'unavailable']);
  assert.equal(f.authorizer!.seen[0]!.status, 401);
  assert.match(f.authorizer!.seen[0]!.error!, /signature does not verify/);
  assert.ok(!f.seen.some((x) => x.path.startsWith('/Slot')), 'no FHIR request without a token');
});

test('FHIR_ALLOWED_ORIGINS: settings or a discovered token endpoint elsewhere are refused, nothing sent', async () => {
  const f = await ehr(rsa.publicKey);
  const origin = new URL(f.baseUrl).origin;
  assert.throws(
    () => scheduling(f, pem(rsa), undefined, ['https://ehr.example.org']),
    (e: unknown) => e instanceof FhirError && e.status === 403 && /not in FHIR_ALLOWED_ORIGINS/.test(e.message),
  );
  assert.throws(
    () => scheduling(f, pem(rsa), 'https://idp.example.net/token', [origin]),
    /https:\/\/idp\.example\.net\/token: not in FHIR_ALLOWED_ORIGINS/,
  );
  assert.equal(f.seen.length, 0, 'nothing was sent');
  // inside the list: discovered and used as before
  const { store } = scheduling(f, pem(rsa), undefined, [origin]);
  assert.equal((await store.availability('2026-03-03', 'consultation')).length, 2);
  // a server whose discovery names a token endpoint elsewhere does not get the signed assertion sent there
  const elsewhere = (async () =>
    new Response(JSON.stringify({ token_endpoint: 'https://idp.example.net/token' }), {
      headers: { 'content-type': 'application/json' },
    })) as typeof fetch;
  await assert.rejects(
    discoverTokenUrl('https://ehr.example.org/fhir', elsewhere, 1000, ['https://ehr.example.org']),
    /token_endpoint https:\/\/idp\.example\.net\/token is not in FHIR_ALLOWED_ORIGINS/,
  );
});
