/**
 * A Groq fake responder that behaves like a model with tools: it decides with the offline brain
 * (including the booking flow, so it calls the appointment tools with real arguments) and writes
 * its text the raw way a model does (raw-llm-text.ts).
 */
import { llm } from '@livekit/agents';
import type { RecordedRequest } from '../test/fakes/groq/types.ts';
import type { FakeGroqReply } from '../test/fakes/groq/wire.ts';
import { composeStep } from '../agent/src/engines/rules/rules-llm.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { rawLlmText } from './raw-llm-text.ts';

/** The wire messages as the agents' ChatContext, so the offline brain can read them. */
export function chatFromWire(req: RecordedRequest): llm.ChatContext {
  const chat = llm.ChatContext.empty();
  let t = 1;
  for (const m of req.messages) {
    const createdAt = t++;
    if (m.role === 'tool') {
      chat.insert(
        llm.FunctionCallOutput.create({
          callId: m.tool_call_id ?? '',
          output: String(m.content ?? ''),
          isError: false,
          createdAt,
        }),
      );
      continue;
    }
    if (m.role === 'user' || m.role === 'assistant' || m.role === 'system') {
      if (typeof m.content === 'string' && m.content)
        chat.insert(llm.ChatMessage.create({ role: m.role, content: m.content, createdAt }));
      for (const c of m.tool_calls ?? [])
        chat.insert(
          llm.FunctionCall.create({ callId: c.id, name: c.function.name, args: c.function.arguments, createdAt: t++ }),
        );
    }
  }
  return chat;
}

export function fakeGroqBrain(kb: KnowledgeBase, now: () => Date): (req: RecordedRequest) => FakeGroqReply {
  return (req) => {
    const step = composeStep(kb, chatFromWire(req), now(), (req.tools?.length ?? 0) > 0);
    if ('call' in step) return { toolCalls: [{ name: step.call.name, arguments: step.call.args }] };
    const lastUser = [...req.messages].reverse().find((m) => m.role === 'user');
    const asked = /\?\s*$/.test(String(lastUser?.content ?? ''));
    return { content: rawLlmText(step.text, asked && req.messages.at(-1)?.role === 'user') };
  };
}
