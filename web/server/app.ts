import { createServer, type Server } from 'node:http';
import { piiLogOptions } from '@voxanne/contracts/env';
import { pino, type Logger } from 'pino';
import { handleApi, handleInternal } from './api.ts';
import { livekitCallRooms, type CallRooms } from './call-rooms.ts';
import { createClientHandler, type ClientHandler } from './client-handler.ts';
import type { WebConfig } from './config.ts';
import { sendJson } from './http-util.ts';
import type { Records } from './records/index.ts';
import { clinicGreeting } from './twilio/clinic-greeting.ts';
import { attachTwilioSockets, closeTwilioSockets, handleTwilio, isTwilioPath } from './twilio/index.ts';
import { handleOps, isOpsPath, WebMetrics } from './metrics.ts';
import { contentSecurityPolicy, hostAllowed, setSecurityHeaders } from './security.ts';
import { StandbyPool, type StandbyRooms } from './standby-pool.ts';
import { TokenEndpoint } from './token-endpoint.ts';

export type { WebConfig } from './config.ts';

export interface WebServerOptions {
  logger?: Logger;
  /** the database-backed routes (dashboard /api/* and the agent's /internal/v1/*); without it they answer 503 */
  records?: Records;
  /** where callers' rooms are opened (default: this config's LiveKit, with its agent dispatched) */
  rooms?: CallRooms;
  /** where standby calls are held (default: this config's LiveKit when `rooms` is not given; else none) */
  standbyRooms?: CallRooms & StandbyRooms;
  /** after a standby could not be opened, the next try waits this long (default STANDBY_RETRY_MS) */
  standbyRetryMs?: number;
  /** the Prometheus registry behind /metrics (default: a new one); its database timing wraps `records` */
  metrics?: WebMetrics;
  /** true once the server is stopping: /readyz answers 503 */
  draining?: () => boolean;
}

const clients = new WeakMap<Server, ClientHandler>();
const standbys = new WeakMap<Server, StandbyPool>();

/**
 * The web server, not yet listening (tests listen on port 0): /api/token, /api/health, and the client.
 * Stop it with stopWebServer, which also stops Vite in dev mode.
 */
export function createWebServer(config: WebConfig, options: WebServerOptions = {}): Server {
  const logger = options.logger ?? pino({ name: 'web', ...piiLogOptions(config.logPii) });
  const server = createServer();
  const client = createClientHandler(config, server);
  const livekit = options.rooms ? undefined : livekitCallRooms(config);
  const rooms = options.rooms ?? livekit!;
  const standbyRooms = options.standbyRooms ?? livekit;
  // the standby calls (WEB_STANDBY_CALLS): rooms held open for the next web callers, for the clinic the
  // token route serves (standby-pool.ts); replaced when that clinic's settings are saved
  const standby =
    config.webStandbyCalls > 0 && standbyRooms
      ? new StandbyPool({
          size: config.webStandbyCalls,
          tenant: config.defaultTenant,
          rooms: standbyRooms,
          logger,
          ...(options.standbyRetryMs !== undefined ? { retryMs: options.standbyRetryMs } : {}),
        })
      : undefined;
  if (standby) {
    standbys.set(server, standby);
    if (options.records) options.records.deps.settingsSaved = () => standby.settingsChanged();
    server.once('listening', () => void standby.start());
  }
  const tokens = new TokenEndpoint(config, rooms, logger, undefined, standby);
  clients.set(server, client);
  const welcomeGreeting = options.records ? clinicGreeting(options.records) : undefined;
  attachTwilioSockets(server, { config, logger, rooms });
  const metrics = options.metrics ?? new WebMetrics();
  // every query the records make from here on is timed (the records' routes and the reaper read deps.db)
  if (options.records) options.records.deps.db = metrics.timedDb(options.records.deps.db);
  const draining = options.draining ?? (() => false);

  const csp = contentSecurityPolicy(config);

  server.on('request', (req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    setSecurityHeaders(req, res, config, csp);
    // DNS rebinding: a foreign name that resolves to this machine gets nothing, on every route
    if (!hostAllowed(req.headers.host, config.allowedHosts)) {
      sendJson(res, 403, { error: 'this host name is not served here (see ALLOWED_HOSTS / PUBLIC_URL)' });
      return;
    }
    const isApi = rawPath === '/api' || rawPath.startsWith('/api/');
    const isInternal = rawPath === '/internal' || rawPath.startsWith('/internal/');
    const deps = {
      config,
      logger,
      records: options.records,
      rooms,
      tokens,
      metrics,
      ...(welcomeGreeting ? { welcomeGreeting } : {}),
    };
    // the operations paths, registered by name: everything else goes where it went before
    const ops = isOpsPath(rawPath) ? rawPath : undefined;
    const area = ops ? 'ops' : isInternal ? 'internal' : isApi ? 'api' : isTwilioPath(rawPath) ? 'twilio' : 'client';
    res.once('finish', () => metrics.answered(area, res.statusCode));
    const work = ops
      ? handleOps(req, res, ops, { metrics, livekitUrl: config.livekitUrl, draining })
      : isInternal
        ? handleInternal(req, res, rawPath, deps)
        : isApi
          ? handleApi(req, res, rawPath, deps)
          : isTwilioPath(rawPath)
            ? handleTwilio(req, res, rawPath, deps)
            : client.handle(req, res, rawPath);
    work.catch((err: unknown) => {
      logger.error({ err, method: req.method, path: rawPath }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal server error' });
      else res.destroy();
    });
  });
  return server;
}

/** Closes the client side (Vite and its HMR sockets in dev mode) and the server, dropping open connections. */
export async function stopWebServer(server: Server): Promise<void> {
  // nobody will be handed them: their rooms close now, and their jobs with them
  await standbys.get(server)?.stop();
  closeTwilioSockets(server);
  await clients.get(server)?.close();
  await new Promise<void>((resolve, reject) => {
    server.close((err) =>
      err && (err as NodeJS.ErrnoException).code !== 'ERR_SERVER_NOT_RUNNING' ? reject(err) : resolve(),
    );
    server.closeAllConnections();
  });
}
