// A throwaway livekit-server for the web integration tests, on free ports, using the repo's pinned binary.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoBinary, pinnedSpecs } from '../../scripts/lib/livekit-binary.ts';
import { freeStackPorts } from '../../scripts/lib/ports.ts';
import { startChild, waitForHttp } from '../../scripts/lib/procs.ts';
import { livekitConfig } from '../../scripts/lib/stack.ts';

export interface TestLivekit {
  url: string;
  apiKey: string;
  apiSecret: string;
  stop(): Promise<void>;
}

export async function startLivekit(): Promise<TestLivekit> {
  const bin = await ensureGoBinary((await pinnedSpecs()).livekitServer, () => {});
  // taken at once, so the three are distinct (scripts/lib/ports.ts reservePorts)
  const ports = await freeStackPorts();
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-web-livekit-'));
  const config = join(dir, 'livekit.yaml');
  await writeFile(config, await livekitConfig(ports));
  const apiKey = 'webtestkey';
  const apiSecret = 'web-test-secret-0123456789abcdef0123456789';
  const output: string[] = [];
  const child = startChild('livekit', bin, ['--config', config], {
    env: { ...process.env, LIVEKIT_KEYS: `${apiKey}: ${apiSecret}` },
    onLine: (l) => output.push(l),
  });
  const stop = async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await Promise.race([
      waitForHttp(`http://127.0.0.1:${ports.livekit}/`, 20_000),
      child.exited.then((code) => {
        throw new Error(`livekit-server exited (code ${code}):\n${output.slice(-20).join('\n')}`);
      }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `ws://127.0.0.1:${ports.livekit}`, apiKey, apiSecret, stop };
}
