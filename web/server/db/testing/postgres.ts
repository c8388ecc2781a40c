/**
 * A throwaway PostgreSQL for tests, from Debian's binaries: initdb into a temp directory, pg_ctl
 * start on a free port, the unix socket in that directory (no TCP listener at all). PostgreSQL
 * refuses to run as root, so under root the binaries run as the `postgres` user the Debian
 * package creates (or `nobody`).
 */
import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function uidOf(user: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const { stdout } = await run('id', ['-u', user]);
    const { stdout: g } = await run('id', ['-g', user]);
    return { uid: Number(stdout.trim()), gid: Number(g.trim()) };
  } catch {
    return undefined;
  }
}

export async function startTestPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-pg-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  const runAs = asRoot ? ((await uidOf('postgres')) ? 'postgres' : 'nobody') : undefined;
  if (runAs) {
    const ids = (await uidOf(runAs))!;
    await chown(dir, ids.uid, ids.gid);
  }
  const exec = (bin: string, args: string[]) =>
    runAs ? run('runuser', ['-u', runAs, '--', join(PG_BIN, bin), ...args]) : run(join(PG_BIN, bin), args);
  await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  // listen_addresses='' : the socket file only; fsync off: a test database need not survive a crash
  await exec('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-w',
    '-t',
    '60',
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses='' -c fsync=off`,
    'start',
  ]);
  let stopped = false;
  return {
    url: `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dir)}&port=${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
