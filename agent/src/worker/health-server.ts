/**
 * The worker's operations port (AGENT_METRICS_PORT): `/metrics` (Prometheus), `/healthz` (the
 * process answers) and `/readyz` (it can take a call now: LiveKit and the records server reachable,
 * a warm job process waiting, not draining). The agents library's own port (AGENT_HTTP_PORT) keeps
 * answering LiveKit's health check as before.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readiness, type Readiness } from '@voxanne/contracts/health';

export const PROBE_TIMEOUT_MS = 1500;

export interface HealthServerOptions {
  port: number;
  host: string;
  livekitUrl: string;
  /** the web server's base URL (VOXANNE_RECORDS_URL); unset = no records, nothing to probe */
  recordsUrl?: string | undefined;
  metrics(): Promise<{ contentType: string; body: string }>;
  warmProcesses(): number;
  draining(): boolean;
  fetch?: typeof fetch;
}

/** Any HTTP answer from LiveKit's root path counts as up; a refusal or a timeout is down. */
async function probe(url: string, f: typeof fetch): Promise<Response | undefined> {
  try {
    return await f(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  } catch {
    return undefined; // refused, timed out, not HTTP: all the same to a readiness check
  }
}

export async function checkReadiness(o: HealthServerOptions): Promise<Readiness> {
  const f = o.fetch ?? fetch;
  const [lk, rec] = await Promise.all([
    probe(o.livekitUrl.replace(/^ws(s?):\/\//, 'http$1://'), f),
    o.recordsUrl ? probe(new URL('/readyz', o.recordsUrl).href, f) : Promise.resolve(undefined),
  ]);
  await lk?.body?.cancel();
  let db: 'up' | 'down' | 'none' = 'none';
  if (o.recordsUrl) {
    // the web server's own readiness names its database; the agent reaches the database only through it
    const body = rec ? ((await rec.json().catch(() => ({}))) as { checks?: { db?: unknown } }) : {};
    db = body.checks?.db === 'up' ? 'up' : 'down';
  }
  return readiness({
    livekit: lk ? 'up' : 'down',
    db,
    engines: o.warmProcesses() > 0 ? 'warm' : 'cold',
    draining: o.draining(),
  });
}

export async function startHealthServer(o: HealthServerOptions): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const reply = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'GET only\n');
    const work = async () => {
      switch (path) {
        case '/metrics': {
          const m = await o.metrics();
          return reply(200, m.contentType, m.body);
        }
        case '/healthz':
          return reply(200, 'application/json', JSON.stringify({ ok: true }));
        case '/readyz': {
          const r = await checkReadiness(o);
          return reply(r.ready ? 200 : 503, 'application/json', JSON.stringify(r));
        }
        default:
          return reply(404, 'text/plain', 'not found\n');
      }
    };
    work().catch((err: unknown) => reply(500, 'text/plain', `${String(err)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
