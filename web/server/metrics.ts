/**
 * The web server's operations paths: `/metrics` (Prometheus), `/healthz` (the process answers) and
 * `/readyz` (LiveKit and the records database reachable, not stopping). Calls by channel and status
 * are read from the records at scrape time, so they count every worker's calls, not only this
 * process's; the database's own latency is timed on every query.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readiness } from '@voxanne/contracts/health';
import type { Db, Queryable, Row } from './db/db.ts';
import { probeLivekit } from './health.ts';

export const OPS_PATHS = ['/metrics', '/healthz', '/readyz'] as const;
export type OpsPath = (typeof OPS_PATHS)[number];

export const isOpsPath = (path: string): path is OpsPath => (OPS_PATHS as readonly string[]).includes(path);

const DB_PROBE_TIMEOUT_MS = 1500;

export class WebMetrics {
  readonly registry = new Registry();
  readonly #dbQuery: Histogram<'op' | 'result'>;
  readonly #http: Counter<'area' | 'status'>;
  readonly tokensIssued: Counter;
  /** the database the call gauges read (set once the records are open) */
  #db: Queryable | undefined;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#dbQuery = new Histogram({
      name: 'voxanne_db_query_seconds',
      help: 'records database queries and transactions, by result',
      labelNames: ['op', 'result'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.#http = new Counter({
      name: 'voxanne_http_requests_total',
      help: 'requests answered, by area (api, internal, ops, client) and status class',
      labelNames: ['area', 'status'],
      registers,
    });
    this.tokensIssued = new Counter({
      name: 'voxanne_web_calls_started_total',
      help: 'calls started from the web page (caller tokens issued)',
      registers,
    });
    new Gauge({
      name: 'voxanne_calls',
      help: 'calls in the records, by channel and status (status in_progress = calls active now, on every worker)',
      labelNames: ['channel', 'status'],
      registers,
      collect: async () => {
        if (!this.#db) return;
        const g = this.registry.getSingleMetric('voxanne_calls') as Gauge<'channel' | 'status'>;
        const rows = await this.#db.query<{ channel: string; status: string; n: number }>(
          'select channel, status, count(*)::int as n from call_sessions group by channel, status',
        );
        g.reset();
        for (const channel of ['web', 'sip'])
          for (const status of ['in_progress', 'completed', 'abandoned', 'failed', 'transferred'])
            g.set({ channel, status }, 0);
        for (const r of rows) g.set({ channel: r.channel, status: r.status }, Number(r.n));
      },
    });
  }

  /** `db`, with every query and transaction timed; the call gauges read through it */
  timedDb(db: Db): Db {
    const time = async <T>(op: string, run: () => Promise<T>): Promise<T> => {
      const end = this.#dbQuery.startTimer({ op });
      try {
        const r = await run();
        end({ result: 'ok' });
        return r;
      } catch (err) {
        end({ result: 'error' });
        throw err;
      }
    };
    const timed: Db = {
      kind: db.kind,
      query: <T extends Row>(sql: string, params?: unknown[]) => time('query', () => db.query<T>(sql, params)),
      transaction: (fn) => time('transaction', () => db.transaction(fn)),
      close: () => db.close(),
    };
    this.#db = timed;
    return timed;
  }

  /** counts one answered request */
  answered(area: 'api' | 'internal' | 'ops' | 'twilio' | 'client', status: number): void {
    this.#http.inc({ area, status: `${Math.floor(status / 100)}xx` });
  }

  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Whether the database answers a trivial query in time ('none': this server has no records). */
  async dbStatus(): Promise<'up' | 'down' | 'none'> {
    if (!this.#db) return 'none';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'down'>((resolve) => (timer = setTimeout(() => resolve('down'), DB_PROBE_TIMEOUT_MS)));
    try {
      return await Promise.race([
        this.#db.query('select 1').then(
          () => 'up' as const,
          () => 'down' as const,
        ),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Answers /metrics, /healthz and /readyz. */
export async function handleOps(
  req: IncomingMessage,
  res: ServerResponse,
  path: OpsPath,
  deps: { metrics: WebMetrics; livekitUrl: string; draining(): boolean },
): Promise<void> {
  const reply = (status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return reply(405, 'application/json', JSON.stringify({ error: 'method not allowed' }));
  }
  switch (path) {
    case '/metrics': {
      const m = await deps.metrics.expose();
      return reply(200, m.contentType, m.body);
    }
    case '/healthz':
      return reply(200, 'application/json', JSON.stringify({ ok: true }));
    case '/readyz': {
      const [livekit, db] = await Promise.all([probeLivekit(deps.livekitUrl), deps.metrics.dbStatus()]);
      const r = readiness({ livekit, db, engines: 'n/a', draining: deps.draining() });
      return reply(r.ready ? 200 : 503, 'application/json', JSON.stringify(r));
    }
  }
}
