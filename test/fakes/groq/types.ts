import type { FakeGroqReply } from './wire.ts';

export interface LatencyProfile {
  /** from the request to the first token */
  firstTokenMs: number;
  /** pace after the first token; Infinity sends tokens back to back */
  tokensPerSecond: number;
}

/** No artificial delay: tokens still go out as separate SSE events. */
export const INSTANT_LATENCY: LatencyProfile = { firstTokenMs: 0, tokensPerSecond: Infinity };

/**
 * Failures for the next completion requests, applied in the order injected; each lasts `times`
 * requests (default 1). Token-positioned faults fire before token number `afterTokens` is sent
 * (0 = right after the role chunk; past the end = just before the final chunk); on a
 * non-streaming request they fire before the body.
 */
export type FakeGroqFault =
  | { kind: 'http-error'; status: 400 | 429 | 500 | 503; times?: number; retryAfterSeconds?: number }
  /** stop sending for `ms`, then carry on (a long `ms` is a hung upstream) */
  | { kind: 'stall'; afterTokens: number; ms: number; times?: number }
  /** destroy the socket mid-reply */
  | { kind: 'disconnect'; afterTokens: number; times?: number }
  /** send an SSE event whose data is not JSON, then carry on */
  | { kind: 'malformed'; afterTokens: number; times?: number };

export interface WireMessage {
  role: string;
  content?: unknown;
  name?: string;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

export interface WireTool {
  type: string;
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface RecordedRequest {
  /** 1-based arrival order among completion requests */
  readonly seq: number;
  readonly authorized: boolean;
  readonly model: string | undefined;
  readonly messages: readonly WireMessage[];
  readonly tools: readonly WireTool[] | undefined;
  readonly toolChoice: unknown;
  readonly temperature: number | undefined;
  /** max_completion_tokens, or the deprecated max_tokens */
  readonly maxTokens: number | undefined;
  readonly stream: boolean;
  /** the JSON body as received */
  readonly body: Readonly<Record<string, unknown>>;
  /** the fault this request met */
  readonly fault: FakeGroqFault['kind'] | undefined;
  readonly status: number | undefined;
  /** content tokens and tool-call fragments sent so far */
  readonly tokensSent: number;
  /** the response was written to its end */
  readonly completed: boolean;
  /** the client closed the connection before the response ended */
  readonly hungUp: boolean;
}

export type FakeGroqResponder = (request: RecordedRequest) => FakeGroqReply | Promise<FakeGroqReply>;

export interface FakeGroqOptions {
  /** the only key accepted; default 'gsk_fake_key' */
  apiKey?: string;
  /** replaces the scripted queue */
  responder?: FakeGroqResponder;
  /** default INSTANT_LATENCY */
  latency?: Partial<LatencyProfile>;
  /** models that exist; others get Groq's 404 */
  models?: readonly string[];
}

export interface FakeGroq {
  /** pass as groq-sdk's `baseURL`; the SDK appends /openai/v1/... */
  readonly baseURL: string;
  readonly apiKey: string;
  /** completion requests in arrival order, including rejected ones */
  readonly requests: readonly RecordedRequest[];
  /** queue replies for the default responder; when empty it says DEFAULT_REPLY */
  script(...replies: FakeGroqReply[]): void;
  setResponder(responder: FakeGroqResponder | undefined): void;
  setLatency(latency: Partial<LatencyProfile>): void;
  inject(fault: FakeGroqFault): void;
  clearFaults(): void;
  /** back to the start state: no script, faults or custom responder; the initial latency */
  reset(): void;
  /** resolves when the client of request `seq` has hung up mid-response (at once if it already has) */
  waitForHangup(seq: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export const DEFAULT_REPLY = 'Thank you for calling. How can I help you today?';
export const DEFAULT_MODELS = ['llama-3.1-8b-instant', 'llama-3.3-70b-versatile'] as const;

/** RecordedRequest as the server fills it in. */
export type Recorded = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };
