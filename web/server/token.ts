import { AccessToken } from 'livekit-server-sdk';

/** Room names and identities the token endpoint accepts; also safe to log and to put in URLs. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const TOKEN_TTL_MS = 10 * 60 * 1000;

export interface TokenRequest {
  room: string;
  identity: string;
}

export type TokenRequestResult = { ok: true; value: TokenRequest } | { ok: false; error: string; field: string };

/** Validates a parsed JSON body; the error names the first offending field. */
export function validateTokenRequest(body: unknown): TokenRequestResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'body must be a JSON object with room and identity', field: 'body' };
  }
  const o = body as Record<string, unknown>;
  for (const field of ['room', 'identity'] as const) {
    const v = o[field];
    if (typeof v !== 'string' || !NAME_PATTERN.test(v)) {
      return { ok: false, error: `${field} must be 1-64 letters, digits, '-' or '_'`, field };
    }
  }
  return { ok: true, value: { room: o.room as string, identity: o.identity as string } };
}

export interface TokenCredentials {
  apiKey: string;
  apiSecret: string;
}

/**
 * A caller's token: join exactly this room as exactly this identity, publish the mic, receive the agent
 * and its data messages. No admin, create or list rights, so a leaked token cannot touch other calls.
 */
export async function mintCallerToken(creds: TokenCredentials, req: TokenRequest): Promise<string> {
  const at = new AccessToken(creds.apiKey, creds.apiSecret, {
    identity: req.identity,
    ttl: TOKEN_TTL_MS / 1000, // the SDK takes seconds
  });
  at.addGrant({
    room: req.room,
    roomJoin: true,
    canPublish: true,
    canSubscribe: true,
    canPublishData: true,
    roomAdmin: false,
    roomCreate: false,
    roomList: false,
  });
  return at.toJwt();
}
