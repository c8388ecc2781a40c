/**
 * The naturalness suite in tests: against the Groq fake (groq-sdk, streaming, tool calls) whose
 * answers are raw model text the humanizer has to fix, and proof that the checks can fail.
 */
import { initializeLogger } from '@livekit/agents';
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { startFakeGroq, type FakeGroq } from '../test/fakes/groq/fake-groq.ts';
import { GroqLLM } from '../agent/src/engines/groq/groq-llm.ts';
import { RulesLLM } from '../agent/src/engines/rules/rules-llm.ts';
import { loadKnowledgeBase } from '../agent/src/knowledge/kb.ts';
import { checkReply, CHECK_NAMES, type ReplyContext } from './checks.ts';
import { fakeGroqBrain } from './fake-groq-brain.ts';
import { rawLlmText } from './raw-llm-text.ts';
import { SCENARIO_NOW, SCENARIOS } from './scenarios.ts';
import { runSuite } from './suite.ts';

initializeLogger({ pretty: false, level: 'warn' });
const kb = await loadKnowledgeBase();
let fake: FakeGroq;

beforeAll(async () => {
  fake = await startFakeGroq({ responder: fakeGroqBrain(kb, () => SCENARIO_NOW) });
});
afterAll(async () => {
  await fake.close();
});

const noFacts = () => ({ times: new Set<string>(), numbers: new Set<number>() });

test("at least twenty scenarios, the customer's BBL question among them", () => {
  assert.ok(SCENARIOS.length >= 20);
  assert.ok(SCENARIOS.some((s) => s.turns.some((t) => /Do you do BBL\?/.test(t))));
  for (const kind of [
    'booking',
    'reschedule',
    'cancel',
    'unknown-question',
    'caller-name',
    'rude',
    'off-topic',
    'injection',
    'pricing',
    'hours',
  ]) {
    assert.ok(
      SCENARIOS.some((s) => s.id === kind),
      kind,
    );
  }
});

test('against the Groq fake, raw model text ($8,000, 10:00 AM, long sentences) is humanized to ≥ 95%', async () => {
  const report = await runSuite(kb, new GroqLLM({ apiKey: fake.apiKey, baseURL: fake.baseURL }), 'groq');
  const failures = report.results.flatMap((s) =>
    s.turns.flatMap((t) =>
      t.checks.filter((c) => !c.pass).map((c) => `${s.id}: ${c.check}: ${c.detail} — "${t.reply}"`),
    ),
  );
  assert.ok(report.pass_rate >= 0.95, `pass rate ${report.pass_rate}:\n${failures.join('\n')}`);
  assert.equal(report.scenarios, SCENARIOS.length);
  assert.ok(
    report.results.every((s) => !s.error),
    report.results
      .map((s) => s.error)
      .filter(Boolean)
      .join('; '),
  );
  // the fake really sent raw text: digits and dollar signs reached the humanizer
  const bbl = report.results.find((s) => s.id === 'bbl')!;
  assert.match(bbl.turns[2]!.raw, /\$8,000-\$12,000/);
  assert.match(bbl.turns[2]!.reply, /eight thousand to twelve thousand dollars/);
  // and the tools were called through the stream: the booking scenario booked
  const booking = report.results.find((s) => s.id === 'booking')!;
  assert.match(booking.turns.at(-1)!.reply, /You're all set for tomorrow at ten a m\./);
  assert.ok(
    fake.requests.some((r) => r.messages.some((m) => m.role === 'tool')),
    'tool results went back to the model',
  );
});

test('offline, the rules brain passes at least 95%', async () => {
  const report = await runSuite(kb, new RulesLLM({ kb, now: () => SCENARIO_NOW }), 'offline');
  assert.ok(report.pass_rate >= 0.95, `pass rate ${report.pass_rate}`);
  assert.equal(report.engine, 'offline');
});

test('the checks fail on bad replies', () => {
  const ctx: ReplyContext = { kb, nameJustGiven: false, toolFacts: noFacts() };
  const failed = (reply: string, c = ctx) =>
    checkReply(reply, c)
      .filter((r) => !r.pass)
      .map((r) => r.check);
  assert.deepEqual(
    failed('Our Brazilian butt lift moves fat from the waist or thighs to shape the buttocks beautifully. Call us.'),
    ['Short Sentences'],
  );
  assert.deepEqual(failed('It costs $8,000. Call us.'), ['Numbers as Words']);
  assert.deepEqual(failed('We are open today. We do not close early.'), ['Contractions']);
  assert.deepEqual(failed("We're open , today. Call us ,please."), ['Punctuation Spacing']);
  assert.deepEqual(failed("We're open."), ['Response Length']);
  assert.deepEqual(failed('One. Two. Three. Four. Five.'), ['Response Length']);
  assert.deepEqual(failed("Sure. It's about a week.", { ...ctx, callerName: 'Sarah', nameJustGiven: true }), [
    'Direct Address',
  ]);
  assert.deepEqual(
    failed("Sure, Sarah. Sarah, it's about a week.", { ...ctx, callerName: 'Sarah', nameJustGiven: false }),
    ['Direct Address'],
  );
  assert.deepEqual(failed("Um, well, you know, it's about a week. Okay?"), ['Filler Frequency']);
  assert.deepEqual(failed("A facelift costs five thousand dollars. It's quick."), ['No Invented Facts']);
  assert.deepEqual(failed("Yes, we do hair transplants. They're popular."), ['No Invented Facts']);
  assert.deepEqual(failed("We're open until nine p m. Come by."), ['No Invented Facts']);
  // and pass on good ones
  assert.deepEqual(
    failed(
      'Absolutely, Sarah! A Brazilian butt lift costs eight thousand to twelve ' +
        'thousand dollars. Recovery is about two weeks. Want me to check Tuesday?',
      { ...ctx, callerName: 'Sarah', nameJustGiven: true },
    ),
    [],
  );
  assert.deepEqual(failed("We don't offer hair transplants. Anything else I can help with?"), []);
  assert.equal(CHECK_NAMES.length, 8);
});

test('raw model text really is raw before the humanizer', () => {
  const raw = rawLlmText(
    "A tummy tuck costs eight thousand to thirteen thousand dollars. We're open at " +
      'ten a m. Anything else I can help with?',
    true,
  );
  assert.equal(
    raw,
    'Great question! A tummy tuck costs $8,000-$13,000, and we are open at 10:00 AM .  Anything else I can help with?',
  );
});
