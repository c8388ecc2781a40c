/**
 * The fuzz run over the web server's HTTP surfaces (the token API, the dashboard API, the internal
 * API signed and unsigned, the live stream, any path): a web server with its records on a fresh
 * PGlite, `cases` generated requests from a seed, each answer judged (judge.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createWebServer, stopWebServer } from '../app.ts';
import { openPglite } from '../db/db.ts';
import { migrate } from '../db/migrations.ts';
import { createRecords } from '../records/index.ts';
import { callStart, login, makeClinic, SECRET, signed } from '../records/testing.ts';
import { SILENT, stubRooms, testConfig } from '../test-support.ts';
import { generate, SURFACES, type FuzzRequest, type Surface } from './cases.ts';
import { judge } from './judge.ts';
import { Rng } from './rng.ts';
import { fuzzTwilio, type TwilioSurface } from './twilio.ts';

/** the Twilio surfaces' key in the fuzz server (web/server/fuzz/twilio.ts signs with it) */
const TWILIO_TOKEN = 'fuzz-twilio-auth-token';

export interface FuzzFailure {
  case: number;
  request: (Omit<FuzzRequest, 'body'> & { body?: string }) | { surface: TwilioSurface; sample: string };
  problem: string;
}

export interface FuzzResult {
  seed: number;
  cases: number;
  bySurface: Record<Surface | TwilioSurface, number>;
  byStatus: Record<string, number>;
  failures: FuzzFailure[];
}

function send(base: URL, q: FuzzRequest): Promise<{ status: number | undefined; contentType: string; body: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: base.hostname, port: base.port, method: q.method, path: q.path, headers: q.headers, agent: false },
      (res) => {
        const contentType = String(res.headers['content-type'] ?? '');
        if (q.stream && res.statusCode === 200) {
          res.destroy();
          return resolve({ status: 200, contentType, body: '' });
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c.length + body.length < 2_000_000 ? c : ''));
        res.on('end', () => resolve({ status: res.statusCode, contentType, body }));
        res.on('error', () => resolve({ status: undefined, contentType, body }));
      },
    );
    req.on('error', () => resolve({ status: undefined, contentType: '', body: '' }));
    req.setTimeout(10_000, () => req.destroy());
    req.end(q.body);
  });
}

export async function runFuzz(o: {
  cases: number;
  seed: number;
  onProgress?: (done: number) => void;
}): Promise<FuzzResult> {
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-fuzz-'));
  const db = await openPglite(dir);
  try {
    await migrate(db);
    const clinic = await makeClinic(db, 'fuzz');
    const records = createRecords(db, { logger: SILENT, secret: SECRET });
    // the token API opens a room per valid request: a stand-in here, so the fuzz needs no LiveKit
    const rooms = stubRooms();
    const twilio = { channel: 'media-streams' as const, authToken: TWILIO_TOKEN, numbers: {} };
    const server = createWebServer(testConfig({ livekitApiSecret: SECRET, twilio }), {
      logger: SILENT,
      records,
      rooms,
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const callId = 'fuzz-call-1';
      await signed(base.origin, 'POST', '/internal/v1/calls', callStart(callId, 'fuzz'));
      const cookies = [await login(base.origin, clinic.owner), await login(base.origin, clinic.staff)];
      const target = { secret: SECRET, tenant: 'fuzz', callId, cookies, now: Date.now };
      const rng = new Rng(o.seed);
      const result: FuzzResult = {
        seed: o.seed,
        cases: 0,
        bySurface: Object.fromEntries(SURFACES.map((s) => [s, 0])) as FuzzResult['bySurface'],
        byStatus: {},
        failures: [],
      };
      for (let i = 0; i < o.cases; i++) {
        const q = generate(rng, SURFACES[i % SURFACES.length]!, target);
        const a = await send(base, q);
        result.cases++;
        result.bySurface[q.surface]++;
        const key = a.status === undefined ? 'dropped' : String(a.status);
        result.byStatus[key] = (result.byStatus[key] ?? 0) + 1;
        const problem = judge({ ...a, api: q.api, method: q.method });
        if (problem)
          result.failures.push({
            case: i,
            request: { ...q, ...(q.body !== undefined ? { body: q.body.slice(0, 300) } : {}) },
            problem,
          });
        if ((i + 1) % 1000 === 0) o.onProgress?.(i + 1);
      }
      // the Twilio webhook and sockets: a tenth as many cases again (each socket case is several messages)
      const tw = await fuzzTwilio(base, TWILIO_TOKEN, rng, Math.ceil(o.cases / 10));
      result.cases += tw.cases;
      Object.assign(result.bySurface, tw.bySurface);
      for (const [k, n] of Object.entries(tw.byStatus)) result.byStatus[k] = (result.byStatus[k] ?? 0) + n;
      for (const f of tw.failures)
        result.failures.push({
          case: o.cases + f.case,
          request: { surface: f.surface, sample: f.sample },
          problem: f.problem,
        });
      // the server is still there and still answers a good request
      const health = await send(base, {
        surface: 'paths',
        method: 'GET',
        path: '/api/me',
        headers: { cookie: cookies[0]! },
        api: true,
      });
      if (health.status !== 200)
        result.failures.push({
          case: -1,
          request: { surface: 'paths', method: 'GET', path: '/api/me', headers: {}, api: true },
          problem: `after the run /api/me answers ${health.status}`,
        });
      return result;
    } finally {
      await stopWebServer(server);
    }
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
