import { APIConnectionError, APIError, APIStatusError, APITimeoutError } from '@livekit/agents';
import Groq from 'groq-sdk';

export interface FailureContext {
  /**
   * Whether another attempt may run. False once any text or tool call reached the caller: the
   * agents' LLMStream retries by calling run() again on the same output queue, so a retry would
   * speak the start of the reply twice.
   */
  retryable: boolean;
  /** set when our own silence watchdog aborted the request */
  silentForMs?: number;
}

/**
 * Maps what groq-sdk and fetch throw to the agents' error types, whose `retryable` flag drives
 * the base class's retries. APIStatusError itself makes 4xx final except 408, 429 and 499.
 * Returns undefined for anything that is not a provider or network failure (a bug here), which
 * the caller rethrows untouched so it is not retried or disguised.
 */
export function toAgentsError(err: unknown, ctx: FailureContext): APIError | undefined {
  const { retryable } = ctx;
  let mapped: APIError;
  if (err instanceof APIError) {
    return err;
  } else if (ctx.silentForMs !== undefined) {
    mapped = new APITimeoutError({ message: `Groq sent nothing for ${ctx.silentForMs} ms`, options: { retryable } });
  } else if (err instanceof Groq.APIConnectionTimeoutError) {
    mapped = new APITimeoutError({ message: 'Groq did not answer in time', options: { retryable } });
  } else if (err instanceof Groq.APIConnectionError) {
    mapped = new APIConnectionError({ message: `cannot reach Groq: ${causeText(err)}`, options: { retryable } });
  } else if (err instanceof Groq.APIError && typeof err.status === 'number') {
    mapped = new APIStatusError({
      message: statusMessage(err.status, err.error, err.headers),
      options: {
        statusCode: err.status,
        body: isObject(err.error) ? err.error : null,
        requestId: err.headers?.get('x-request-id') ?? null,
        retryable,
      },
    });
  } else if (err instanceof Groq.APIError) {
    // an `error` event inside a 200 stream: the status line had already said all was well
    mapped = new APIError(`Groq reported an error mid-reply: ${err.message}`, {
      body: isObject(err.error) ? err.error : null,
      retryable,
    });
  } else if (err instanceof SyntaxError) {
    mapped = new APIError('Groq sent a stream event that is not valid JSON', { retryable });
  } else if (err instanceof TypeError && (err.cause !== undefined || err.message === 'terminated')) {
    // fetch reports network failures as a TypeError ('terminated' when the socket drops
    // mid-body) carrying the socket error as its cause; a TypeError without one is a bug
    mapped = new APIConnectionError({
      message: `connection to Groq failed: ${causeText(err)}`,
      options: { retryable },
    });
  } else {
    return undefined;
  }
  mapped.cause = err;
  return mapped;
}

function statusMessage(status: number, body: unknown, headers: Headers | undefined): string {
  const envelope = isObject(body) && isObject(body.error) ? body.error : undefined;
  const detail = typeof envelope?.message === 'string' ? envelope.message : 'no error message';
  const code = typeof envelope?.code === 'string' ? ` (${envelope.code})` : '';
  const retryAfter = headers?.get('retry-after');
  const wait = status === 429 && retryAfter ? `; retry-after ${retryAfter} s` : '';
  return `Groq answered ${status}${code}: ${detail}${wait}`;
}

function causeText(err: Error): string {
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err.message}${cause}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
