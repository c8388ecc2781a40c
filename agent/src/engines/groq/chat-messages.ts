import { llm } from '@livekit/agents';
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionMessageParam,
  ChatCompletionTool,
  ChatCompletionToolChoiceOption,
  ChatCompletionToolMessageParam,
} from 'groq-sdk/resources/chat/completions';

/**
 * The agents' ChatContext in Groq's (OpenAI-compatible) message format.
 *
 * - system and developer messages become `system`: Llama's chat template has no developer role.
 * - Message content is text only. Instructions give their rendered value, audio its transcript;
 *   images are left out because the Llama text models Groq serves for us cannot read them.
 * - Function calls join the assistant message right before them (one assistant turn can carry
 *   text and several calls) and their outputs follow as `tool` messages. Groq rejects a call
 *   without its output and an output without its call (400), so unmatched ones are dropped:
 *   a call whose tool is still running is not part of the conversation yet.
 * - Handoff and config-update items are bookkeeping for the framework, not for the model.
 */
export function toGroqMessages(chatCtx: llm.ChatContext): ChatCompletionMessageParam[] {
  const outputs = new Map<string, llm.FunctionCallOutput>();
  for (const item of chatCtx.items) if (item.type === 'function_call_output') outputs.set(item.callId, item);

  const out: ChatCompletionMessageParam[] = [];
  let openAssistant: ChatCompletionAssistantMessageParam | undefined;
  let toolReplies: ChatCompletionToolMessageParam[] = [];
  const closeTurn = () => {
    out.push(...toolReplies);
    toolReplies = [];
    openAssistant = undefined;
  };

  for (const item of chatCtx.items) {
    if (item.type === 'message') {
      closeTurn();
      const text = textOf(item);
      if (item.role === 'assistant') {
        openAssistant = { role: 'assistant', ...(text ? { content: text } : {}) };
        out.push(openAssistant);
      } else if (text) {
        out.push({ role: item.role === 'user' ? 'user' : 'system', content: text });
      }
    } else if (item.type === 'function_call') {
      const result = outputs.get(item.callId);
      if (!result) continue;
      outputs.delete(item.callId); // a repeated call id must not produce a second tool reply
      if (!openAssistant) {
        openAssistant = { role: 'assistant' };
        out.push(openAssistant);
      }
      (openAssistant.tool_calls ??= []).push({
        id: item.callId,
        type: 'function',
        function: { name: item.name, arguments: item.args || '{}' },
      });
      toolReplies.push({ role: 'tool', tool_call_id: item.callId, content: result.output });
    }
  }
  closeTurn();
  // an interrupted reply can leave an assistant message with no text and no calls; Groq rejects it
  return out.filter((m) => m.role !== 'assistant' || m.content || m.tool_calls?.length);
}

function textOf(message: llm.ChatMessage): string {
  const parts: string[] = [];
  for (const c of message.content) {
    if (typeof c === 'string') parts.push(c);
    else if (c.type === 'instructions') parts.push(c.value);
    else if (c.type === 'audio_content' && c.transcript) parts.push(c.transcript);
  }
  return parts.filter(Boolean).join('\n');
}

/** The function tools as Groq tool definitions, in a stable order (the prompt cache likes that). */
export function toGroqTools(toolCtx: llm.ToolContext | undefined): ChatCompletionTool[] | undefined {
  if (!toolCtx) return undefined;
  // provider tools (another vendor's hosted tools) have no meaning on Groq and are not sent
  const entries = llm.sortedToolEntries(toolCtx);
  if (entries.length === 0) return undefined;
  return entries.map(([name, tool]) => {
    // plain JSON Schema, not the OpenAI dialect (which makes optional fields required-but-null):
    // the agents' tool executor validates arguments against the plain schema, so a null the
    // model was told to send for an optional field would fail that check
    const { $schema: _unused, ...parameters } = llm.toJsonSchema(tool.parameters, false, false) as Record<
      string,
      unknown
    >;
    return { type: 'function', function: { name, description: tool.description, parameters } };
  });
}

export function toGroqToolChoice(choice: llm.ToolChoice | undefined): ChatCompletionToolChoiceOption | undefined {
  if (choice === undefined || typeof choice === 'string') return choice;
  return { type: 'function', function: { name: choice.function.name } };
}
