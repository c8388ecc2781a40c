/**
 * Runs one test suite against both databases: embedded PGlite in a temp directory and a real
 * PostgreSQL started for the run (./postgres.ts). Each gets a fresh, migrated database.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { openPglite, openPostgres, type Db } from '../db.ts';
import { migrate } from '../migrations.ts';
import { startTestPostgres } from './postgres.ts';

export interface DbHandle {
  /** set in beforeAll(); the suite reads it inside its tests */
  db: Db;
  kind: 'pglite' | 'postgres';
}

export function forEachDatabase(title: string, suite: (h: DbHandle) => void): void {
  for (const kind of ['pglite', 'postgres'] as const) {
    describe(`${title} [${kind}]`, () => {
      const h = { kind } as DbHandle;
      let cleanup: () => Promise<void> = async () => {};
      beforeAll(async () => {
        if (kind === 'pglite') {
          const dir = await mkdtemp(join(tmpdir(), 'voxanne-pglite-'));
          h.db = await openPglite(dir);
          cleanup = () => rm(dir, { recursive: true, force: true });
        } else {
          const pg = await startTestPostgres();
          h.db = await openPostgres(pg.url);
          cleanup = pg.stop;
        }
        await migrate(h.db);
      });
      afterAll(async () => {
        await h.db?.close();
        await cleanup();
      });
      suite(h);
    });
  }
}
