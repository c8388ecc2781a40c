import { DEFAULT_API_CONNECT_OPTIONS, llm } from '@livekit/agents';
import Groq from 'groq-sdk';
import type { ChatRequest } from '../types.ts';
import { GroqLLMStream } from './groq-llm-stream.ts';

export { GroqLLMStream } from './groq-llm-stream.ts';

export const GROQ_DEFAULT_MODEL = 'llama-3.1-8b-instant';
export const GROQ_DEFAULT_BASE_URL = 'https://api.groq.com';

export interface GroqLLMOptions {
  apiKey: string;
  /** default https://api.groq.com; groq-sdk appends /openai/v1/... (tests point it at the fake) */
  baseURL?: string;
  /** default llama-3.1-8b-instant */
  model?: string;
  /** Groq's default (1) when unset */
  temperature?: number;
  /** cap on reply length; default 200, plenty for a spoken turn and a bound on a runaway reply */
  maxTokens?: number;
  /**
   * Longest silence accepted from Groq between stream events, and from sending the request to
   * its first event unless chat() is given connOptions (then their timeoutMs bounds that part).
   * Default 5000: Groq's first token normally comes well under a second after the request, and
   * a caller hearing more than a few seconds of silence is better served by a retry or an apology.
   */
  timeoutMs?: number;
}

/**
 * Groq's hosted Llama as an agents LLM, through groq-sdk.
 *
 * Retries belong to the agents' base class (connOptions; groq-sdk's own are off so nothing is
 * retried twice over). Failures are agents API errors whose `retryable` follows the status
 * (4xx final except 408/429) and turns false once any text or tool call was delivered, because
 * a retry would repeat that text. As with every agents LLM, failures reach listeners of the
 * 'error' event (AgentSession listens; without a listener the base class cannot retry at all)
 * and iteration simply ends; GroqLLMStream.error also holds the final one for direct callers.
 */
export class GroqLLM extends llm.LLM {
  #client: Groq;
  #model: string;
  #temperature: number | undefined;
  #maxTokens: number;
  #timeoutMs: number;

  constructor(opts: GroqLLMOptions) {
    super();
    if (!opts.apiKey) throw new TypeError('GroqLLM needs an apiKey (GROQ_API_KEY)');
    this.#model = opts.model ?? GROQ_DEFAULT_MODEL;
    this.#temperature = opts.temperature;
    this.#maxTokens = positiveInteger('maxTokens', opts.maxTokens ?? 200);
    this.#timeoutMs = positiveInteger('timeoutMs', opts.timeoutMs ?? 5000);
    this.#client = new Groq({
      apiKey: opts.apiKey,
      // explicit so the SDK never falls back to GROQ_BASE_URL from the environment
      baseURL: opts.baseURL ?? GROQ_DEFAULT_BASE_URL,
      maxRetries: 0,
      // the stream's watchdog is the real timeout; this only bounds a request nobody watches (prewarm)
      timeout: this.#timeoutMs,
      // the SDK would log raw stream data (the caller's words) on a parse error; failures
      // reach our callers as typed errors instead
      logLevel: 'off',
    });
  }

  override label(): string {
    return 'groq.LLM';
  }

  override get model(): string {
    return this.#model;
  }

  override get provider(): string {
    return 'groq';
  }

  /** One line for logs and engine selection, e.g. "groq llama-3.1-8b-instant". */
  get info(): string {
    return `groq ${this.#model}`;
  }

  override chat({
    chatCtx,
    toolCtx,
    connOptions,
    parallelToolCalls,
    toolChoice,
    extraKwargs,
  }: ChatRequest): GroqLLMStream {
    return new GroqLLMStream(
      this,
      this.#client,
      {
        model: this.#model,
        temperature: this.#temperature,
        maxTokens: this.#maxTokens,
        silenceTimeoutMs: this.#timeoutMs,
        toolChoice,
        parallelToolCalls,
        extraKwargs,
      },
      { chatCtx, toolCtx, connOptions: connOptions ?? { ...DEFAULT_API_CONNECT_OPTIONS, timeoutMs: this.#timeoutMs } },
    );
  }

  /** Opens the TLS connection (and checks the key) before the first turn needs it. */
  protected override async _prewarmImpl(signal: AbortSignal): Promise<void> {
    await this.#client.models.list({ signal });
  }
}

/** For the lead's engine selection: the LLM plus a one-line description of it. */
export function createGroqLLM(opts: GroqLLMOptions): { llm: GroqLLM; info: string } {
  const model = new GroqLLM(opts);
  return { llm: model, info: model.info };
}

function positiveInteger(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new RangeError(`GroqLLM ${name} must be a positive integer, got ${v}`);
  return v;
}
