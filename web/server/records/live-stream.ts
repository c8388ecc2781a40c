/**
 * GET /api/live/stream: Server-Sent Events, one `call` event per
 * call start, state change and end, for the user's clinic only.
 */
import { createHash } from 'node:crypto';
import { liveCalls, type LiveCall } from '../db/calls.ts';
import { sessionToken } from './auth.ts';
import { HttpError } from './http.ts';
import type { Ctx } from './router.ts';

/** a comment line now and then keeps proxies from closing an idle stream */
export const HEARTBEAT_MS = 15_000;
/**
 * Open streams one login session may hold: a few dashboard tabs, not hundreds of held sockets
 * (each costs a connection, a listener and a heartbeat timer).
 */
export const MAX_STREAMS_PER_SESSION = 5;

export async function openLiveStream(ctx: Ctx): Promise<void> {
  const { req, res, deps } = ctx;
  const tenantId = ctx.user!.tenantId;
  const sessionKey = createHash('sha256')
    .update(sessionToken(req) ?? '')
    .digest('hex');
  const release = deps.hub.openStream(sessionKey, MAX_STREAMS_PER_SESSION);
  if (!release)
    throw new HttpError(
      429,
      `at most ${MAX_STREAMS_PER_SESSION} live streams per login session; close another dashboard tab`,
      undefined,
      { 'retry-after': '5' },
    );
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  if (req.method === 'HEAD') {
    // the head alone: a HEAD answer has no body, so the stream would never flush or end
    release();
    res.end();
    return;
  }
  const send = (call: LiveCall) => res.write(`event: call\ndata: ${JSON.stringify(call)}\n\n`);
  res.write('retry: 2000\n\n');
  const unsubscribe = deps.hub.subscribe(tenantId, send);
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
    release();
  };
  // registered before the first await: a client gone while the calls are read still releases its place
  req.once('close', close);
  res.once('close', close);
  // what is already in progress, so a page opened mid-call needs no second request
  for (const call of await liveCalls(deps.db, tenantId, deps.now())) send(call);
  heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
}
