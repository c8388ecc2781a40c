/**
 * A stand-in for the web server's internal records API (web/server/RECORDS-API.md) over
 * MemoryRecords: signatures checked, every route of the contract, everything kept for
 * assertions. For agent tests that need a records server before (or without) the real one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Signer } from '../http-client.ts';
import { MemoryRecords } from '../memory-records.ts';
import type { KnowledgeBase } from '../../knowledge/schema.ts';
import { RecordsError } from '../types.ts';

export interface StandInRecordsServer {
  url: string;
  records: MemoryRecords;
  /** requests whose signature was wrong or stale */
  rejected: number;
  close(): Promise<void>;
}

export async function startStandInRecordsServer(o: { kb: KnowledgeBase; secret: string; sign: Signer; now?: () => Date }): Promise<StandInRecordsServer> {
  const records = new MemoryRecords(o.kb, o.now);
  const state = { rejected: 0 };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: String(err) }));
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const c of req) body += c;
    const ts = String(req.headers['x-voxanne-timestamp'] ?? '');
    if (req.headers['x-voxanne-signature'] !== o.sign(o.secret, ts, req.method ?? '', req.url ?? '', body)) {
      state.rejected++;
      return send(res, 401, { error: 'bad signature' });
    }
    if (Math.abs(Date.now() - Number(ts)) > 60_000) {
      state.rejected++;
      return send(res, 401, { error: 'stale signature' });
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname.replace(/^\/internal\/v1/, '');
    const json = body ? (JSON.parse(body) as Record<string, unknown>) : {};
    const q = (k: string) => url.searchParams.get(k) ?? '';
    try {
      let m: RegExpExecArray | null;
      if ((m = /^\/tenants\/([^/]+)\/config$/.exec(path)) && req.method === 'GET') {
        const kb = o.kb;
        return send(res, 200, { tenant: m[1], agentName: kb.agent.name, voice: kb.agent.voice, greeting: kb.agent.greeting, instructions: '', silenceTimeoutMs: 3000, knowledgeBase: kb });
      }
      if (/^\/tenants\/[^/]+\/availability$/.test(path)) return send(res, 200, { slots: await records.availability(q('date'), q('service')) });
      if (/^\/tenants\/[^/]+\/bookings$/.test(path) && req.method === 'POST') return send(res, 201, { booking: await records.book(json as never) });
      if (/^\/tenants\/[^/]+\/bookings$/.test(path)) return send(res, 200, { bookings: await records.findByPhone(q('phone')) });
      if ((m = /^\/tenants\/[^/]+\/bookings\/([^/]+)\/reschedule$/.exec(path))) return send(res, 200, { booking: await records.reschedule(decodeURIComponent(m[1]!), String(json.startsAt)) });
      if ((m = /^\/tenants\/[^/]+\/bookings\/([^/]+)\/cancel$/.exec(path))) return send(res, 200, { booking: await records.cancel(decodeURIComponent(m[1]!)) });
      if (path === '/calls' && req.method === 'POST') {
        const known = records.calls.has(String(json.callId));
        records.start(json as never);
        return send(res, known ? 200 : 201, { callId: json.callId });
      }
      if ((m = /^\/calls\/([^/]+)\/(turns|states|end)$/.exec(path)) && req.method === 'POST') {
        const id = decodeURIComponent(m[1]!);
        if (m[2] === 'turns') records.turn(id, json as never);
        else if (m[2] === 'states') records.state(id, json as never);
        else records.end(id, json as never);
        return send(res, m[2] === 'end' ? 200 : 201, {});
      }
      return send(res, 404, { error: `no route ${req.method} ${path}` });
    } catch (err) {
      const e = err as RecordsError;
      return send(res, e instanceof RecordsError && e.status ? e.status : 500, { error: e.message, ...(e.field ? { field: e.field } : {}) });
    }
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    records,
    get rejected() {
      return state.rejected;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
