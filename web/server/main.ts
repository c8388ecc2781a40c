import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { piiLogOptions } from '@voxanne/contracts/env';
import { pino } from 'pino';
import { createWebServer, stopWebServer } from './app.ts';
import { parseWebConfig } from './config.ts';
import { openRecords, type Records } from './records/index.ts';
import { Reaper } from './records/reaper.ts';
import { WebMetrics } from './metrics.ts';

const parsed = parseWebConfig(process.env);
if (!parsed.ok) {
  for (const e of parsed.errors) console.error(`Configuration error: ${e}`);
  process.exit(1);
}
const config = parsed.config;
const logger = pino({ name: 'web', ...piiLogOptions(config.logPii) });

if (config.mode === 'static' && !existsSync(join(config.distDir, 'index.html'))) {
  console.error(`${config.distDir}/index.html not found — build the client first: npm run build --workspace web`);
  process.exit(1);
}

let records: Records;
try {
  records = await openRecords(config, logger);
} catch (err) {
  const where = config.databaseUrl ? 'DATABASE_URL' : `DATA_DIR (${config.dataDir})`;
  console.error(`records database failed to open (${where}): ${(err as Error).message}`);
  process.exit(1);
}

let stopping = false;
// created before the reaper: the server times every query of the records database, the reaper's too
const server = createWebServer(config, { logger, records, metrics: new WebMetrics(), draining: () => stopping });

// calls left in progress by an agent that died, with no room behind them, are closed
const reaper = new Reaper({
  db: records.deps.db,
  hub: records.deps.hub,
  logger,
  livekit: { url: config.livekitUrl, apiKey: config.livekitApiKey, apiSecret: config.livekitApiSecret },
  intervalMs: config.reaperIntervalMs,
  graceMs: config.reaperGraceMs,
});
reaper.start();

server.once('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') {
    console.error(`port ${config.port} is already in use — stop the other process or set PORT`);
  } else {
    console.error(`web server failed to start: ${err.message}`);
  }
  process.exit(1);
});
server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo; // the real one when PORT=0
  logger.info(
    { url: `http://${config.host}:${port}`, mode: config.mode, livekitUrl: config.livekitUrl },
    'web server listening',
  );
});

/** Vite can take a while to close mid-optimisation; nobody should have to kill -9 a dev server. */
const STOP_GRACE_MS = 5000;
const shutdown = () => {
  if (stopping) {
    console.error('second stop signal: exiting now');
    process.exit(1);
  }
  stopping = true;
  setTimeout(() => {
    console.error(`web server did not stop within ${STOP_GRACE_MS} ms; exiting anyway`);
    process.exit(1);
  }, STOP_GRACE_MS);
  stopWebServer(server)
    .then(() => reaper.stop())
    .then(() => records.close())
    .then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`web server did not stop cleanly: ${(err as Error).message}`);
        process.exit(1);
      },
    );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
