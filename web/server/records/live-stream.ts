/** GET /api/live/stream: Server-Sent Events, one `call` event per call start, state change and end, for the user's clinic only. */
import { liveCalls, type LiveCall } from '../db/calls.ts';
import type { Ctx } from './router.ts';

/** a comment line now and then keeps proxies from closing an idle stream */
export const HEARTBEAT_MS = 15_000;

export async function openLiveStream(ctx: Ctx): Promise<void> {
  const { req, res, deps } = ctx;
  const tenantId = ctx.user!.tenantId;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (call: LiveCall) => res.write(`event: call\ndata: ${JSON.stringify(call)}\n\n`);
  res.write('retry: 2000\n\n');
  const unsubscribe = deps.hub.subscribe(tenantId, send);
  // what is already in progress, so a page opened mid-call needs no second request
  for (const call of await liveCalls(deps.db, tenantId, deps.now())) send(call);
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.once('close', close);
  res.once('close', close);
}
