import { test } from 'vitest';
import assert from 'node:assert/strict';
import { defaultAgentLines, silencePrompt } from './agent-lines.ts';

test('prompts step through the list and then repeat the last', () => {
  const lines = defaultAgentLines('Riverside Aesthetic Surgery');
  assert.equal(silencePrompt(lines, 1), 'Are you still there?');
  assert.match(silencePrompt(lines, 2), /anything else/);
  assert.equal(silencePrompt(lines, 5), silencePrompt(lines, 2));
  assert.match(lines.goodbye, /Riverside Aesthetic Surgery/);
});
