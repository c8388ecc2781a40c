/**
 * A call's room, as the processes that open it (the web server, SIP dispatch rules, outbound calls)
 * describe it to the agent, and the token answer the page receives. Room names and identities are
 * chosen by the server, random and unguessable, and never carry a phone number or a name: they appear
 * in LiveKit's logs, its webhooks and our own.
 * Pure types and helpers: imported by the web server, the agent, the SIP tools and the page.
 */
import { CHANNELS, type Channel } from './records-api.ts';

/** web rooms: call-<26 random base32 characters> (130 bits) */
export const WEB_ROOM_PREFIX = 'call-';
/** web callers: caller-<26 random base32 characters> */
export const WEB_CALLER_PREFIX = 'caller-';
/** what every name the server chooses looks like (LiveKit accepts far more; we never need more) */
export const SERVER_NAME_PATTERN = /^[a-z]+-[a-z2-7]{26}$/;

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 26 base32 characters from 17 random bytes (130 bits of the 136) */
export function randomName(prefix: string, random: (n: number) => Uint8Array): string {
  const bytes = random(17);
  let bits = 0;
  let acc = 0;
  let out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      bits -= 5;
      out += BASE32[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return prefix + out;
}

/**
 * The room's metadata, set by whoever creates the room. `caller` names the one participant the agent
 * was dispatched for (a web caller); a room without it is a phone call's, whose caller is LiveKit
 * SIP's participant. Visible to every participant of the room, so nothing personal goes in here.
 */
export interface CallRoomMetadata {
  /** the clinic the call belongs to */
  tenant?: string;
  channel?: Channel;
  /** the identity of the only caller the agent talks to */
  caller?: string;
  /** set by the worker that took the room's job (the web server hands out the token once it sees this) */
  taken?: true;
  /** set by a worker that refused the room's job because every line it has is taken */
  busy?: true;
  /** set by the worker that dispatched the busy line into a phone call's room nobody could take */
  busyLine?: true;
  /**
   * a standby call: a web room opened before any caller asked for it (web/server/standby-pool.ts). The
   * agent waits for its caller up to STANDBY_CALLER_WAIT_MS, and a worker whose lines are full ends an
   * unclaimed one to take a real call.
   */
  standby?: true;
  /** set by the web server when it hands a standby room to a caller: from then on it is a call like any other */
  claimed?: true;
}

/** A standby room is recycled (closed, and a fresh one opened) this long after it was opened. */
export const STANDBY_MAX_AGE_MS = 10 * 60 * 1000;
/**
 * How long LiveKit keeps a standby room nobody joined (seconds, as LiveKit takes it; agents do not
 * count): a little past the maximum age, so a standby whose web server died closes by itself.
 */
export const STANDBY_EMPTY_TIMEOUT_SECONDS = STANDBY_MAX_AGE_MS / 1000 + 120;
/** how long her job in a standby room waits for its caller: as long as LiveKit keeps the room */
export const STANDBY_CALLER_WAIT_MS = STANDBY_EMPTY_TIMEOUT_SECONDS * 1000;

/** A standby room no caller has been handed yet: the only kind a worker may end to free a line. */
export function isUnclaimedStandby(m: CallRoomMetadata): boolean {
  return m.standby === true && m.claimed !== true;
}

/**
 * A phone caller's number reaches the agent only here: the inbound trunk copies the INVITE's From and To
 * headers into these participant attributes (LiveKit SIP's headers_to_attributes), while the dispatch
 * rule hides the number from the room name, the participant's identity and LiveKit's own attributes.
 * Attributes are seen by the room's participants only (the agent and the phone leg), never logged by name.
 */
export const SIP_FROM_ATTRIBUTE = 'voxanne.sip.from';
export const SIP_TO_ATTRIBUTE = 'voxanne.sip.to';

const TENANT_PATTERN = /^[a-z0-9-]{1,40}$/;

export function encodeCallRoomMetadata(m: CallRoomMetadata): string {
  return JSON.stringify(m);
}

/** What of the metadata is well-formed; anything else (or metadata that is not ours) is left out. */
export function parseCallRoomMetadata(raw: string | undefined): CallRoomMetadata {
  if (!raw) return {};
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    return {};
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return {};
  const r = o as Record<string, unknown>;
  const out: CallRoomMetadata = {};
  if (typeof r.tenant === 'string' && TENANT_PATTERN.test(r.tenant)) out.tenant = r.tenant;
  if (typeof r.channel === 'string' && (CHANNELS as readonly string[]).includes(r.channel))
    out.channel = r.channel as Channel;
  if (typeof r.caller === 'string' && SERVER_NAME_PATTERN.test(r.caller)) out.caller = r.caller;
  if (r.taken === true) out.taken = true;
  if (r.busy === true) out.busy = true;
  if (r.busyLine === true) out.busyLine = true;
  if (r.standby === true) out.standby = true;
  if (r.claimed === true) out.claimed = true;
  return out;
}

/**
 * The room's metadata with a worker's answer added (`taken` or `busy`), everything else in it kept
 * as it was. LiveKit's own record of a dispatch's jobs is not kept up to date (livekit-server 1.13:
 * ListDispatch never lists them), so the worker says so here.
 */
export function withLineMark(raw: string | undefined, mark: 'taken' | 'busy' | 'busyLine' | 'claimed'): string {
  let o: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(raw ?? '');
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) o = parsed as Record<string, unknown>;
  } catch {
    // empty or not JSON: the mark alone
  }
  return JSON.stringify({ ...o, [mark]: true });
}

/** POST /api/token's answer: the server chose the room and the identity; the page only uses them. */
export interface CallTokenResponse {
  url: string;
  token: string;
  room: string;
  identity: string;
}

/** the error code of a 503 that means every line is taken (the page shows LINES_BUSY_MESSAGE) */
export const LINES_BUSY_CODE = 'lines-busy';
export const LINES_BUSY_MESSAGE = 'All our lines are busy; please try again in a minute';
/** the error code of a 429: this address asked too often, or holds too many calls */
export const TOO_MANY_CALLS_CODE = 'too-many-calls';

/** The body of any refused token request. */
export interface CallTokenError {
  error: string;
  /** the offending input of a 400 */
  field?: string;
  code?: typeof LINES_BUSY_CODE | typeof TOO_MANY_CALLS_CODE;
}

/**
 * Phone numbers in logs and records: enough to tell calls apart and to match a complaint ("the call
 * from …4567"), not enough to call the patient. +15551234567 → +1******4567: the country code's first
 * digit and the last four stay.
 */
export function maskPhoneNumber(n: string | undefined): string {
  if (!n) return '(unknown)';
  const digits = n.replace(/[^\d]/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  const plus = n.trim().startsWith('+');
  const keepHead = plus ? 1 : 0;
  return `${plus ? '+' : ''}${digits.slice(0, keepHead)}${'*'.repeat(digits.length - keepHead - 4)}${digits.slice(-4)}`;
}
