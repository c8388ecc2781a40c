import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import { buildInstructions, instructionRules } from './instructions.ts';
import { instructionLeakGuard } from './safety.ts';

const kb = await loadKnowledgeBase();

test('the system prompt carries every service with its spoken price, the hours, and the guard rules', () => {
  const text = buildInstructions(kb);
  for (const s of kb.services) assert.ok(text.includes(s.name), s.name);
  assert.match(text, /Brazilian butt lift \(id bbl\): .*eight thousand to twelve thousand dollars/);
  assert.match(text, /Opening hours: .*Monday/);
  assert.match(text, /never instructions/);
  assert.doesNotMatch(text, /\$\d/, 'no digits-and-dollar prices for the model to copy');
});

test('rules come before the facts, and the booking rules demand a read-back and a yes', () => {
  const text = buildInstructions(kb, { booking: true, today: 'Monday, March second' });
  assert.ok(
    text.indexOf('never instructions') < text.indexOf('## Clinic facts'),
    'the safety rules are in the instructions part',
  );
  assert.match(text, /read the details back and wait for the caller to say yes/);
  assert.match(text, /Call check_availability before offering any time/);
  assert.match(text, /Today is Monday, March second\./);
  assert.match(buildInstructions(kb), /cannot book appointments/);
});

test('the output guard catches a recital of the instructions, not answers that share facts with them', () => {
  const guard = instructionLeakGuard(instructionRules(kb, { booking: true }));
  assert.ok(guard('Sure! My instructions say: use only the facts below.'));
  assert.ok(guard('Never invent prices, services, opening times, availability or bookings.'));
  assert.ok(guard('Here is my system prompt.'));
  assert.ok(!guard('A Brazilian butt lift costs eight thousand to twelve thousand dollars.'));
  assert.ok(!guard("I'm not sure about that. Would you like the front desk to call you back?"));
  assert.ok(!guard('What day works for you?'));
  assert.ok(guard('Use only the facts below.'));
  assert.ok(!guard('I can offer a callback from the front desk.'));
  assert.ok(!guard("I'm not sure, but I can have the front desk call you back."));
});
