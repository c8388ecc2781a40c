/**
 * Groq's OpenAI-compatible wire objects, built the way api.groq.com sends them, so groq-sdk's
 * real parsing code runs against the fake. Pure: no I/O, no clocks (the caller passes `created`).
 */

export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** What the fake model says: text, tool calls, or both (text first, as Llama does). */
export interface FakeGroqReply {
  content?: string;
  toolCalls?: FakeToolCall[];
}

export type FinishReason = 'stop' | 'length' | 'tool_calls';

export interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  queue_time: number;
  prompt_time: number;
  completion_time: number;
  total_time: number;
}

export interface WireToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface WireChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: Array<{
    index: 0;
    delta: { role?: 'assistant'; content?: string; tool_calls?: WireToolCallDelta[] };
    logprobs: null;
    finish_reason: FinishReason | null;
  }>;
  x_groq?: { id: string; usage?: WireUsage };
  usage?: WireUsage;
}

/** The identity shared by every chunk of one completion. */
export interface ChunkIdentity {
  id: string;
  requestId: string;
  created: number;
  model: string;
}

/** Groq models stream roughly a word piece per event; long words come in several pieces. */
const MAX_PIECE_CHARS = 6;

/**
 * Splits text into token-sized pieces whose concatenation is exactly the input: a word keeps
 * its leading whitespace (as BPE tokens do), and words longer than 6 characters are cut.
 */
export function splitIntoTokens(text: string): string[] {
  const out: string[] = [];
  for (const word of text.match(/\s*\S+|\s+$/g) ?? []) {
    const lead = /^\s*/.exec(word)?.[0] ?? '';
    let rest = word.slice(lead.length);
    let piece = lead;
    if (rest.length <= MAX_PIECE_CHARS) {
      out.push(word);
      continue;
    }
    while (rest.length > 0) {
      piece += rest.slice(0, MAX_PIECE_CHARS);
      rest = rest.slice(MAX_PIECE_CHARS);
      out.push(piece);
      piece = '';
    }
  }
  return out;
}

/** Tool-call arguments stream as fragments of their JSON text, as OpenAI-style APIs do. */
export function splitArguments(args: Record<string, unknown>): string[] {
  const json = JSON.stringify(args);
  const out: string[] = [];
  for (let i = 0; i < json.length; i += 8) out.push(json.slice(i, i + 8));
  return out.length > 0 ? out : ['{}'];
}

/** A rough prompt size: about four characters per token, as Llama's tokenizer averages on English. */
export function estimatePromptTokens(messages: readonly unknown[]): number {
  return Math.max(1, Math.ceil(JSON.stringify(messages).length / 4));
}

export function usageFor(promptTokens: number, completionTokens: number, completionSeconds: number): WireUsage {
  const promptTime = promptTokens / 20_000;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    queue_time: 0.01,
    prompt_time: promptTime,
    completion_time: completionSeconds,
    total_time: promptTime + completionSeconds,
  };
}

export function chunk(
  who: ChunkIdentity,
  delta: WireChunk['choices'][number]['delta'],
  finishReason: FinishReason | null = null,
): WireChunk {
  return {
    id: who.id,
    object: 'chat.completion.chunk',
    created: who.created,
    model: who.model,
    system_fingerprint: 'fp_fake_groq',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

/** One SSE event as Groq frames it. */
export function sseEvent(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';

/** A non-streaming `chat.completion` body. */
export function completionBody(
  who: ChunkIdentity,
  content: string | null,
  toolCalls: Array<{ id: string; name: string; arguments: string }>,
  finishReason: FinishReason,
  usage: WireUsage,
): Record<string, unknown> {
  return {
    id: who.id,
    object: 'chat.completion',
    created: who.created,
    model: who.model,
    system_fingerprint: 'fp_fake_groq',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          ...(toolCalls.length > 0 && {
            tool_calls: toolCalls.map((c) => ({
              id: c.id,
              type: 'function',
              function: { name: c.name, arguments: c.arguments },
            })),
          }),
        },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    usage,
    usage_breakdown: null,
    x_groq: { id: who.requestId },
  };
}

/** Groq's error envelope and the message/type/code it uses for each status. */
export function errorBody(
  status: number,
  detail?: string,
): { error: { message: string; type: string; code?: string } } {
  switch (status) {
    case 400:
      return {
        error: { message: detail ?? "'messages' must contain at least one message", type: 'invalid_request_error' },
      };
    case 401:
      return { error: { message: 'Invalid API Key', type: 'invalid_request_error', code: 'invalid_api_key' } };
    case 404:
      return {
        error: {
          message: detail ?? 'The model does not exist or you do not have access to it.',
          type: 'invalid_request_error',
          code: 'model_not_found',
        },
      };
    case 429:
      return {
        error: {
          message: detail ?? 'Rate limit reached for model on tokens per minute (TPM). Please try again in 1s.',
          type: 'tokens',
          code: 'rate_limit_exceeded',
        },
      };
    case 503:
      return {
        error: { message: detail ?? 'Service Unavailable', type: 'internal_server_error', code: 'service_unavailable' },
      };
    default:
      return { error: { message: detail ?? 'Internal Server Error', type: 'internal_server_error' } };
  }
}
