import { randomUUID } from 'node:crypto';
import type { LatencyProfile, Recorded, WireMessage } from './types.ts';
import {
  type ChunkIdentity,
  type FakeGroqReply,
  type FinishReason,
  type WireChunk,
  chunk,
  completionBody,
  estimatePromptTokens,
  splitArguments,
  splitIntoTokens,
  usageFor,
} from './wire.ts';

/** Everything the fake sends for one reply, laid out as wire chunks before any of it is paced out. */
export interface ReplyPlan {
  roleChunk: WireChunk;
  /** one chunk per token: content pieces, then each tool call's header and argument fragments */
  tokens: WireChunk[];
  finalChunk: WireChunk;
  completion: Record<string, unknown>;
}

export function planReply(answer: FakeGroqReply, rec: Recorded, latency: LatencyProfile): ReplyPlan {
  const who: ChunkIdentity = {
    id: `chatcmpl-${randomUUID()}`,
    requestId: `req_${randomUUID().replace(/-/g, '').slice(0, 26)}`,
    created: Math.floor(Date.now() / 1000),
    model: rec.model ?? '',
  };
  let pieces = splitIntoTokens(answer.content ?? '');
  let finish: FinishReason = answer.toolCalls?.length ? 'tool_calls' : 'stop';
  if (rec.maxTokens !== undefined && pieces.length > rec.maxTokens) {
    pieces = pieces.slice(0, rec.maxTokens);
    finish = 'length';
  }
  const tokens = pieces.map((p) => chunk(who, { content: p }));
  const calls = finish === 'length' ? [] : (answer.toolCalls ?? []);
  const wireCalls = calls.map((c, index) => {
    const id = `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
    tokens.push(
      chunk(who, { tool_calls: [{ index, id, type: 'function', function: { name: c.name, arguments: '' } }] }),
    );
    for (const fragment of splitArguments(c.arguments)) {
      tokens.push(chunk(who, { tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
    return { id, name: c.name, arguments: JSON.stringify(c.arguments) };
  });
  const usage = usageFor(
    estimatePromptTokens(rec.messages),
    tokens.length,
    tokens.length / Math.min(latency.tokensPerSecond, 1e6),
  );
  const roleChunk = { ...chunk(who, { role: 'assistant', content: '' }), x_groq: { id: who.requestId } };
  const streamOptions = rec.body.stream_options as { include_usage?: boolean } | undefined;
  const finalChunk: WireChunk = {
    ...chunk(who, {}, finish),
    x_groq: { id: who.requestId, usage },
    ...(streamOptions?.include_usage && { usage }),
  };
  const content = pieces.length > 0 ? pieces.join('') : null;
  return { roleChunk, tokens, finalChunk, completion: completionBody(who, content, wireCalls, finish, usage) };
}

/** The pairing rules Groq enforces between assistant tool calls and tool replies (it answers 400). */
export function conversationProblem(messages: readonly WireMessage[]): string | undefined {
  const unanswered = new Set<string>();
  for (const m of messages) {
    if (m.role === 'tool') {
      if (!m.tool_call_id || !unanswered.delete(m.tool_call_id)) {
        return `'messages': tool message with tool_call_id '${m.tool_call_id}' has no matching tool call`;
      }
      continue;
    }
    if (unanswered.size > 0) return `'messages': tool call '${[...unanswered][0]}' has no tool message answering it`;
    if (!['system', 'developer', 'user', 'assistant'].includes(m.role)) return `'messages': unknown role '${m.role}'`;
    for (const c of m.tool_calls ?? []) unanswered.add(c.id);
  }
  return unanswered.size > 0
    ? `'messages': tool call '${[...unanswered][0]}' has no tool message answering it`
    : undefined;
}

export function tokenGapMs(latency: LatencyProfile): number {
  return Number.isFinite(latency.tokensPerSecond) && latency.tokensPerSecond > 0 ? 1000 / latency.tokensPerSecond : 0;
}
