import type { Channel } from '@voxanne/contracts/records-api';
import type { TurnMetrics } from './turn-metrics.ts';

/**
 * What a call reports for the worker's Prometheus metrics (worker/metrics.ts), as data: a job process
 * sends each one to its worker over IPC, where the counters and histograms live. Durations in ms.
 */
export type CallMetric =
  | { kind: 'call_started'; channel: Channel }
  | { kind: 'call_ended'; channel: Channel; outcome: CallOutcome }
  /** the caller joined → her greeting starts */
  | { kind: 'greeting'; ms: number }
  /** a turn she answered: voice-to-voice and each provider's share (null: not measured this turn) */
  | { kind: 'turn'; metrics: TurnMetrics; stt: string }
  /** the caller's speech onset → her voice stopped (the VAD needed this much speech to be sure) */
  | { kind: 'barge_in'; ms: number }
  | { kind: 'provider_error'; stage: ProviderStage; provider: string; error: ErrorKind }
  /** the call moved to the embedded engines for a reply (llm+tts) or for listening (stt) */
  | { kind: 'fallback'; stage: ProviderStage; provider: string; error: ErrorKind }
  | { kind: 'watchdog_recovery' }
  /** call records not yet delivered to the records server (sampled) */
  | { kind: 'records_queue'; depth: number }
  /** one request to the records server (the database behind it), successful or not */
  | { kind: 'records_request'; ms: number; ok: boolean };

export type ProviderStage = 'stt' | 'llm' | 'tts' | 'reply';

export const CALL_OUTCOMES = [
  'caller_hung_up',
  'agent_hung_up',
  'unanswered',
  'interrupted',
  'failed',
  'other',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * A call's end reason (free text in the logs) as one of a few label values: a Prometheus label
 * must not take unbounded values.
 */
export function callOutcome(reason: string): CallOutcome {
  if (reason.startsWith('caller left')) return 'caller_hung_up';
  if (reason === 'agent hung up') return 'agent_hung_up';
  if (reason === 'no caller' || reason === 'not answered') return 'unanswered';
  if (reason === 'agent stopping' || reason === 'job shutdown' || reason === 'room disconnected') return 'interrupted';
  return 'other';
}

/** empty_answer: the LLM stream ended without a word (its own error, if any, went to a speculative request) */
export const ERROR_KINDS = ['http_4xx', 'http_5xx', 'timeout', 'connection', 'empty_answer', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * A provider failure by kind, from the shape the agents' APIError family and the vendor SDKs give
 * it (a numeric status, a timeout or connection class/message). Pure: reads fields only.
 */
export function errorKind(err: unknown): ErrorKind {
  if (typeof err !== 'object' || err === null) return 'other';
  const e = err as { statusCode?: unknown; status?: unknown; name?: unknown; message?: unknown; code?: unknown };
  const status = typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  if (status !== undefined && status >= 500) return 'http_5xx';
  if (status !== undefined && status >= 400) return 'http_4xx';
  if (e.name === 'EmptyAnswerError') return 'empty_answer';
  const text = `${String(e.name ?? '')} ${String(e.code ?? '')} ${String(e.message ?? '')}`.toLowerCase();
  if (/timeout|timed out|etimedout/.test(text)) return 'timeout';
  if (/connection|econnrefused|econnreset|socket|network|closed/.test(text)) return 'connection';
  return 'other';
}
