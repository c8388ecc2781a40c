import assert from 'node:assert/strict';
import { test } from 'vitest';
import { z } from 'zod';
import { fhirAllowedOriginsEnv, fhirUrlsNotAllowed, schedulingSchema } from './src/scheduling.ts';

test('scheduling settings: builtin by default; fhir needs a base URL, and SMART auth a client id', () => {
  assert.equal(schedulingSchema.parse({}).system, 'builtin');
  const ok = schedulingSchema.parse({
    system: 'fhir',
    fhir: { baseUrl: 'https://ehr.example.org/fhir/r4', clientId: 'voxanne', schedules: { consultation: 'dr-lee' } },
  });
  assert.equal(ok.fhir?.auth, 'smart-backend');
  assert.equal(ok.fhir?.timeoutMs, 4000);
  const issues = (v: unknown) =>
    schedulingSchema.safeParse(v).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  assert.deepEqual(issues({ system: 'fhir' }), ['fhir: system fhir needs a fhir: section (baseUrl)']);
  assert.deepEqual(issues({ system: 'fhir', fhir: { baseUrl: 'https://ehr.example.org/fhir' } }), [
    'fhir.clientId: SMART backend auth needs a clientId',
  ]);
  assert.deepEqual(issues({ system: 'fhir', fhir: { baseUrl: 'http://127.0.0.1:1/fhir', auth: 'none' } }), []);
  assert.equal(issues({ system: 'epic' }).length, 1);
  assert.deepEqual(issues({ system: 'fhir', fhir: { baseUrl: 'http://ehr.example.org/fhir', auth: 'none' } }), [
    'fhir.baseUrl: must be https:// (plain http only to 127.0.0.1 or localhost)',
  ]);
  assert.deepEqual(
    issues({
      system: 'fhir',
      fhir: { baseUrl: 'https://ehr.example.org/fhir', clientId: 'x', tokenUrl: 'http://10.0.0.5/token' },
    }),
    ['fhir.tokenUrl: must be https:// (plain http only to 127.0.0.1 or localhost)'],
  );
});

test('FHIR_ALLOWED_ORIGINS: origins only; settings naming another origin are named, unset allows any', () => {
  const env = z.object(fhirAllowedOriginsEnv);
  assert.equal(env.parse({}).FHIR_ALLOWED_ORIGINS, undefined);
  assert.equal(env.parse({ FHIR_ALLOWED_ORIGINS: ' ' }).FHIR_ALLOWED_ORIGINS, undefined);
  assert.deepEqual(
    env.parse({ FHIR_ALLOWED_ORIGINS: 'https://ehr.example.org, https://auth.example.org:8443/ http://127.0.0.1:9' })
      .FHIR_ALLOWED_ORIGINS,
    ['https://ehr.example.org', 'https://auth.example.org:8443', 'http://127.0.0.1:9'],
  );
  for (const bad of ['https://ehr.example.org/fhir', 'http://ehr.example.org', 'ehr.example.org'])
    assert.match(
      env.safeParse({ FHIR_ALLOWED_ORIGINS: bad }).error?.issues[0]?.message ?? '',
      /is not an origin like https:\/\/ehr\.example\.org/,
      bad,
    );
  const settings = schedulingSchema.parse({
    system: 'fhir',
    fhir: { baseUrl: 'https://ehr.example.org/fhir/r4', clientId: 'v', tokenUrl: 'https://idp.example.net/token' },
  });
  assert.deepEqual(fhirUrlsNotAllowed(settings.fhir, undefined), []);
  assert.deepEqual(fhirUrlsNotAllowed(settings.fhir, ['https://ehr.example.org', 'https://idp.example.net']), []);
  assert.deepEqual(fhirUrlsNotAllowed(settings.fhir, ['https://ehr.example.org']), ['https://idp.example.net/token']);
  // another port or scheme is another origin
  assert.deepEqual(fhirUrlsNotAllowed(settings.fhir, ['https://ehr.example.org:8443', 'https://idp.example.net']), [
    'https://ehr.example.org/fhir/r4',
  ]);
  assert.deepEqual(fhirUrlsNotAllowed(schedulingSchema.parse({}).fhir, ['https://ehr.example.org']), []);
});
