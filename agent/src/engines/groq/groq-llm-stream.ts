import { APIConnectionError, APIError, type APIConnectOptions, APITimeoutError, llm } from '@livekit/agents';
import type Groq from 'groq-sdk';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'groq-sdk/resources/chat/completions';
import { toGroqMessages, toGroqToolChoice, toGroqTools } from './chat-messages.ts';
import { toAgentsError } from './errors.ts';
import { type AssembledToolCall, ToolCallAssembler } from './tool-call-assembler.ts';

/** What one chat() call sends, fixed when the stream is created. */
export interface GroqRequestSettings {
  model: string;
  temperature: number | undefined;
  maxTokens: number;
  /** longest silence accepted between stream events once the response has started */
  silenceTimeoutMs: number;
  toolChoice: llm.ToolChoice | undefined;
  parallelToolCalls: boolean | undefined;
  /** merged into the request body last (Groq-specific knobs such as `seed` or `service_tier`) */
  extraKwargs: Record<string, unknown> | undefined;
}

/** Progress of one attempt, which decides whether a failure may be retried. */
interface Attempt {
  /** text or a tool call reached the caller */
  delivered: boolean;
  /** a finish_reason arrived: the reply is whole */
  finished: boolean;
  usageReported: boolean;
  calls: ToolCallAssembler;
}

/**
 * One streamed Groq completion. The agents' base class owns the output queue, metrics and
 * retries (it calls run() again on a retryable APIError); this class only talks to Groq.
 */
export class GroqLLMStream extends llm.LLMStream {
  #client: Groq;
  #settings: GroqRequestSettings;
  #error: APIError | undefined;

  constructor(
    owner: llm.LLM,
    client: Groq,
    settings: GroqRequestSettings,
    init: { chatCtx: llm.ChatContext; toolCtx?: llm.ToolContextLike; connOptions: APIConnectOptions },
  ) {
    super(owner, init);
    this.#client = client;
    this.#settings = settings;
  }

  /**
   * The error that ended the stream, readable once iteration has finished; undefined when the
   * reply completed or the stream was closed. The base class ends iteration quietly on failure
   * and reports it only through the LLM's 'error' event, which a caller iterating the stream
   * directly would otherwise never see.
   */
  get error(): APIError | undefined {
    return this.#error;
  }

  protected override async run(): Promise<void> {
    this.#error = undefined;
    try {
      await this.#attempt();
    } catch (err) {
      if (err instanceof APIError) this.#error = err;
      throw err;
    }
  }

  async #attempt(): Promise<void> {
    const closed = this.abortController.signal;
    if (closed.aborted) return;
    // built outside the try: a bad tool schema is a bug to report as is, not a network failure
    const body = this.#body();
    const request = new AbortController();
    const cancel = () => request.abort();
    closed.addEventListener('abort', cancel, { once: true });

    // groq-sdk's own timeout stops at the response headers; a stream that goes quiet afterwards
    // would hang the turn, so one watchdog covers the whole exchange: connOptions.timeoutMs up to
    // the first stream event, then the silence limit between events
    let silentForMs: number | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expectWithin = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        silentForMs = ms;
        request.abort();
      }, ms);
    };

    // the fallback prefix only matters if Groq omits call ids; it must not repeat across turns
    const calls = new ToolCallAssembler(`call_${crypto.randomUUID().slice(0, 8)}`);
    const state: Attempt = { delivered: false, finished: false, usageReported: false, calls };
    try {
      expectWithin(this.connOptions.timeoutMs);
      const stream = await this.#client.chat.completions.create(body, { signal: request.signal, maxRetries: 0 });
      for await (const chunk of stream) {
        expectWithin(this.#settings.silenceTimeoutMs);
        this.#handle(chunk, state);
      }
      if (closed.aborted) return;
      // groq-sdk ends iteration without an error when its request is aborted
      if (silentForMs !== undefined) {
        throw new APITimeoutError({
          message: `Groq sent nothing for ${silentForMs} ms`,
          options: { retryable: !state.delivered },
        });
      }
      if (!state.finished) {
        throw new APIConnectionError({
          message: 'Groq stream ended before the reply was complete',
          options: { retryable: !state.delivered },
        });
      }
    } catch (err) {
      if (closed.aborted) return; // the consumer closed the stream: not a failure
      throw toAgentsError(err, { retryable: !state.delivered, silentForMs }) ?? err;
    } finally {
      clearTimeout(timer);
      closed.removeEventListener('abort', cancel);
    }
  }

  #body(): ChatCompletionCreateParamsStreaming {
    const s = this.#settings;
    const tools = toGroqTools(this.toolCtx);
    const toolChoice = toGroqToolChoice(s.toolChoice);
    return {
      model: s.model,
      messages: toGroqMessages(this.chatCtx),
      stream: true,
      max_completion_tokens: s.maxTokens,
      ...(s.temperature !== undefined && { temperature: s.temperature }),
      ...(tools && {
        tools,
        ...(toolChoice !== undefined && { tool_choice: toolChoice }),
        ...(s.parallelToolCalls !== undefined && { parallel_tool_calls: s.parallelToolCalls }),
      }),
      ...s.extraKwargs,
    } as ChatCompletionCreateParamsStreaming;
  }

  #handle(chunk: ChatCompletionChunk, state: Attempt): void {
    const stoppedEarly = chunk.x_groq?.error;
    if (stoppedEarly) {
      throw new APIError(`Groq stopped the reply early: ${stoppedEarly}`, { retryable: !state.delivered });
    }
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue; // n is 1: other choices are never requested
      const text = choice.delta?.content;
      if (text) {
        // pushed the moment it arrives: the TTS starts on the first sentence, not the last
        this.queue.put({ id: chunk.id, delta: { role: 'assistant', content: text } });
        state.delivered = true;
      }
      for (const delta of choice.delta?.tool_calls ?? []) this.#emitCalls(chunk.id, state.calls.push(delta), state);
      if (choice.finish_reason) {
        this.#emitCalls(chunk.id, state.calls.flush(), state);
        state.finished = true;
      }
    }
    // Groq reports usage in x_groq on the last chunk (OpenAI's stream_options is not needed)
    const usage = chunk.x_groq?.usage;
    if (usage && !state.usageReported) {
      state.usageReported = true;
      this.queue.put({
        id: chunk.id,
        usage: {
          completionTokens: usage.completion_tokens,
          promptTokens: usage.prompt_tokens,
          promptCachedTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
          totalTokens: usage.total_tokens,
        },
      });
    }
  }

  #emitCalls(id: string, calls: AssembledToolCall[], state: Attempt): void {
    for (const c of calls) {
      // one call per chunk, as the agents' own OpenAI-compatible stream does
      this.queue.put({
        id,
        delta: {
          role: 'assistant',
          toolCalls: [llm.FunctionCall.create({ callId: c.callId, name: c.name, args: c.args })],
        },
      });
      state.delivered = true;
    }
  }
}
