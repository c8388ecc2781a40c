import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'vitest';
import { KB_PATH } from '../records/testing.ts';
import { withConsultationFlag } from './tenants.ts';

test('the consultation flag goes in as one line of the service, the rest of the YAML as it was', async () => {
  const shipped = await readFile(KB_PATH, 'utf8');
  const old = shipped.replace(/^\s*consultation: true\n/m, '');
  assert.notEqual(old, shipped);
  assert.equal(withConsultationFlag(old, 8), shipped, 'comments, alignment and flow lists kept');
  assert.equal(
    withConsultationFlag('services:\n  - id: a\n    name: A\n  - id: consultation\n    name: C', 1),
    'services:\n  - id: a\n    name: A\n  - id: consultation\n    name: C\n    consultation: true\n',
  );
});

test('a service written as a flow map is written out afresh, flag included', () => {
  assert.equal(
    withConsultationFlag('services: [{id: a}, {id: consultation}]', 1),
    'services: [ { id: a }, { id: consultation, consultation: true } ]\n',
  );
});
