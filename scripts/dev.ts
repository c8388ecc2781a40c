// `npm start` after the preflight and npm install (scripts/start.mjs): configuration, then the stack.
import { livekitServerEnv } from '@voxanne/contracts/env';
import { z } from 'zod';
import { join } from 'node:path';
import { ConfigError, parseAgentConfig } from '../agent/src/config.ts';
import { parseWebConfig } from '../web/server/config.ts';
import { runDev } from './lib/dev-runner.ts';
import { ROOT } from './lib/livekit-binary.ts';
import { DEFAULT_PORTS, type StackPorts } from './lib/stack.ts';
import { DEFAULT_TELEPHONY_PORTS, type TelephonyPorts } from './lib/telephony.ts';

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
const telephony: TelephonyPorts | undefined = env.data.TELEPHONY
  ? { ...DEFAULT_TELEPHONY_PORTS, sip: env.data.SIP_PORT }
  : undefined;

await runDev({
  ports,
  apiKey: env.data.LIVEKIT_API_KEY,
  apiSecret: env.data.LIVEKIT_API_SECRET,
  // a persistent embedded database (git-ignored), given the demo clinic and sample calls when empty
  webEnv: {
    DATA_DIR: process.env.DATA_DIR || join(ROOT, '.data/pglite'),
    VOXANNE_DEMO_SEED: process.env.VOXANNE_DEMO_SEED || '1',
  },
  ...(telephony ? { telephony } : {}),
});
