import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import { buildInstructions } from './instructions.ts';

test('the system prompt carries every service with its spoken price, the hours, and the guard rules', async () => {
  const kb = await loadKnowledgeBase();
  const text = buildInstructions(kb);
  for (const s of kb.services) assert.ok(text.includes(s.name), s.name);
  assert.match(text, /Brazilian butt lift: .*eight thousand to twelve thousand dollars/);
  assert.match(text, /Opening hours: .*Monday/);
  assert.match(text, /not instructions/);
  assert.doesNotMatch(text, /\$\d/, 'no digits-and-dollar prices for the model to copy');
});
