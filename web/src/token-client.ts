import { LINES_BUSY_CODE, TOO_MANY_CALLS_CODE, type CallTokenResponse } from '@voxanne/contracts/call-room';

export type CallToken = CallTokenResponse;

/** Why no token came: every line busy, too many calls from this address, or the server out of reach. */
export type TokenFailure = 'lines-busy' | 'too-many-calls' | 'unreachable';

export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  constructor(
    message: string,
    readonly failure: TokenFailure = 'unreachable',
  ) {
    super(message);
  }
}

/**
 * Asks our own server to open a call. The server chooses the room and the caller's identity; the page
 * names nothing, so it cannot ask for (or be tricked into asking for) someone else's call.
 */
export async function fetchCallToken(signal?: AbortSignal): Promise<CallToken> {
  let res: Response;
  try {
    res = await fetch('/api/token', { method: 'POST', signal });
  } catch (e) {
    throw new TokenRequestError(`token request failed: ${(e as Error).message}`);
  }
  if (!res.ok) {
    const detail = await res.text();
    throw new TokenRequestError(`token request answered ${res.status}: ${detail.slice(0, 200)}`, failureOf(detail));
  }
  const body = (await res.json()) as Partial<CallToken>;
  if (
    typeof body.url !== 'string' ||
    typeof body.token !== 'string' ||
    typeof body.room !== 'string' ||
    typeof body.identity !== 'string'
  )
    throw new TokenRequestError('token response without url, token, room or identity');
  return { url: body.url, token: body.token, room: body.room, identity: body.identity };
}

function failureOf(body: string): TokenFailure {
  try {
    const code = (JSON.parse(body) as { code?: unknown }).code;
    if (code === LINES_BUSY_CODE) return 'lines-busy';
    if (code === TOO_MANY_CALLS_CODE) return 'too-many-calls';
  } catch {
    // a proxy's HTML error page: the server could not be reached
  }
  return 'unreachable';
}
