// Helpers shared by the web tests (not loaded by the server itself).
import { request, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createWebServer, stopWebServer, type WebServerOptions } from './app.ts';
import type { CallRoomSpec, CallRooms } from './call-rooms.ts';
import { parseWebConfig, type WebConfig } from './config.ts';

export const SILENT = pino({ level: 'silent' });

/** A port nothing listens on: bound and released, so a connection is refused (tiny race, fine for tests). */
export async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A server's config for tests: the documented defaults (as `npm start`'s dev mode parses them), then
 * what a test must not share with a running stack: its own port, no LiveKit, no data directory, static
 * files, its own secrets, no reaper, production rules (dev mode off).
 */
export function testConfig(overrides: Partial<WebConfig> = {}): WebConfig {
  const defaults = parseWebConfig({ VOXANNE_DEV: '1' });
  if (!defaults.ok) throw new Error(`the default config does not parse: ${defaults.errors.join('; ')}`);
  return {
    ...defaults.config,
    port: 0,
    livekitUrl: 'ws://127.0.0.1:1',
    livekitApiKey: 'testkey',
    livekitApiSecret: 'test-secret-that-is-long-enough-0123456789',
    mode: 'static',
    dataDir: '/nonexistent/voxanne-test-data',
    reaperIntervalMs: 0,
    recordsApiKey: 'test-records-key-that-is-long-enough-0123',
    devMode: false,
    // an in-process server on stub rooms has no LiveKit to hold standbys in; a test about them opts in
    webStandbyCalls: 0,
    ...overrides,
  };
}

/** Rooms that open at once with an agent assigned at once, recording what they were asked. */
export function stubRooms(o: { assigned?: boolean } = {}): CallRooms & { opened: CallRoomSpec[]; closed: string[] } {
  const opened: CallRoomSpec[] = [];
  const closed: string[] = [];
  return {
    opened,
    closed,
    async open(spec) {
      opened.push(spec);
    },
    async agentAssigned() {
      return (o.assigned ?? true) ? 'taken' : 'refused';
    },
    async close(room) {
      closed.push(room);
    },
    async alive(rooms) {
      return new Set(rooms.filter((r) => !closed.includes(r)));
    },
  };
}

export interface Running {
  server: Server;
  baseUrl: string;
  port: number;
  stop(): Promise<void>;
}

export async function startWebServer(config: WebConfig, options: WebServerOptions = {}): Promise<Running> {
  const server = createWebServer(config, { logger: SILENT, ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, port, baseUrl: `http://127.0.0.1:${port}`, stop: () => stopWebServer(server) };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request whose path is sent exactly as given: fetch() would normalise '/../x' before sending it. */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
