import { llm } from '@livekit/agents';
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { chatKey, PrefetchingLLM } from './prefetch-llm.ts';

class CountingLLM extends llm.LLM {
  calls: string[] = [];
  closed: string[] = [];
  label(): string {
    return 'counting';
  }
  chat(opts: Parameters<llm.LLM['chat']>[0]): llm.LLMStream {
    const last = opts.chatCtx.items.at(-1) as llm.ChatMessage;
    const id = `${this.calls.length + 1}:${last.textContent}`;
    this.calls.push(id);
    return { close: () => this.closed.push(id), id } as unknown as llm.LLMStream;
  }
}

function chat(...turns: [llm.ChatRole, string][]): llm.ChatContext {
  const c = llm.ChatContext.empty();
  for (const [role, content] of turns) c.addMessage({ role, content });
  return c;
}

const SYSTEM: [llm.ChatRole, string] = ['system', 'You are Voxanne.'];

test('a reply for the words guessed from the interim transcript takes over the request already made', () => {
  const inner = new CountingLLM();
  const p = new PrefetchingLLM(inner);
  p.prefetch({ chatCtx: chat(SYSTEM, ['user', 'what are your opening hours']) });
  const s = p.chat({ chatCtx: chat(SYSTEM, ['user', 'What are your opening hours?']) });
  assert.deepEqual(inner.calls, ['1:what are your opening hours'], 'one request, made at prefetch time');
  assert.equal((s as unknown as { id: string }).id, '1:what are your opening hours');
  assert.deepEqual(p.stats, { requested: 1, used: 1, dropped: 0 });
});

test('when the final words differ the guess is closed and a fresh request goes out', () => {
  const inner = new CountingLLM();
  const p = new PrefetchingLLM(inner);
  p.prefetch({ chatCtx: chat(SYSTEM, ['user', 'what are your opening']) });
  p.chat({ chatCtx: chat(SYSTEM, ['user', 'What are your opening hours on Saturday?']) });
  assert.deepEqual(inner.calls, ['1:what are your opening', '2:What are your opening hours on Saturday?']);
  assert.deepEqual(inner.closed, ['1:what are your opening']);
  assert.deepEqual(p.stats, { requested: 1, used: 0, dropped: 1 });
});

test('only the last user message is compared loosely: a different history is a different request', () => {
  const a = chatKey(chat(SYSTEM, ['user', 'hi'], ['assistant', 'Hello!'], ['user', 'Book me in.']));
  assert.equal(a, chatKey(chat(SYSTEM, ['user', 'hi'], ['assistant', 'Hello!'], ['user', 'book me in'])));
  assert.notEqual(a, chatKey(chat(SYSTEM, ['user', 'hi'], ['assistant', 'Hello there!'], ['user', 'Book me in.'])));
});

test('a second guess replaces the first; the same guess twice is one request; drop() forgets it', () => {
  const inner = new CountingLLM();
  const p = new PrefetchingLLM(inner);
  p.prefetch({ chatCtx: chat(SYSTEM, ['user', 'how much']) });
  p.prefetch({ chatCtx: chat(SYSTEM, ['user', 'how much']) });
  p.prefetch({ chatCtx: chat(SYSTEM, ['user', 'how much is a facelift']) });
  assert.deepEqual(inner.calls, ['1:how much', '2:how much is a facelift']);
  assert.deepEqual(inner.closed, ['1:how much']);
  p.drop();
  assert.deepEqual(inner.closed, ['1:how much', '2:how much is a facelift']);
  p.chat({ chatCtx: chat(SYSTEM, ['user', 'how much is a facelift']) });
  assert.equal(inner.calls.length, 3, 'after drop() the reply makes its own request');
});

test("errors of the wrapped engine are the wrapper's errors (the reply listens on the wrapper)", () => {
  const inner = new CountingLLM();
  const p = new PrefetchingLLM(inner);
  const seen: unknown[] = [];
  p.on('error', (e) => seen.push(e));
  const err = {
    type: 'llm_error',
    timestamp: 0,
    label: 'counting',
    error: new Error('boom'),
    recoverable: false,
  } as const;
  inner.emit('error', err);
  assert.deepEqual(seen, [err]);
});

test('a guess whose provider failed while it waited is not handed out: the reply asks anew, sees the failure', () => {
  const inner = new CountingLLM();
  const p = new PrefetchingLLM(inner);
  const seen: string[] = [];
  p.on('error', (e) => seen.push(e.error.message));
  p.prefetch({ chatCtx: chat(SYSTEM, ['user', 'what are your opening hours']) });
  inner.emit('error', {
    type: 'llm_error',
    timestamp: Date.now(),
    label: 'counting',
    error: new Error('HTTP 500'),
    recoverable: false,
  });
  const s = p.chat({ chatCtx: chat(SYSTEM, ['user', 'What are your opening hours?']) });
  assert.deepEqual(inner.calls, ['1:what are your opening hours', '2:What are your opening hours?']);
  assert.equal((s as unknown as { id: string }).id, '2:What are your opening hours?');
  assert.deepEqual(inner.closed, ['1:what are your opening hours']);
  assert.deepEqual(seen, ['HTTP 500'], 'the error is still passed on');
  assert.deepEqual(p.stats, { requested: 1, used: 0, dropped: 1 });
});

test('a retry the provider recovered from does not spoil the guess', () => {
  const inner = new CountingLLM();
  const p = new PrefetchingLLM(inner);
  p.on('error', () => {}); // an EventEmitter 'error' with no listener throws
  p.prefetch({ chatCtx: chat(SYSTEM, ['user', 'where are you']) });
  inner.emit('error', {
    type: 'llm_error',
    timestamp: Date.now(),
    label: 'counting',
    error: new Error('timeout'),
    recoverable: true,
  });
  p.chat({ chatCtx: chat(SYSTEM, ['user', 'Where are you?']) });
  assert.deepEqual(inner.calls, ['1:where are you']);
});
