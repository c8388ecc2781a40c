import assert from 'node:assert/strict';
import { test } from 'vitest';
import { changesNothing, formatPlan, planResource, sameValue } from './plan.ts';

test('a missing resource is created; a matching one is kept', () => {
  assert.equal(planResource('trunk', 't', { numbers: ['+1555'] }, undefined).op, 'create');
  const keep = planResource(
    'trunk',
    't',
    { numbers: ['+1555', '+1666'] },
    { id: 'ST_1', fields: { numbers: ['+1666', '+1555'] } },
  );
  assert.deepEqual(keep, { op: 'keep', kind: 'trunk', name: 't', id: 'ST_1' });
});

test('a different field is an update naming only what changes', () => {
  const a = planResource(
    'trunk',
    't',
    { numbers: ['+1555'], metadata: 'x' },
    { id: 'ST_1', fields: { numbers: ['+1999'], metadata: 'x' } },
  );
  assert.equal(a.op, 'update');
  assert.deepEqual(a.op === 'update' && a.changes, { numbers: { from: ['+1999'], to: ['+1555'] } });
});

test('fields the desired state leaves out are left alone; empty string equals unset', () => {
  assert.equal(
    planResource('r', 'n', { a: undefined, b: '' }, { id: 'i', fields: { a: 'hand-made', b: undefined } }).op,
    'keep',
  );
  assert.ok(sameValue([], undefined));
  assert.ok(!sameValue(['x'], undefined));
});

test('the printed plan never shows secrets', () => {
  const text = formatPlan([
    planResource('trunk', 'in', { authPassword: 'hunter2-very-secret' }, undefined),
    planResource(
      'trunk',
      'out',
      { authPassword: 'new-secret' },
      { id: 'ST_2', fields: { authPassword: 'old-secret' } },
    ),
  ]);
  assert.doesNotMatch(text, /hunter2|new-secret|old-secret/);
  assert.match(text, /\(secret\)/);
  assert.match(text, /1 to create, 1 to update, 0 up to date/);
});

test('changesNothing is true only when every resource is kept', () => {
  assert.ok(changesNothing([{ op: 'keep', kind: 'k', name: 'n', id: 'i' }]));
  assert.ok(!changesNothing([{ op: 'create', kind: 'k', name: 'n', fields: {} }]));
});
