import { test } from 'vitest';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { DEFAULT_KB_PATH, loadKnowledgeBase, parseKnowledgeBase, KnowledgeBaseError } from './kb.ts';

test('the shipped clinic knowledge base is valid', async () => {
  const kb = await loadKnowledgeBase();
  assert.equal(kb.clinic.name, 'Riverside Aesthetic Surgery');
  assert.ok(kb.services.some((s) => s.id === 'bbl'));
  assert.equal(kb.hours.sunday, 'closed');
});

test('invalid data is rejected with the path of each problem', async () => {
  const text = (await readFile(DEFAULT_KB_PATH, 'utf8'))
    .replace('open: "08:00", close: "17:00" }', 'open: "8am", close: "17:00" }')
    .replace('price: { min: 8000, max: 12000 }', 'price: { min: 12000, max: 8000 }');
  assert.throws(
    () => parseKnowledgeBase(text, 'clinic.yaml'),
    (e: unknown) => {
      assert.ok(e instanceof KnowledgeBaseError);
      assert.match(e.message, /hours\.monday/);
      assert.match(e.message, /services\.0\.price: price\.min must not exceed price\.max/);
      return true;
    },
  );
});

test('malformed YAML gives a clear error', () => {
  assert.throws(() => parseKnowledgeBase('clinic: [unclosed', 'x.yaml'), /x\.yaml: not valid YAML/);
});

test('two services marked as the consultation are rejected, naming the second and the first', async () => {
  const text = (await readFile(DEFAULT_KB_PATH, 'utf8')).replace(
    'recovery: no downtime\n',
    'recovery: no downtime\n    consultation: true\n',
  );
  assert.throws(
    () => parseKnowledgeBase(text, 'clinic.yaml'),
    (e: unknown) => {
      assert.ok(e instanceof KnowledgeBaseError);
      assert.match(
        e.message,
        /services\.\d+\.consultation: only one service can be the consultation; "botox" already is/,
      );
      return true;
    },
  );
});
