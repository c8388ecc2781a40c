/**
 * Dashboard sessions: a random token in the http-only `vx_session` cookie, only its SHA-256 kept
 * in the database, and a login limiter (failures per address and email in a sliding minute).
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

export async function createSession(
  db: Queryable,
  userId: string,
  now: Date,
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
    cookie: `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_TTL_MS / 1000}`,
  };
}

export const CLEAR_COOKIE = `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`;

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
}
