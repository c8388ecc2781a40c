import assert from 'node:assert/strict';
import { beforeAll, test } from 'vitest';
import { initializeLogger, llm } from '@livekit/agents';
import { z } from 'zod';
import { toGroqMessages, toGroqToolChoice, toGroqTools } from './chat-messages.ts';

beforeAll(() => initializeLogger({ pretty: false, level: 'error' }));

test('roles, order and text: developer becomes system, instructions render, images are left out', () => {
  const ctx = llm.ChatContext.empty();
  ctx.addMessage({ role: 'system', content: 'You are the receptionist of Elm Street Clinic.' });
  ctx.addMessage({ role: 'developer', content: 'Keep replies under two sentences.' });
  ctx.addMessage({ role: 'user', content: ['Hi, are you open', 'on Saturday?'] });
  ctx.addMessage({ role: 'assistant', content: 'Yes, from nine to noon.' });
  ctx.addMessage({
    role: 'user',
    content: [llm.createImageContent({ image: 'https://example.invalid/x.png' }), 'Thanks!'],
  });
  ctx.addMessage({
    role: 'assistant',
    content: [new llm.Instructions({ audio: 'spoken variant', text: 'text variant' })],
  });
  assert.deepEqual(toGroqMessages(ctx), [
    { role: 'system', content: 'You are the receptionist of Elm Street Clinic.' },
    { role: 'system', content: 'Keep replies under two sentences.' },
    { role: 'user', content: 'Hi, are you open\non Saturday?' },
    { role: 'assistant', content: 'Yes, from nine to noon.' },
    { role: 'user', content: 'Thanks!' },
    { role: 'assistant', content: 'spoken variant' },
  ]);
});

test('function calls join the assistant turn before them and their outputs follow as tool messages', () => {
  const ctx = llm.ChatContext.empty();
  ctx.addMessage({ role: 'user', content: 'Book me Friday at ten.' });
  ctx.addMessage({ role: 'assistant', content: 'Let me check.' });
  ctx.insert(
    llm.FunctionCall.create({ callId: 'call_1', name: 'check_slot', args: '{"day":"friday","time":"10:00"}' }),
  );
  ctx.insert(llm.FunctionCall.create({ callId: 'call_2', name: 'get_patient', args: '' }));
  ctx.insert(llm.FunctionCallOutput.create({ callId: 'call_2', output: '{"name":"Ana"}', isError: false }));
  ctx.insert(llm.FunctionCallOutput.create({ callId: 'call_1', output: 'free', isError: false }));
  // a call still running has no output yet and an output whose call was removed has no call
  ctx.insert(llm.FunctionCall.create({ callId: 'call_3', name: 'book', args: '{}' }));
  ctx.insert(llm.FunctionCallOutput.create({ callId: 'call_orphan', output: 'x', isError: false }));
  ctx.addMessage({ role: 'assistant', content: 'Friday at ten is free.' });
  assert.deepEqual(toGroqMessages(ctx), [
    { role: 'user', content: 'Book me Friday at ten.' },
    {
      role: 'assistant',
      content: 'Let me check.',
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'check_slot', arguments: '{"day":"friday","time":"10:00"}' },
        },
        { id: 'call_2', type: 'function', function: { name: 'get_patient', arguments: '{}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'free' },
    { role: 'tool', tool_call_id: 'call_2', content: '{"name":"Ana"}' },
    { role: 'assistant', content: 'Friday at ten is free.' },
  ]);
});

test('a call with no assistant text before it gets an assistant message of its own; empty replies are dropped', () => {
  const ctx = llm.ChatContext.empty();
  ctx.addMessage({ role: 'user', content: 'Transfer me.' });
  ctx.addMessage({ role: 'assistant', content: '', interrupted: true });
  ctx.addMessage({ role: 'user', content: 'Please.' });
  ctx.insert(llm.FunctionCall.create({ callId: 'c', name: 'transfer', args: '{}' }));
  ctx.insert(llm.FunctionCallOutput.create({ callId: 'c', output: 'ok', isError: false }));
  assert.deepEqual(toGroqMessages(ctx), [
    { role: 'user', content: 'Transfer me.' },
    { role: 'user', content: 'Please.' },
    { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'transfer', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c', content: 'ok' },
  ]);
});

test('tools become Groq function definitions in name order; tool choice passes through', () => {
  const tools = toGroqTools(
    new llm.ToolContext({
      transfer_call: llm.tool({ description: 'Hand the call to a human.', execute: async () => 'ok' }),
      book_appointment: llm.tool({
        description: 'Book a visit.',
        parameters: z.object({ date: z.string().describe('YYYY-MM-DD'), reason: z.string().optional() }),
        execute: async () => 'booked',
      }),
    }),
  );
  assert.deepEqual(
    tools?.map((t) => t.function?.name),
    ['book_appointment', 'transfer_call'],
  );
  const params = tools?.[0]?.function?.parameters as {
    type: string;
    properties: Record<string, unknown>;
    required: string[];
  };
  assert.equal(params.type, 'object');
  assert.deepEqual(Object.keys(params.properties), ['date', 'reason']);
  assert.deepEqual(params.required, ['date']);
  assert.equal('$schema' in params, false);
  assert.equal(toGroqTools(undefined), undefined);
  assert.equal(toGroqTools(new llm.ToolContext({})), undefined);
  assert.equal(toGroqToolChoice('required'), 'required');
  assert.deepEqual(toGroqToolChoice({ type: 'function', function: { name: 'transfer_call' } }), {
    type: 'function',
    function: { name: 'transfer_call' },
  });
});
