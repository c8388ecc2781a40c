/**
 * Dashboard sessions: a random token in the http-only `vx_session` cookie (Secure over HTTPS), only
 * its SHA-256 kept in the database, and the login limits (LoginLimits: failures per address and
 * email, per address across all emails, per email across all addresses).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Queryable } from '../db/db.ts';
import type { Role } from '../db/tenants.ts';
import { parseCookies } from './http.ts';

export const SESSION_COOKIE = 'vx_session';
export const SESSION_TTL_MS = 7 * 24 * 3600_000;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string;
  tenantSlug: string;
  tenantName: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** `; Secure` when the page was served over HTTPS: the browser then never sends the cookie in clear */
const secureFlag = (secure: boolean) => (secure ? '; Secure' : '');

export async function createSession(
  db: Queryable,
  userId: string,
  now: Date,
  secure = false,
): Promise<{ token: string; cookie: string }> {
  // expired sessions go when a new one is made: no timer, and the table stays small
  await db.query('delete from sessions where expires_at <= $1', [now.toISOString()]);
  const token = randomBytes(32).toString('base64url');
  await db.query('insert into sessions (token_hash, user_id, expires_at) values ($1, $2, $3)', [
    hashToken(token),
    userId,
    new Date(now.getTime() + SESSION_TTL_MS).toISOString(),
  ]);
  return {
    token,
    cookie:
      `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}` +
      secureFlag(secure),
  };
}

export const clearCookie = (secure = false) =>
  `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secureFlag(secure)}`;

export function sessionToken(req: IncomingMessage): string | undefined {
  const t = parseCookies(req.headers.cookie)[SESSION_COOKIE];
  return t && /^[A-Za-z0-9_-]{20,100}$/.test(t) ? t : undefined;
}

export async function sessionUser(db: Queryable, token: string, now: Date): Promise<SessionUser | undefined> {
  const [r] = await db.query<Record<string, string>>(
    `select u.id, u.email, u.name, u.role, t.id as tenant_id, t.slug, t.name as tenant_name
     from sessions s join users u on u.id = s.user_id join tenants t on t.id = u.tenant_id
     where s.token_hash = $1 and s.expires_at > $2`,
    [hashToken(token), now.toISOString()],
  );
  return (
    r && {
      id: r.id!,
      email: r.email!,
      name: r.name!,
      role: r.role as Role,
      tenantId: r.tenant_id!,
      tenantSlug: r.slug!,
      tenantName: r.tenant_name!,
    }
  );
}

export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.query('delete from sessions where token_hash = $1', [hashToken(token)]);
}

/** At most `max` failed logins per key within `windowMs`; a success clears the key. */
export class LoginLimiter {
  readonly #failures = new Map<string, number[]>();

  constructor(
    readonly max = 5,
    readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  #recent(key: string): number[] {
    const cutoff = this.now() - this.windowMs;
    const list = (this.#failures.get(key) ?? []).filter((t) => t > cutoff);
    if (list.length) this.#failures.set(key, list);
    else this.#failures.delete(key);
    return list;
  }

  /** ms until another attempt is allowed; 0 when allowed now */
  retryAfterMs(key: string): number {
    const list = this.#recent(key);
    return list.length < this.max ? 0 : list[0]! + this.windowMs - this.now();
  }

  fail(key: string): void {
    const list = this.#recent(key);
    list.push(this.now());
    this.#failures.set(key, list);
    // bounded memory under a flood
    if (this.#failures.size > 10_000) for (const k of [...this.#failures.keys()].slice(0, 1000)) this.#recent(k);
  }

  succeed(key: string): void {
    this.#failures.delete(key);
  }

  forgetMatching(match: (key: string) => boolean): void {
    for (const k of [...this.#failures.keys()]) if (match(k)) this.#failures.delete(k);
  }
}

export interface LoginLimitSettings {
  /** one address trying one email (a typo-prone user) */
  pair: { max: number; windowMs: number };
  /** one address trying many emails (probe finding 7: 40 emails from one address were never limited) */
  address: { max: number; windowMs: number };
  /**
   * one email tried from many addresses (a distributed guess). Higher than `pair`, so one attacker
   * address cannot lock a real user out alone; the owner can unlock a user at once.
   */
  email: { max: number; windowMs: number };
}

export const LOGIN_LIMITS: LoginLimitSettings = {
  pair: { max: 5, windowMs: 60_000 },
  address: { max: 20, windowMs: 10 * 60_000 },
  email: { max: 10, windowMs: 15 * 60_000 },
};

/**
 * The three login limits together. The address is the client's real one (clientAddress: the
 * socket's, or the trusted proxy's X-Forwarded-For), so users behind one proxy are not one address.
 */
export class LoginLimits {
  readonly #pair: LoginLimiter;
  readonly #address: LoginLimiter;
  readonly #email: LoginLimiter;

  constructor(now: () => number = Date.now, s: LoginLimitSettings = LOGIN_LIMITS) {
    this.#pair = new LoginLimiter(s.pair.max, s.pair.windowMs, now);
    this.#address = new LoginLimiter(s.address.max, s.address.windowMs, now);
    this.#email = new LoginLimiter(s.email.max, s.email.windowMs, now);
  }

  /** ms until this address may try this email again; 0 when it may now */
  retryAfterMs(address: string, email: string): number {
    const e = email.trim().toLowerCase();
    return Math.max(
      this.#pair.retryAfterMs(`${address}|${e}`),
      this.#address.retryAfterMs(address),
      this.#email.retryAfterMs(e),
    );
  }

  fail(address: string, email: string): void {
    const e = email.trim().toLowerCase();
    this.#pair.fail(`${address}|${e}`);
    this.#address.fail(address);
    this.#email.fail(e);
  }

  /** a right password clears that email's counts; the address keeps its own (one account must not reset a sweep) */
  succeed(address: string, email: string): void {
    const e = email.trim().toLowerCase();
    this.#pair.succeed(`${address}|${e}`);
    this.#email.succeed(e);
  }

  /** the owner's unlock: the email may be tried again at once from any address not itself limited */
  unlock(email: string): void {
    const e = email.trim().toLowerCase();
    this.#email.succeed(e);
    this.#pair.forgetMatching((k) => k.endsWith(`|${e}`));
  }
}
