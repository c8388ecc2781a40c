/**
 * Deepgram failures as the agents framework's typed errors, so its single retry loop can decide:
 * APIStatusError is final for 4xx except 408/429 and retryable for 5xx; connection failures and
 * timeouts are retryable.
 */
import { DeepgramApiError, DeepgramUnknownError } from '@deepgram/sdk';
import { APIConnectionError, APIError, APIStatusError } from '@livekit/agents';

/** Deepgram's error bodies are JSON ({err_code, err_msg, request_id}); the SDK hands them over stringified. */
function describe(raw: string): { message: string; requestId: string | null } {
  try {
    const body = JSON.parse(raw) as { err_code?: string; err_msg?: string; request_id?: string };
    return {
      message: [body.err_code, body.err_msg].filter(Boolean).join(': ') || raw,
      requestId: body.request_id ?? null,
    };
  } catch {
    return { message: raw, requestId: null };
  }
}

export function statusError(
  what: string,
  statusCode: number,
  detail: string,
  requestId: string | null = null,
): APIStatusError {
  return new APIStatusError({
    message: `${what}: Deepgram answered ${statusCode}: ${detail}`,
    options: { statusCode, requestId },
  });
}

/** A failed REST call through the SDK. */
export function restError(what: string, err: unknown): Error {
  if (err instanceof DeepgramApiError) {
    const { message, requestId } = describe(err.message);
    return statusError(what, err.status, message, requestId);
  }
  // The SDK reports network failures (refused, reset, DNS) and error bodies it could not parse
  // this way; neither says the request itself was wrong, so another try is reasonable.
  if (err instanceof DeepgramUnknownError) return new APIConnectionError({ message: `${what}: ${err.message}` });
  return err instanceof Error ? err : new Error(`${what}: ${String(err)}`);
}

/** What the SDK's live client passes to its Error event (a ws ErrorEvent, enhanced). */
export interface LiveErrorEvent {
  message?: string;
  statusCode?: number;
  requestId?: string;
  responseHeaders?: Record<string, string>;
}

/** A live WebSocket that failed, most often a rejected handshake (401 bad key, 400 bad params, 429). */
export function liveError(what: string, ev: LiveErrorEvent): APIError {
  const message = ev.message ?? 'WebSocket error';
  // the SDK digs the status out of ws internals; the ws message carries it too, as a fallback
  const status = ev.statusCode ?? Number(/Unexpected server response: (\d{3})/.exec(message)?.[1] ?? NaN);
  if (Number.isInteger(status)) {
    const detail = ev.responseHeaders?.['dg-error'] ?? message;
    return statusError(what, status, detail, ev.requestId ?? ev.responseHeaders?.['dg-request-id'] ?? null);
  }
  return new APIConnectionError({ message: `${what}: ${message}` });
}

/**
 * An open live connection that closed without being asked to. 1008 is Deepgram refusing the data
 * (DATA-0000: audio it cannot decode), which a reconnect would only repeat; anything else (1006
 * dropped socket, 1011 NET-0001 timeout or server fault) is worth a new connection.
 */
export function closeError(what: string, code: number, reason: string): APIError {
  const detail = `${what}: connection closed (${code}${reason ? ` ${reason}` : ''})`;
  if (code === 1008) return new APIError(detail, { retryable: false });
  return new APIConnectionError({ message: detail });
}
