import assert from 'node:assert/strict';
import { DEV_LIVEKIT_API_SECRET } from '@voxanne/contracts/env';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, it } from 'vitest';
import { closedPort } from './test-support.ts';

// main.ts opens the records database: never the repository's own .data/, which a running npm start holds
const dataDir = await mkdtemp(join(tmpdir(), 'voxanne-main-data-'));
afterAll(() => rm(dataDir, { recursive: true, force: true }));

function runMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./main.ts', import.meta.url).pathname], {
      env: { ...process.env, DATA_DIR: join(dataDir, 'run'), DATABASE_URL: '', VOXANNE_DEV: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

describe('web/server/main.ts', () => {
  it('exits 1 with a plain message when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const { code, stderr } = await runMain({ PORT: String(port), HOST: '127.0.0.1', WEB_MODE: 'dev' });
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`port ${port} is already in use — stop the other process or set PORT`));
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });

  it("refuses the repository's example secret outside dev mode, naming the variable (probe finding 5)", async () => {
    const { code, stderr } = await runMain({ VOXANNE_DEV: '', LIVEKIT_API_SECRET: DEV_LIVEKIT_API_SECRET });
    assert.equal(code, 1);
    assert.match(
      stderr,
      /Configuration error: LIVEKIT_API_SECRET: this is the example secret published in the repository/,
    );
    assert.match(stderr, /Configuration error: RECORDS_API_KEY: not set/);
  });

  it('exits 1 naming the variable when configuration is invalid', async () => {
    const { code, stderr } = await runMain({ WEB_MODE: 'production' });
    assert.equal(code, 1);
    assert.match(stderr, /Configuration error: WEB_MODE/);
  });

  it('starts in static mode, answers, and exits 0 on SIGTERM', async () => {
    const dist = await mkdtemp(join(tmpdir(), 'voxanne-main-'));
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>t</title>');
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./main.ts', import.meta.url).pathname], {
      env: {
        ...process.env,
        DATA_DIR: join(dataDir, 'static'),
        DATABASE_URL: '',
        VOXANNE_DEV: '1',
        PORT: '0',
        WEB_MODE: 'static',
        WEB_DIST_DIR: dist,
        LIVEKIT_URL: `ws://127.0.0.1:${await closedPort()}`,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      let url = '';
      for await (const line of createInterface({ input: child.stdout! })) {
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg === 'web server listening') {
          url = entry.url!;
          break;
        }
      }
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const health = await fetch(`${url}/api/health`);
      assert.deepEqual(await health.json(), { ok: true, livekit: 'down' });
      assert.match(await (await fetch(url)).text(), /<title>t<\/title>/);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL'); // no-op when it has exited, as it should have
      await rm(dist, { recursive: true, force: true });
    }
  });

  it('refuses static mode without a build', async () => {
    const { code, stderr } = await runMain({
      WEB_MODE: 'static',
      WEB_DIST_DIR: '/nonexistent-voxanne-dist',
      PORT: '0',
    });
    assert.equal(code, 1);
    assert.match(stderr, /index\.html not found — build the client first/);
  });
});
