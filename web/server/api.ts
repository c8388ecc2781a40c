import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CallRooms } from './call-rooms.ts';
import type { WebConfig } from './config.ts';
import { probeLivekit } from './health.ts';
import { BodyTooLargeError, methodNotAllowed, readBody, sendJson } from './http-util.ts';
import type { Records } from './records/index.ts';
import type { WebMetrics } from './metrics.ts';
import { mintCallerToken, validateTokenRequest } from './token.ts';

export const MAX_BODY_BYTES = 4 * 1024;

export interface ApiDeps {
  config: WebConfig;
  logger: Logger;
  records?: Records | undefined;
  /** opens each caller's room with Voxanne dispatched into it */
  rooms: CallRooms;
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
      return handleToken(req, res, deps);
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

async function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  { config, logger, rooms, metrics }: ApiDeps,
): Promise<void> {
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_BODY_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError) {
      return sendJson(
        res,
        413,
        { error: `request body must be at most ${MAX_BODY_BYTES} bytes` },
        { connection: 'close' },
      );
    }
    throw e;
  }
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return sendJson(res, 400, { error: 'body must be valid JSON', field: 'body' });
  }
  const v = validateTokenRequest(body);
  if (!v.ok) return sendJson(res, 400, { error: v.error, field: v.field });

  // the room first: a caller who joined a room LiveKit created on the fly would wait for no one
  try {
    await rooms.open(v.value.room);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'opening the call room failed');
    return sendJson(res, 503, { error: 'the voice server cannot be reached; please try again shortly' });
  }
  const token = await mintCallerToken({ apiKey: config.livekitApiKey, apiSecret: config.livekitApiSecret }, v.value);
  logger.info({ room: v.value.room, identity: v.value.identity }, 'token issued');
  metrics?.tokensIssued.inc();
  sendJson(res, 200, { url: config.livekitUrl, token, room: v.value.room, identity: v.value.identity });
}
