import { randomBytes } from 'node:crypto';
import { AccessToken } from 'livekit-server-sdk';
import { randomName, WEB_CALLER_PREFIX, WEB_ROOM_PREFIX } from '@voxanne/contracts/call-room';

/**
 * How long the caller's token can be used to join. The page joins within a second or two of receiving
 * it (the room closes 30 s after it opens if nobody joins: call-rooms.ts), and once joined LiveKit
 * keeps the connection's own credentials fresh, so a copy of the token is worth nothing a minute later.
 */
export const TOKEN_TTL_MS = 60 * 1000;

export interface CallNames {
  room: string;
  identity: string;
}

/** A fresh room and caller identity: 130 random bits each, so neither can be guessed or enumerated. */
export function newCallNames(random: (n: number) => Uint8Array = randomBytes): CallNames {
  return { room: randomName(WEB_ROOM_PREFIX, random), identity: randomName(WEB_CALLER_PREFIX, random) };
}

const NOT_ACCEPTED = "not accepted; the server chooses the call's room and identity (send an empty body)";

export type TokenRequestResult = { ok: true } | { ok: false; error: string; field: string };

/**
 * The server chooses the room and the caller's identity: the page names nothing. A body that tries to
 * (an old page, or someone asking for a token to a call already under way) is refused, naming the field.
 */
export function validateTokenRequest(body: unknown): TokenRequestResult {
  if (body === undefined) return { ok: true };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, error: 'body must be empty or an empty JSON object', field: 'body' };
  }
  const field = Object.keys(body)[0];
  if (field !== undefined) {
    // a key with no name ({"": …}, found by the fuzz) is a field too: the body is then what to fix
    const name = field.slice(0, 40) || 'body';
    return { ok: false, error: `${name}: ${NOT_ACCEPTED}`, field: name };
  }
  return { ok: true };
}

export interface TokenCredentials {
  apiKey: string;
  apiSecret: string;
}

/**
 * A caller's token: join exactly this room as exactly this identity, publish the mic, receive the agent
 * and its data messages. No admin, create or list rights, so a leaked token cannot touch other calls.
 */
export async function mintCallerToken(creds: TokenCredentials, names: CallNames): Promise<string> {
  const at = new AccessToken(creds.apiKey, creds.apiSecret, {
    identity: names.identity,
    ttl: TOKEN_TTL_MS / 1000, // the SDK takes seconds
  });
  at.addGrant({
    room: names.room,
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
