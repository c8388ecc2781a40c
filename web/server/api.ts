import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { WebConfig } from './config.ts';
import { probeLivekit } from './health.ts';
import { methodNotAllowed, sendJson } from './http-util.ts';
import type { Records } from './records/index.ts';
import type { WebMetrics } from './metrics.ts';
import type { TokenEndpoint } from './token-endpoint.ts';

export interface ApiDeps {
  config: WebConfig;
  logger: Logger;
  records?: Records | undefined;
  /** POST /api/token: opens each caller's room with Voxanne dispatched into it (token-endpoint.ts) */
  tokens: TokenEndpoint;
  metrics?: WebMetrics;
}

/** Handles every /api/* path; anything unknown is a JSON 404 so the client never receives the SPA page. */
export async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  deps: ApiDeps,
): Promise<void> {
  switch (pathname) {
    case '/api/token':
      if (req.method !== 'POST') return methodNotAllowed(res, ['POST']);
      return deps.tokens.handle(req, res, () => deps.metrics?.tokensIssued.inc());
    case '/api/connection':
      // where the page will connect, before any call: it warms that connection up (room.prepareConnection)
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, ['GET', 'HEAD']);
      return sendJson(res, 200, { url: deps.config.livekitUrl });
    case '/api/health':
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, ['GET', 'HEAD']);
      return sendJson(res, 200, { ok: true, livekit: await probeLivekit(deps.config.livekitUrl) });
    default:
      if (deps.records && (await deps.records.dashboard(req, res))) return;
      return sendJson(res, 404, { error: `no such API route: ${pathname}` });
  }
}

/** The agent's signed internal API (RECORDS-API.md). */
export async function handleInternal(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  deps: ApiDeps,
): Promise<void> {
  if (!deps.records) return sendJson(res, 503, { error: 'the records database is not configured on this server' });
  if (await deps.records.internal(req, res)) return;
  sendJson(res, 404, { error: `no such internal route: ${pathname}` });
}
