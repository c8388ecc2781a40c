/** The small HTTP toolkit both record APIs share: typed errors, JSON bodies, zod checks naming the field, cookies. */
import type { IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { BodyTooLargeError, readBody } from '../http-util.ts';

/** An answer other than success; `field` names the offending input for a 400. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** the raw body, refused with 413 past limitBytes */
export async function readText(req: IncomingMessage, limitBytes: number): Promise<string> {
  try {
    return (await readBody(req, limitBytes)).toString('utf8');
  } catch (e) {
    if (e instanceof BodyTooLargeError)
      throw new HttpError(413, `request body must be at most ${limitBytes} bytes`, undefined, { connection: 'close' });
    throw e;
  }
}

export function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body must be valid JSON', 'body');
  }
}

/** validates with zod; the 400 names the first bad field by its path (`engines.mode`) */
export function check<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.join('.') || 'body';
  const message = issue.code === 'invalid_type' && issue.received === 'undefined' ? 'is required' : issue.message;
  throw new HttpError(400, `${field}: ${message}`, field);
}

/**
 * The path of the first string (or object key) in a parsed JSON value that holds a NUL byte or a
 * lone UTF-16 surrogate, or undefined. PostgreSQL text can store neither (U+0000; no UTF-8 for a
 * half pair): such a value must be refused with a 400 naming the field before it reaches a query
 * (where it would fail as a 500).
 */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function nulField(value: unknown, path: string): string | undefined {
  // depth-first with an explicit stack: a 256 KB body can nest arrays deeper than the call stack
  const stack: [unknown, string][] = [[value, path]];
  while (stack.length) {
    const [v, at] = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return at;
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, x] = entries[i]!;
      const here = at ? `${at}.${k}` : k;
      if (UNSTORABLE.test(k)) return here;
      stack.push([x, here]);
    }
  }
  return undefined;
}

/** refuses a NUL byte anywhere in a request's parameters, query or body, naming where (`root` for a bare string) */
export function refuseNul(value: unknown, root: string): void {
  const field = nulField(value, '');
  if (field === undefined) return;
  const name = JSON.stringify(field).slice(1, -1) || root;
  throw new HttpError(400, `${name} must not contain a NUL byte or a lone surrogate`, name);
}

export function queryObject(search: URLSearchParams): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of search) if (!(k in o)) o[k] = v; // the first of repeated keys
  return o;
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i < 1) continue;
    const k = part.slice(0, i).trim();
    if (!(k in out)) out[k] = part.slice(i + 1).trim();
  }
  return out;
}

/** the client's address: the socket's own, never a header a caller could forge */
export function clientIp(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}
