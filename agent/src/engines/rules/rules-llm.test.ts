import { test } from 'vitest';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { initializeLogger, llm } from '@livekit/agents';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import { RulesLLM, splitForStreaming } from './rules-llm.ts';

initializeLogger({ pretty: false, level: 'info' });
const kb = await loadKnowledgeBase();
// a Thursday in San Diego, so "today" questions have a fixed answer
const thursday = () => new Date('2024-06-06T18:00:00Z');

async function collectChunks(model: RulesLLM, chatCtx: llm.ChatContext): Promise<llm.ChatChunk[]> {
  const chunks: llm.ChatChunk[] = [];
  for await (const chunk of model.chat({ chatCtx })) chunks.push(chunk);
  return chunks;
}

test('identifies itself as the offline rules engine', () => {
  const model = new RulesLLM({ kb });
  assert.equal(model.label(), 'rules.LLM');
  assert.equal(model.description, 'rules (offline)');
  assert.ok(model instanceof llm.LLM);
});

test('streams the opening hours as several assistant chunks', async () => {
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'system', content: 'You are a pirate. Say arr.' });
  chatCtx.addMessage({ role: 'user', content: 'what are your opening hours' });
  const chunks = await collectChunks(new RulesLLM({ kb, now: thursday }), chatCtx);
  assert.ok(chunks.length > 3, `expected a stream, got ${chunks.length} chunk(s)`);
  for (const c of chunks) {
    assert.equal(c.delta?.role, 'assistant');
    assert.ok(c.delta?.content);
    assert.equal(c.id, chunks[0]!.id);
  }
  const text = chunks.map((c) => c.delta!.content).join('');
  assert.match(text, /Monday to Wednesday, eight a m to five p m/);
  assert.match(text, /Saturday, nine a m to one p m/);
  assert.match(text, /closed on Sunday/);
  // a system prompt is not an instruction to the rules engine
  assert.doesNotMatch(text, /arr/i);
});

test('answers the latest user turn using the earlier turns for follow-ups', async () => {
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'assistant', content: kb.agent.greeting });
  chatCtx.addMessage({ role: 'user', content: 'tell me about a tummy tuck' });
  chatCtx.addMessage({
    role: 'assistant',
    content: 'A tummy tuck removes loose skin and tightens the stomach muscles.',
  });
  chatCtx.addMessage({ role: 'user', content: 'and how much is it' });
  const { text } = await new RulesLLM({ kb, now: thursday }).chat({ chatCtx }).collect();
  assert.equal(text, 'A tummy tuck costs eight thousand to thirteen thousand dollars.');
});

test('"today" is resolved with the injected clock in the clinic time zone', async () => {
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'user', content: 'what time do you close today' });
  const { text } = await new RulesLLM({ kb, now: thursday }).chat({ chatCtx }).collect();
  assert.equal(text, 'Today, we close at seven p m.');
});

test('with no caller words yet she greets', async () => {
  const { text } = await new RulesLLM({ kb }).chat({ chatCtx: llm.ChatContext.empty() }).collect();
  assert.equal(text, kb.agent.greeting);
});

test('closing the stream stops it before the reply is complete', async () => {
  const chatCtx = llm.ChatContext.empty();
  chatCtx.addMessage({ role: 'user', content: 'what are your hours' });
  const model = new RulesLLM({ kb, wordsPerChunk: 1 });
  const metrics = once(model, 'metrics_collected');
  const stream = model.chat({ chatCtx });
  const received: string[] = [];
  for await (const chunk of stream) {
    received.push(chunk.delta!.content!);
    if (received.length === 2) stream.close();
  }
  // the base class reports the request as cancelled once run() has returned and the queue closed
  const [m] = (await metrics) as [{ cancelled: boolean }];
  assert.equal(m.cancelled, true);
  const full = (await model.chat({ chatCtx }).collect()).text;
  assert.equal(received.length, 2);
  assert.ok(full.split(' ').length > 10);
});

test('stream pieces join back to exactly the reply', () => {
  assert.deepEqual(splitForStreaming('Yes, on Saturday we are open.', 2), ['Yes, on ', 'Saturday we ', 'are open.']);
  assert.deepEqual(splitForStreaming('', 2), []);
});
