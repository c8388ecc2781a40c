/**
 * The records database behind one small interface: embedded PGlite (a data directory, one process
 * only) by default, PostgreSQL through `pg` when a connection string is given. Both speak the same
 * SQL, so everything above this file is written once.
 */
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** runs fn in one transaction: committed when it resolves, rolled back when it throws */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** PostgreSQL connection string; unset = embedded PGlite in dataDir */
  databaseUrl?: string | undefined;
  dataDir: string;
}

export async function openDb(o: DbOptions): Promise<Db> {
  return o.databaseUrl ? openPostgres(o.databaseUrl) : openPglite(o.dataDir);
}

export async function openPglite(dataDir: string): Promise<Db> {
  await mkdir(dataDir, { recursive: true });
  const lite = await PGlite.create(dataDir);
  const q =
    (target: Pick<PGlite, 'query'>) =>
    async <T extends Row>(sql: string, params: unknown[] = []) =>
      (await target.query<T>(sql, params)).rows;
  return {
    kind: 'pglite',
    query: q(lite),
    // PGlite has one connection; its transaction() holds it, so other queries wait their turn
    transaction: (fn) => lite.transaction((tx) => fn({ query: q(tx) })),
    close: () => lite.close(),
  };
}

export async function openPostgres(url: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // an idle client losing its server must not crash the process; the next query reports it
  pool.on('error', () => {});
  await pool.query('select 1'); // fail at start, with pg's own message, when the server is unreachable
  return {
    kind: 'postgres',
    query: async <T extends Row>(sql: string, params: unknown[] = []) => (await pool.query<T>(sql, params)).rows,
    async transaction(fn) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await fn({
          query: async <T extends Row>(sql: string, params: unknown[] = []) =>
            (await client.query<T>(sql, params)).rows,
        });
        await client.query('commit');
        return result;
      } catch (err) {
        await client.query('rollback').catch(() => {}); // the original error is the one worth reporting
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** PostgreSQL's unique_violation, as both drivers report it */
export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

/** timestamptz columns arrive as Date from both drivers; the API speaks ISO strings */
export function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return (v instanceof Date ? v : new Date(String(v))).toISOString();
}

export function num(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

/**
 * A tenant's rows, narrowed by optional conditions: `add('col = ?', v)` binds v as the next `$n`, so
 * every value is a parameter, never SQL. `clause` is the WHERE text, `params` its values in order.
 */
export function tenantWhere(tenantColumn: string, tenantId: string) {
  const where = [`${tenantColumn} = $1`];
  const params: unknown[] = [tenantId];
  return {
    params,
    add(sql: string, v: unknown): void {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    },
    get clause(): string {
      return where.join(' and ');
    },
  };
}
