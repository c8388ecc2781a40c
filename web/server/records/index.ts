/**
 * The records side of the web server, assembled at start: the database opened and migrated, the
 * first clinic created when there is none (the demo clinic with VOXANNE_DEMO_SEED), and the two
 * route tables ready to dispatch.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ProxyTrust } from '../client-address.ts';
import type { WebConfig } from '../config.ts';
import { openDb, type Db } from '../db/db.ts';
import { migrate } from '../db/migrations.ts';
import { initClinic, seedDemo } from '../db/seed.ts';
import { countTenants, parseKnowledgeBase } from '../db/tenants.ts';
import { NonceLedger } from '@voxanne/contracts/signature';
import { LoginLimits } from './auth.ts';
import { DASHBOARD_ROUTES } from './dashboard-api.ts';
import { INTERNAL_ROUTES } from './internal-api.ts';
import { LiveHub } from './live-hub.ts';
import { compile, dispatch, type RecordsDeps } from './router.ts';

export interface Records {
  deps: RecordsDeps;
  /** answers /api/* routes of the dashboard; false when the path is not one */
  dashboard(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** answers /internal/v1/*; false when the path is not one */
  internal(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

export function createRecords(
  db: Db,
  o: {
    logger: Logger;
    secret: string;
    now?: () => Date;
    limiter?: LoginLimits;
    devMode?: boolean;
    proxy?: ProxyTrust;
    fhirAllowedOrigins?: readonly string[] | undefined;
  },
): Records {
  const deps: RecordsDeps = {
    db,
    hub: new LiveHub(),
    limiter: o.limiter ?? new LoginLimits(),
    logger: o.logger,
    secret: o.secret,
    nonces: new NonceLedger(),
    devMode: o.devMode ?? false,
    proxy: o.proxy ?? { trustProxy: false },
    now: o.now ?? (() => new Date()),
    fhirAllowedOrigins: o.fhirAllowedOrigins,
  };
  const dashboard = compile(DASHBOARD_ROUTES);
  const internal = compile(INTERNAL_ROUTES);
  return {
    deps,
    dashboard: (req, res) => dispatch(dashboard, req, res, deps),
    internal: (req, res) => dispatch(internal, req, res, deps),
    close: () => db.close(),
  };
}

/** Opens, migrates and (when empty) seeds the database named by the config. */
export async function openRecords(config: WebConfig, logger: Logger): Promise<Records> {
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const applied = await migrate(db);
    logger.info(
      { database: db.kind, dataDir: config.databaseUrl ? undefined : config.dataDir, applied },
      'records database ready',
    );
    if ((await countTenants(db)) === 0) {
      if (config.demoSeed) {
        await seedDemo(db, config.knowledgeBasePath);
        logger.info({ tenant: 'riverside' }, 'empty database: demo clinic, users and sample calls created');
      } else {
        const kb = parseKnowledgeBase(await readFile(config.knowledgeBasePath, 'utf8'));
        if (!kb.ok) throw new Error(`${config.knowledgeBasePath}: ${kb.error}`);
        await initClinic(db, { kbPath: config.knowledgeBasePath, slug: config.defaultTenant });
        logger.info(
          { tenant: config.defaultTenant },
          'empty database: default clinic created from the knowledge base (no users; see npm run db:init)',
        );
      }
    }
  } catch (err) {
    await db.close();
    throw err;
  }
  return createRecords(db, {
    logger,
    secret: config.recordsApiKey,
    devMode: config.devMode,
    proxy: { trustProxy: config.trustProxy, publicUrl: config.publicUrl },
    fhirAllowedOrigins: config.fhirAllowedOrigins,
  });
}
