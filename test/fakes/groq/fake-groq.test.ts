import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, test } from 'vitest';
import Groq from 'groq-sdk';
import { DEFAULT_REPLY, type FakeGroq, startFakeGroq } from './fake-groq.ts';
import { splitIntoTokens } from './wire.ts';

// The fake is only useful if groq-sdk's own parsing accepts what it sends, so these checks go
// through the real SDK (with its retries off, so every request is visible) or read the raw bytes.

let fake: FakeGroq;
let client: Groq;

beforeAll(async () => {
  fake = await startFakeGroq();
  client = new Groq({ apiKey: fake.apiKey, baseURL: fake.baseURL, maxRetries: 0, logLevel: 'off' });
});
afterAll(() => fake.close());
beforeEach(() => fake.clearFaults());

async function rawStream(body: Record<string, unknown>): Promise<{ events: string[]; headers: Headers }> {
  const res = await fetch(`${fake.baseURL}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'llama-3.1-8b-instant',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      ...body,
    }),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const text = await res.text();
  const events = text.split('\n\n').filter(Boolean);
  for (const e of events) assert.match(e, /^data: /);
  return { events: events.map((e) => e.slice('data: '.length)), headers: res.headers };
}

test('splitIntoTokens keeps the text exact and cuts long words into pieces', () => {
  const text = '  Your appointment with Dr. Okonkwo-Smith is confirmed.  ';
  const tokens = splitIntoTokens(text);
  assert.equal(tokens.join(''), text);
  assert.ok(tokens.length > text.trim().split(/\s+/).length, 'long words are split');
  assert.deepEqual(splitIntoTokens(''), []);
});

test('non-streaming completion through groq-sdk returns the scripted reply, usage and x_groq', async () => {
  fake.script({ content: 'We open at nine.' });
  const res = await client.chat.completions.create({
    model: 'llama-3.1-8b-instant',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'When do you open?' },
    ],
    temperature: 0.2,
  });
  assert.equal(res.choices[0]?.message.content, 'We open at nine.');
  assert.equal(res.choices[0]?.finish_reason, 'stop');
  assert.equal(res.usage?.completion_tokens, splitIntoTokens('We open at nine.').length);
  assert.match(res.x_groq?.id ?? '', /^req_/);
  const rec = fake.requests.at(-1);
  assert.equal(rec?.stream, false);
  assert.equal(rec?.temperature, 0.2);
  assert.deepEqual(
    rec?.messages.map((m) => m.role),
    ['system', 'user'],
  );
});

test('stream wire format: role chunk, one content piece per event, final chunk with x_groq.usage, [DONE]', async () => {
  fake.script({ content: 'Hello there, this is the clinic.' });
  const { events, headers } = await rawStream({});
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  for (const c of chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.model, 'llama-3.1-8b-instant');
    assert.equal(c.id, chunks[0].id);
  }
  assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
  const content = chunks.slice(1, -1).map((c) => c.choices[0].delta.content);
  assert.equal(content.join(''), 'Hello there, this is the clinic.');
  assert.ok(content.length >= 6);
  const last = chunks.at(-1);
  assert.equal(last.choices[0].finish_reason, 'stop');
  assert.deepEqual(last.choices[0].delta, {});
  assert.equal(last.x_groq.usage.completion_tokens, content.length);
  assert.equal(last.usage, undefined, 'top-level usage only with stream_options.include_usage');
  assert.ok(headers.get('x-ratelimit-remaining-tokens'));
});

test('tool calls stream in the OpenAI delta format with arguments split over several events', async () => {
  const args = { date: '2025-03-14', time: '09:30', reason: 'check-up' };
  fake.script({
    toolCalls: [
      { name: 'book_appointment', arguments: args },
      { name: 'end_call', arguments: {} },
    ],
  });
  const { events } = await rawStream({ tools: [{ type: 'function', function: { name: 'book_appointment' } }] });
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  const deltas = chunks.flatMap((c) => c.choices[0].delta.tool_calls ?? []);
  const first = deltas.filter((d) => d.index === 0);
  assert.equal(first[0].type, 'function');
  assert.match(first[0].id, /^call_/);
  assert.equal(first[0].function.name, 'book_appointment');
  assert.ok(first.length > 3, 'arguments arrive in fragments');
  for (const d of first.slice(1)) assert.equal(d.id, undefined);
  assert.deepEqual(JSON.parse(first.map((d) => d.function.arguments).join('')), args);
  assert.equal(deltas.filter((d) => d.index === 1)[0].function.name, 'end_call');
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
});

test('streaming through groq-sdk parses every event', async () => {
  fake.script({ content: 'One moment please.' });
  const stream = await client.chat.completions.create({
    model: 'llama-3.1-8b-instant',
    messages: [{ role: 'user', content: 'hello' }],
    stream: true,
  });
  let text = '';
  let finish: string | null | undefined;
  for await (const c of stream) {
    text += c.choices[0]?.delta.content ?? '';
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(text, 'One moment please.');
  assert.equal(finish, 'stop');
});

test('default responder answers politely once the script is empty', async () => {
  const res = await client.chat.completions.create({
    model: 'llama-3.1-8b-instant',
    messages: [{ role: 'user', content: 'x' }],
  });
  assert.equal(res.choices[0]?.message.content, DEFAULT_REPLY);
});

test('max_completion_tokens truncates the reply with finish_reason length', async () => {
  fake.script({ content: 'one two three four five six' });
  const res = await client.chat.completions.create({
    model: 'llama-3.1-8b-instant',
    messages: [{ role: 'user', content: 'count' }],
    max_completion_tokens: 3,
  });
  assert.equal(res.choices[0]?.message.content, 'one two three');
  assert.equal(res.choices[0]?.finish_reason, 'length');
});

test("a wrong key gets 401 with Groq's error envelope, which groq-sdk turns into AuthenticationError", async () => {
  const bad = new Groq({ apiKey: 'gsk_wrong', baseURL: fake.baseURL, maxRetries: 0, logLevel: 'off' });
  const before = fake.requests.length;
  await assert.rejects(
    bad.chat.completions.create({ model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: 'x' }] }),
    (err: unknown) => {
      assert.ok(err instanceof Groq.AuthenticationError);
      assert.deepEqual(err.error, {
        error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' },
      });
      return true;
    },
  );
  assert.equal(fake.requests.length, before + 1);
  assert.equal(fake.requests.at(-1)?.authorized, false);
  await assert.rejects(bad.models.list(), Groq.AuthenticationError);
});

test('http-error faults: 429 carries retry-after and lasts `times` requests', async () => {
  fake.inject({ kind: 'http-error', status: 429, times: 2, retryAfterSeconds: 3 });
  for (let i = 0; i < 2; i++) {
    const res = await fetch(`${fake.baseURL}/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fake.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '3');
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'rate_limit_exceeded');
  }
  const ok = await client.chat.completions.create({
    model: 'llama-3.1-8b-instant',
    messages: [{ role: 'user', content: 'x' }],
  });
  assert.equal(ok.choices[0]?.finish_reason, 'stop');
});

test("unknown models get Groq's 404; the model list names the known ones", async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'x' }] }),
    Groq.NotFoundError,
  );
  const list = await client.models.list();
  assert.ok(list.data.some((m) => m.id === 'llama-3.1-8b-instant'));
});

test('malformed fault: groq-sdk fails to parse the stream', async () => {
  fake.inject({ kind: 'malformed', afterTokens: 1 });
  const stream = await client.chat.completions.create({
    model: 'llama-3.1-8b-instant',
    messages: [{ role: 'user', content: 'x' }],
    stream: true,
  });
  await assert.rejects(async () => {
    for await (const _ of stream);
  }, SyntaxError);
});

test('disconnect fault cuts the stream after the given tokens; a client abort is reported as a hang-up', async () => {
  fake.script({ content: 'alpha beta gamma delta epsilon' });
  fake.inject({ kind: 'disconnect', afterTokens: 2 });
  const stream = await client.chat.completions.create({
    model: 'llama-3.1-8b-instant',
    messages: [{ role: 'user', content: 'x' }],
    stream: true,
  });
  let text = '';
  await assert.rejects(async () => {
    for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
  });
  assert.equal(text, 'alpha beta');
  assert.equal(fake.requests.at(-1)?.hungUp, false, 'a server-side drop is not a client hang-up');

  fake.inject({ kind: 'stall', afterTokens: 1, ms: 60_000 });
  const ac = new AbortController();
  const stalled = await client.chat.completions.create(
    { model: 'llama-3.1-8b-instant', messages: [{ role: 'user', content: 'x' }], stream: true },
    { signal: ac.signal },
  );
  for await (const c of stalled) {
    if (c.choices[0]?.delta.content) break; // leaving the loop aborts the request
  }
  const seq = fake.requests.at(-1)?.seq ?? 0;
  const hung = await fake.waitForHangup(seq);
  assert.equal(hung.tokensSent, 1);
  assert.equal(hung.completed, false);
});
