export interface CallToken {
  url: string;
  token: string;
  room: string;
  identity: string;
}

export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
}

/** Asks our own server for a LiveKit token; any failure means the voice server cannot be reached. */
export async function fetchCallToken(room: string, identity: string, signal?: AbortSignal): Promise<CallToken> {
  let res: Response;
  try {
    res = await fetch('/api/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room, identity }),
      signal,
    });
  } catch (e) {
    throw new TokenRequestError(`token request failed: ${(e as Error).message}`);
  }
  if (!res.ok) {
    const detail = await res.text();
    throw new TokenRequestError(`token request answered ${res.status}: ${detail.slice(0, 200)}`);
  }
  const body = (await res.json()) as Partial<CallToken>;
  if (typeof body.url !== 'string' || typeof body.token !== 'string')
    throw new TokenRequestError('token response without url or token');
  return { url: body.url, token: body.token, room, identity };
}
