// `npm start` after the preflight and npm install (scripts/start.mjs): configuration, then the stack.
// `npm start` runs in dev mode (VOXANNE_DEV=1, announced on screen) unless .env says VOXANNE_DEV=0;
// `npm run serve` (NODE_ENV=production) never does, and refuses to start without real secrets.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { livekitServerEnv, runModeOf } from '@voxanne/contracts/env';
import { z } from 'zod';
import { join } from 'node:path';
import { ConfigError, parseAgentConfig } from '../agent/src/config.ts';
import { parseWebConfig } from '../web/server/config.ts';
import { runDev } from './lib/dev-runner.ts';
import { ROOT } from './lib/livekit-binary.ts';
import { DEFAULT_PORTS, type StackPorts } from './lib/stack.ts';
import { DEFAULT_TELEPHONY_PORTS, type TelephonyPorts } from './lib/telephony.ts';
import { DEFAULT_CLUSTER_PORTS, firstStackPorts, type ClusterPorts } from './lib/cluster.ts';

const production = process.env.NODE_ENV === 'production';
if (!production && process.env.VOXANNE_DEV === undefined) process.env.VOXANNE_DEV = '1';
const devMode = runModeOf(process.env).dev;

const env = z
  .object({
    LIVEKIT_API_KEY: livekitServerEnv.LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET: livekitServerEnv.LIVEKIT_API_SECRET,
    PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORTS.web),
    /** 1: also Redis and LiveKit SIP, for phone callers (off by default: the web-only start stays light) */
    TELEPHONY: z
      .enum(['0', '1', 'true', 'false', ''])
      .default('0')
      .transform((v) => v === '1' || v === 'true'),
    SIP_PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_TELEPHONY_PORTS.sip),
  })
  .safeParse(process.env);
if (!env.success) {
  for (const i of env.error.issues)
    console.error(
      `Configuration error: ${i.path.join('.')} ${i.message}; fix it in .env or the environment (see .env.example).`,
    );
  process.exit(1);
}
// the agent's and the web server's own settings, checked here too, so a broken one is a sentence
// before anything starts
const broken: string[] = [];
let agentMetrics = DEFAULT_PORTS.agentMetrics;
try {
  agentMetrics = parseAgentConfig(process.env).AGENT_METRICS_PORT;
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  broken.push(e.message);
}
const web = parseWebConfig(process.env);
if (!web.ok) broken.push(...web.errors.filter((w) => !broken.some((b) => b.includes(w))));
if (broken.length) {
  for (const b of broken)
    console.error(`Configuration error: ${b}; fix it in .env or the environment (see .env.example).`);
  process.exit(1);
}
const ports: StackPorts = { ...DEFAULT_PORTS, web: env.data.PORT, agentMetrics };
// `npm run cluster` (start.mjs --cluster): two LiveKit nodes on one Redis, two workers (scripts/lib/cluster.ts)
const cluster: ClusterPorts | undefined = process.argv.includes('--cluster')
  ? {
      ...DEFAULT_CLUSTER_PORTS,
      web: env.data.PORT,
      telephony: { ...DEFAULT_TELEPHONY_PORTS, sip: env.data.SIP_PORT },
    }
  : undefined;
const telephony: TelephonyPorts | undefined = env.data.TELEPHONY
  ? { ...DEFAULT_TELEPHONY_PORTS, sip: env.data.SIP_PORT }
  : undefined;

// production serves the built client (built here when missing); dev mode runs Vite
const webMode = production || process.env.WEB_MODE === 'static' ? 'static' : 'dev';
if (webMode === 'static' && !existsSync(join(ROOT, 'web/dist/index.html'))) {
  console.log('Building the web client (web/dist)…');
  const r = spawnSync('npm', ['run', 'build', '--workspace', 'web'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('the web client did not build; see the messages above.');
    process.exit(1);
  }
}
if (devMode) {
  console.log(
    [
      '',
      '  DEV MODE (VOXANNE_DEV=1): the example secrets written in the repository are accepted, and the demo',
      "  clinic's logins with their published password work. Keep it on this machine. To deploy: real",
      '  secrets in .env and `npm run serve` (README, "Security").',
      '',
    ].join('\n'),
  );
}

await runDev({
  ports: cluster ? firstStackPorts(cluster) : ports,
  ...(cluster ? { cluster } : {}),
  apiKey: env.data.LIVEKIT_API_KEY,
  apiSecret: env.data.LIVEKIT_API_SECRET,
  webMode,
  // a persistent embedded database (git-ignored), given the demo clinic and sample calls when empty (dev mode)
  webEnv: {
    DATA_DIR: process.env.DATA_DIR || join(ROOT, '.data/pglite'),
    VOXANNE_DEMO_SEED: process.env.VOXANNE_DEMO_SEED || (devMode ? '1' : '0'),
  },
  ...(telephony ? { telephony } : {}),
});
