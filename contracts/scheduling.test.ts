import assert from 'node:assert/strict';
import { test } from 'vitest';
import { schedulingSchema } from './src/scheduling.ts';

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
