import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, test } from 'vitest';
import {
  APIConnectionError,
  type APIConnectOptions,
  APIError,
  APIStatusError,
  APITimeoutError,
  initializeLogger,
  llm,
} from '@livekit/agents';
import { z } from 'zod';
import { type FakeGroq, splitIntoTokens, startFakeGroq } from '../../../../test/fakes/groq/fake-groq.ts';
import { createGroqLLM, GroqLLM, type GroqLLMOptions, type GroqLLMStream } from './groq-llm.ts';

// Every test runs groq-sdk's real HTTP and SSE code against the local fake Groq.

const RETRY_FAST: APIConnectOptions = { maxRetry: 2, retryIntervalMs: 1, timeoutMs: 5000 };

let fake: FakeGroq;

beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'error' });
  fake = await startFakeGroq();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

type LLMError = Parameters<llm.LLMCallbacks['error']>[0];

interface Harness {
  model: GroqLLM;
  /** what the LLM reported through its 'error' event, as AgentSession would see it */
  errors: LLMError[];
}

function groq(opts: Partial<GroqLLMOptions> = {}): Harness {
  const model = new GroqLLM({ apiKey: fake.apiKey, baseURL: fake.baseURL, ...opts });
  const errors: LLMError[] = [];
  // the base class retries only when someone listens: with no listener its emit('error') throws
  model.on('error', (e) => errors.push(e));
  return { model, errors };
}

function conversation(): llm.ChatContext {
  const ctx = llm.ChatContext.empty();
  ctx.addMessage({ role: 'system', content: 'You are the receptionist of Elm Street Clinic.' });
  ctx.addMessage({ role: 'user', content: 'Hi, are you open on Saturday?' });
  ctx.addMessage({ role: 'assistant', content: 'Yes, from nine to noon.' });
  ctx.addMessage({ role: 'user', content: 'Can I come in at ten?' });
  return ctx;
}

interface Drained {
  chunks: llm.ChatChunk[];
  text: string;
  calls: llm.FunctionCall[];
  usage: llm.CompletionUsage | undefined;
}

/**
 * The base class's last act for a stream. (events.once would reject on the 'error' events
 * these tests provoke.)
 */
function metricsOf(model: GroqLLM): Promise<{ cancelled: boolean }> {
  return new Promise((resolve) => model.once('metrics_collected', resolve));
}

/** Reads the stream to its end and waits for the base class to finish with it. */
async function drain(model: GroqLLM, stream: GroqLLMStream): Promise<Drained> {
  const finished = metricsOf(model);
  const chunks: llm.ChatChunk[] = [];
  for await (const c of stream) chunks.push(c);
  await finished;
  return {
    chunks,
    text: chunks.map((c) => c.delta?.content ?? '').join(''),
    calls: chunks.flatMap((c) => c.delta?.toolCalls ?? []),
    usage: chunks.find((c) => c.usage)?.usage,
  };
}

test('streams the reply in order, in several chunks, and reports usage', async () => {
  const reply = 'Ten works. May I have your name and date of birth, please?';
  fake.script({ content: reply });
  const { model, errors } = groq();
  const stream = model.chat({ chatCtx: conversation() });
  const out = await drain(model, stream);
  const textChunks = out.chunks.filter((c) => c.delta?.content);
  assert.deepEqual(
    textChunks.map((c) => c.delta?.content),
    splitIntoTokens(reply),
  );
  assert.ok(textChunks.length > 5);
  assert.equal(out.text, reply);
  assert.equal(out.usage?.completionTokens, textChunks.length);
  assert.ok((out.usage?.promptTokens ?? 0) > 0);
  assert.deepEqual(errors, []);
  assert.equal(stream.error, undefined);
});

test('the request carries the model, settings, system prompt and the conversation in order', async () => {
  const { model } = groq({ temperature: 0.3, maxTokens: 120 });
  await drain(model, model.chat({ chatCtx: conversation() }));
  const rec = fake.requests.at(-1);
  assert.equal(rec?.model, 'llama-3.1-8b-instant');
  assert.equal(rec?.stream, true);
  assert.equal(rec?.temperature, 0.3);
  assert.equal(rec?.maxTokens, 120);
  assert.equal(rec?.tools, undefined);
  assert.deepEqual(rec?.messages, [
    { role: 'system', content: 'You are the receptionist of Elm Street Clinic.' },
    { role: 'user', content: 'Hi, are you open on Saturday?' },
    { role: 'assistant', content: 'Yes, from nine to noon.' },
    { role: 'user', content: 'Can I come in at ten?' },
  ]);
});

test('defaults: llama-3.1-8b-instant, 200 max tokens, no temperature sent', async () => {
  const { model } = groq();
  await drain(model, model.chat({ chatCtx: conversation() }));
  const rec = fake.requests.at(-1);
  assert.equal(rec?.maxTokens, 200);
  assert.equal('temperature' in (rec?.body ?? {}), false);
  assert.equal(model.model, 'llama-3.1-8b-instant');
  assert.equal(model.provider, 'groq');
});

test('a tool call whose arguments arrive in fragments is assembled into one FunctionCall', async () => {
  const args = { date: '2025-03-15', time: '10:00', reason: 'annual check-up' };
  fake.script({ content: 'Let me book that.', toolCalls: [{ name: 'book_appointment', arguments: args }] });
  const { model, errors } = groq();
  const toolCtx = {
    book_appointment: llm.tool({
      description: 'Book a visit.',
      parameters: z.object({ date: z.string(), time: z.string(), reason: z.string().optional() }),
      execute: async () => 'booked',
    }),
  };
  const out = await drain(model, model.chat({ chatCtx: conversation(), toolCtx, toolChoice: 'auto' }));
  assert.equal(out.text, 'Let me book that.');
  assert.equal(out.calls.length, 1);
  const call = out.calls[0]!;
  assert.equal(call.type, 'function_call');
  assert.equal(call.name, 'book_appointment');
  assert.match(call.callId, /^call_/);
  assert.deepEqual(JSON.parse(call.args), args);
  assert.deepEqual(errors, []);

  const rec = fake.requests.at(-1);
  assert.ok((rec?.tokensSent ?? 0) > splitIntoTokens('Let me book that.').length + 3, 'arguments were fragmented');
  assert.equal(rec?.tools?.[0]?.function.name, 'book_appointment');
  assert.deepEqual(Object.keys(rec?.tools?.[0]?.function.parameters?.properties as object), ['date', 'time', 'reason']);
  assert.equal(rec?.toolChoice, 'auto');
});

test('a finished tool round trip is sent back as assistant tool_calls plus a tool message', async () => {
  const ctx = conversation();
  ctx.insert(llm.FunctionCall.create({ callId: 'call_7', name: 'check_slot', args: '{"time":"10:00"}' }));
  ctx.insert(llm.FunctionCallOutput.create({ callId: 'call_7', output: 'free', isError: false }));
  const { model, errors } = groq();
  await drain(model, model.chat({ chatCtx: ctx }));
  assert.deepEqual(errors, [], 'the fake rejects unpaired calls with 400, as Groq does');
  assert.deepEqual(fake.requests.at(-1)?.messages.slice(-2), [
    {
      role: 'assistant',
      tool_calls: [{ id: 'call_7', type: 'function', function: { name: 'check_slot', arguments: '{"time":"10:00"}' } }],
    },
    { role: 'tool', tool_call_id: 'call_7', content: 'free' },
  ]);
});

test('the first chunk is delivered while Groq still generates; closing the stream hangs up the request', async () => {
  fake.script({ content: 'Good morning, Elm Street Clinic, how can I help?' });
  fake.inject({ kind: 'stall', afterTokens: 1, ms: 60_000 });
  const { model, errors } = groq({ timeoutMs: 60_000 });
  const finished = metricsOf(model);
  const stream = model.chat({ chatCtx: conversation() });
  const first = await stream.next();
  assert.equal(first.value?.delta?.content, 'Good');
  const rec = fake.requests.at(-1)!;
  assert.equal(rec.tokensSent, 1);
  assert.equal(rec.completed, false);

  stream.close();
  const hung = await fake.waitForHangup(rec.seq);
  assert.equal(hung.hungUp, true);
  assert.equal((await finished).cancelled, true);
  assert.deepEqual(errors, [], 'closing is not a failure');
  assert.equal(stream.error, undefined);
  assert.equal(fake.requests.length, rec.seq, 'and nothing is retried');
});

test('401 is final: one request, non-retryable APIStatusError', async () => {
  const { model, errors } = groq({ apiKey: 'gsk_wrong' });
  const before = fake.requests.length;
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const out = await drain(model, stream);
  assert.equal(out.text, '');
  assert.equal(fake.requests.length, before + 1);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.recoverable, false);
  const err = stream.error;
  assert.ok(err instanceof APIStatusError);
  assert.equal(err.statusCode, 401);
  assert.equal(err.retryable, false);
  assert.match(err.message, /401 \(invalid_api_key\): Invalid API Key/);
});

test('400 is final too', async () => {
  fake.inject({ kind: 'http-error', status: 400, times: 5 });
  const { model, errors } = groq();
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const before = fake.requests.length;
  await drain(model, stream);
  assert.equal(fake.requests.length - before, 1);
  assert.ok(stream.error instanceof APIStatusError);
  assert.equal(stream.error.statusCode, 400);
  assert.equal(errors.map((e) => e.recoverable).join(), 'false');
});

test('429 then success: retried by the base class and the reply arrives once', async () => {
  fake.inject({ kind: 'http-error', status: 429, retryAfterSeconds: 2 });
  fake.script({ content: 'Sure, ten it is.' });
  const { model, errors } = groq();
  const before = fake.requests.length;
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const out = await drain(model, stream);
  assert.equal(out.text, 'Sure, ten it is.');
  assert.equal(fake.requests.length - before, 2);
  assert.equal(fake.requests.at(-2)?.status, 429);
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.recoverable, true);
  const first = errors[0]?.error;
  assert.ok(first instanceof APIStatusError);
  assert.equal(first.statusCode, 429);
  assert.equal(first.retryable, true);
  assert.match(first.message, /retry-after 2 s/);
  assert.equal(stream.error, undefined, 'the stream ended well');
});

test('500 on every attempt surfaces after maxRetry + 1 requests', async () => {
  fake.inject({ kind: 'http-error', status: 500, times: 10 });
  const { model, errors } = groq();
  const before = fake.requests.length;
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const out = await drain(model, stream);
  assert.equal(out.text, '');
  assert.equal(fake.requests.length - before, RETRY_FAST.maxRetry + 1);
  assert.deepEqual(
    errors.map((e) => e.recoverable),
    [true, true, false],
  );
  assert.ok(stream.error instanceof APIStatusError);
  assert.equal(stream.error.statusCode, 500);
});

test('a disconnect after text was delivered surfaces at once and is not retried into duplicate text', async () => {
  const reply = 'Let me check the calendar for you.';
  fake.script({ content: reply });
  fake.inject({ kind: 'disconnect', afterTokens: 3 });
  const { model, errors } = groq();
  const before = fake.requests.length;
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const out = await drain(model, stream);
  assert.equal(out.text, splitIntoTokens(reply).slice(0, 3).join(''));
  assert.equal(fake.requests.length - before, 1);
  assert.ok(stream.error instanceof APIConnectionError);
  assert.equal(stream.error.retryable, false);
  assert.deepEqual(
    errors.map((e) => e.recoverable),
    [false],
  );
});

test('a disconnect before any text is retried and the retry succeeds', async () => {
  fake.inject({ kind: 'disconnect', afterTokens: 0 });
  fake.script({ content: 'Second time lucky.' }, { content: 'Second time lucky.' });
  const { model, errors } = groq();
  const before = fake.requests.length;
  const out = await drain(model, model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST }));
  assert.equal(out.text, 'Second time lucky.');
  assert.equal(fake.requests.length - before, 2);
  assert.deepEqual(
    errors.map((e) => [e.error.constructor.name, e.recoverable]),
    [['APIConnectionError', true]],
  );
});

test('a stall after text times out per timeoutMs, hangs up, and is not retried', async () => {
  const reply = 'One moment while I look that up.';
  fake.script({ content: reply });
  fake.inject({ kind: 'stall', afterTokens: 2, ms: 60_000 });
  const { model, errors } = groq({ timeoutMs: 300 });
  const before = fake.requests.length;
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const out = await drain(model, stream);
  assert.equal(out.text, splitIntoTokens(reply).slice(0, 2).join(''));
  assert.equal(fake.requests.length - before, 1);
  assert.ok(stream.error instanceof APITimeoutError);
  assert.match(stream.error.message, /nothing for 300 ms/);
  assert.equal(stream.error.retryable, false);
  assert.equal(errors.length, 1);
  await fake.waitForHangup(before + 1);
});

test('a stall before any text times out and is retried', async () => {
  fake.inject({ kind: 'stall', afterTokens: 0, ms: 60_000 });
  fake.script({ content: 'Lost you for a second.' }, { content: 'Lost you for a second.' });
  const { model, errors } = groq({ timeoutMs: 300 });
  const before = fake.requests.length;
  const out = await drain(model, model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST }));
  assert.equal(out.text, 'Lost you for a second.');
  assert.equal(fake.requests.length - before, 2);
  assert.ok(errors[0]?.error instanceof APITimeoutError);
  assert.equal(errors[0]?.recoverable, true);
});

test('a malformed stream event gives a clear error and keeps the text already delivered', async () => {
  fake.script({ content: 'Your appointment is confirmed.' });
  fake.inject({ kind: 'malformed', afterTokens: 2 });
  const { model, errors } = groq();
  const before = fake.requests.length;
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const out = await drain(model, stream);
  assert.equal(out.text, splitIntoTokens('Your appointment is confirmed.').slice(0, 2).join(''));
  assert.equal(fake.requests.length - before, 1);
  const err = stream.error;
  assert.ok(err instanceof APIError);
  assert.match(err.message, /not valid JSON/);
  assert.ok(err.cause instanceof SyntaxError);
  assert.equal(err.retryable, false);
  assert.equal(errors.length, 1);
});

test("with no 'error' listener (a caller iterating the stream) stream.error still says why it stopped", async () => {
  const model = new GroqLLM({ apiKey: 'gsk_wrong', baseURL: fake.baseURL });
  const stream = model.chat({ chatCtx: conversation(), connOptions: RETRY_FAST });
  const finished = metricsOf(model);
  let text = '';
  for await (const c of stream) text += c.delta?.content ?? '';
  await finished;
  assert.equal(text, '');
  assert.ok(stream.error instanceof APIStatusError);
  assert.equal(stream.error.statusCode, 401);
});

test('createGroqLLM returns the LLM and a one-line description', () => {
  const made = createGroqLLM({ apiKey: 'gsk_x', baseURL: fake.baseURL });
  assert.ok(made.llm instanceof GroqLLM);
  assert.equal(made.info, 'groq llama-3.1-8b-instant');
  assert.equal(
    createGroqLLM({ apiKey: 'gsk_x', model: 'llama-3.3-70b-versatile' }).info,
    'groq llama-3.3-70b-versatile',
  );
  assert.throws(() => createGroqLLM({ apiKey: '' }), /apiKey/);
  assert.throws(() => new GroqLLM({ apiKey: 'k', maxTokens: 0 }), RangeError);
});
