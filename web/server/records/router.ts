/**
 * One route table per API, matched here: access checks (signature, session, owner), body limits,
 * JSON parsing and typed errors happen once for every route, so a route cannot forget them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { NONCE_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@voxanne/contracts/records-api';
import { verifyRecordsRequest, type NonceLedger } from '@voxanne/contracts/signature';
import type { AuditAction } from '@voxanne/contracts/dashboard';
import type { ProxyTrust } from '../client-address.ts';
import { appendAudit } from '../db/audit.ts';
import type { Db } from '../db/db.ts';
import { sendJson } from '../http-util.ts';
import { sessionToken, sessionUser, type LoginLimits, type SessionUser } from './auth.ts';
import { clientIp, HttpError, parseJson, queryObject, readText, refuseNul, type Reply } from './http.ts';
import type { LiveHub } from './live-hub.ts';

export interface RecordsDeps {
  db: Db;
  hub: LiveHub;
  limiter: LoginLimits;
  logger: Logger;
  /** RECORDS_API_KEY: the internal API's signing key (never LiveKit's secret) */
  secret: string;
  /** the signed requests' nonces already spent */
  nonces: NonceLedger;
  /** VOXANNE_DEV=1: the demo users' published password may log in */
  devMode: boolean;
  /** TRUST_PROXY and PUBLIC_URL: the client's real address, and whether cookies must be Secure */
  proxy: ProxyTrust;
  now: () => Date;
  /** a clinic's settings were saved (the web server replaces its standby calls: standby-pool.ts) */
  settingsSaved?: () => void;
  /** FHIR_ALLOWED_ORIGINS: the EHR origins a clinic's settings may name (unset: any secure URL) */
  fhirAllowedOrigins?: readonly string[] | undefined;
}

/** public: anyone; user: a logged-in user of any role; owner: owners only; signed: the agent (HMAC) */
export const ACCESS = ['public', 'user', 'owner', 'signed'] as const;
export type Access = (typeof ACCESS)[number];

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  /** set for user and owner routes */
  user: SessionUser | undefined;
  deps: RecordsDeps;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  access: Access;
  /**
   * a view of patient information: each successful answer is recorded in the audit trail
   * (db/audit.ts) before it is sent; target names what was seen (a call id, a list's filter)
   */
  audit?: { action: AuditAction; target(ctx: Ctx): string };
  maxBodyBytes?: number;
  /** a Reply is sent as JSON; 'streamed' means the handler owns the response (SSE) */
  handler(ctx: Ctx): Promise<Reply | 'streamed'>;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

export function compile(routes: readonly Route[]): Compiled[] {
  return routes.map((route) => {
    const names: string[] = [];
    const re = route.path.replace(/:([a-zA-Z]+)/g, (_, n: string) => {
      names.push(n);
      return '([^/]+)';
    });
    return { route, re: new RegExp(`^${re}$`), names };
  });
}

/** a browser's write from a page of another origin (requests without Origin, like curl's, are not browsers' writes) */
function crossSite(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

/** false when no route has this path (the caller answers 404); otherwise the request is answered */
export async function dispatch(
  table: Compiled[],
  req: IncomingMessage,
  res: ServerResponse,
  deps: RecordsDeps,
): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const matches = table
    .map((c) => ({ c, m: c.re.exec(url.pathname) }))
    .filter((x): x is { c: Compiled; m: RegExpExecArray } => x.m !== null);
  if (!matches.length) return false;
  const hit = matches.find(
    (x) => x.c.route.method === req.method || (x.c.route.method === 'GET' && req.method === 'HEAD'),
  );
  if (!hit) {
    const allowed = [...new Set(matches.map((x) => x.c.route.method))];
    sendJson(res, 405, { error: `method not allowed; use ${allowed.join(' or ')}` }, { allow: allowed.join(', ') });
    return true;
  }
  const { route, names } = hit.c;
  try {
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(hit.m[i + 1]!);
      } catch {
        throw new HttpError(400, `${n} is not a valid path segment`, n);
      }
    });
    refuseNul(params, 'path');
    const hasBody = route.method === 'POST' || route.method === 'PUT';
    const text =
      hasBody || route.access === 'signed' ? await readText(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES) : '';
    let user: SessionUser | undefined;
    if (route.access === 'signed') {
      const h = (k: string) => (typeof req.headers[k] === 'string' ? (req.headers[k] as string) : undefined);
      const v = verifyRecordsRequest(
        deps.secret,
        {
          timestamp: h(TIMESTAMP_HEADER),
          nonce: h(NONCE_HEADER),
          signature: h(SIGNATURE_HEADER),
          method: req.method ?? '',
          path: req.url ?? '',
          body: text,
        },
        deps.now().getTime(),
        deps.nonces,
      );
      if (!v.ok) throw new HttpError(401, v.error);
    } else if (hasBody && crossSite(req)) {
      // the cookie is SameSite=Lax already; this also refuses a same-site but foreign-origin page
      throw new HttpError(403, 'cross-site request refused');
    }
    if (route.access === 'user' || route.access === 'owner') {
      const token = sessionToken(req);
      user = token ? await sessionUser(deps.db, token, deps.now()) : undefined;
      if (!user) throw new HttpError(401, 'not logged in');
      if (route.access === 'owner' && user.role !== 'owner')
        throw new HttpError(403, 'only the clinic owner can do this');
    }
    const query = queryObject(url.searchParams);
    refuseNul(query, 'query');
    const body = hasBody ? parseJson(text) : undefined;
    refuseNul(body, 'body');
    const ctx: Ctx = {
      req,
      res,
      params,
      query,
      body,
      user,
      deps,
    };
    const reply = await route.handler(ctx);
    if (route.audit && user && (reply === 'streamed' || reply.status < 300))
      // awaited: a view that cannot be recorded fails (a 500; a stream is cut) instead of going on unrecorded
      await appendAudit(deps.db, {
        tenantId: user.tenantId,
        at: deps.now(),
        user: { id: user.id, email: user.email, name: user.name },
        action: route.audit.action,
        target: route.audit.target(ctx),
        ip: clientIp(req),
        userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : undefined,
      });
    if (reply === 'streamed') return true;
    if (reply.status === 204) {
      res.writeHead(204, { 'cache-control': 'no-store', ...reply.headers });
      res.end();
    } else sendJson(res, reply.status, reply.body ?? {}, reply.headers);
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    if (res.headersSent) return true;
    sendJson(res, err.status, { error: err.message, ...(err.field ? { field: err.field } : {}) }, err.headers);
  }
  return true;
}
