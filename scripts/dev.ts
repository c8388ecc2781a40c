import { z } from 'zod';
import { isTcpPortFree, isUdpPortFree } from './lib/ports.ts';
import { join } from 'node:path';
import { ROOT } from './lib/livekit-binary.ts';
import { DEFAULT_PORTS, startStack, type Stack, type StackPorts } from './lib/stack.ts';
import { DEFAULT_TELEPHONY_PORTS, type TelephonyPorts } from './lib/telephony.ts';

const env = z
  .object({
    LIVEKIT_API_KEY: z.string().min(1).default('devkey'),
    LIVEKIT_API_SECRET: z.string().min(32, 'must be at least 32 characters').default('voxanne-local-dev-secret-0123456789abcdef'),
    PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORTS.web),
    /** 1: also Redis and LiveKit SIP, for phone callers (off by default: the web-only start stays light) */
    TELEPHONY: z.enum(['0', '1', 'true', 'false', '']).default('0').transform((v) => v === '1' || v === 'true'),
    SIP_PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_TELEPHONY_PORTS.sip),
  })
  .safeParse(process.env);
if (!env.success) {
  for (const i of env.error.issues) console.error(`Configuration error: ${i.path.join('.')} ${i.message}`);
  process.exit(1);
}
const ports: StackPorts = { ...DEFAULT_PORTS, web: env.data.PORT };
const telephony: TelephonyPorts | undefined = env.data.TELEPHONY ? { ...DEFAULT_TELEPHONY_PORTS, sip: env.data.SIP_PORT } : undefined;

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const quietLivekit = /\b(INFO|DEBUG)\b/;
const log = (source: string, line: string) => {
  if (source === 'livekit' && quietLivekit.test(line)) return; // its info lines drown the rest
  if (source === 'sip' && quietLivekit.test(line)) return; // LiveKit SIP logs every call step at INFO
  if (source === 'redis' && !/error|fatal/i.test(line)) return; // only its start-up banner otherwise
  console.log(`${dim(source.padEnd(8))} ${line}`);
};

async function checkPorts(p: StackPorts): Promise<string[]> {
  const busy: string[] = [];
  const tcp: [string, number][] = [
    ['LiveKit', p.livekit],
    ['LiveKit RTC/TCP', p.livekitTcp],
    ['web', p.web],
    ['agent health', p.agentHealth],
  ];
  for (const [what, port] of tcp) if (!(await isTcpPortFree(port))) busy.push(`${what} port ${port}/tcp`);
  if (!(await isUdpPortFree(p.livekitUdp))) busy.push(`LiveKit RTC port ${p.livekitUdp}/udp`);
  if (telephony) {
    for (const [what, port] of [['Redis', telephony.redis], ['LiveKit SIP', telephony.sip], ['LiveKit SIP health', telephony.sipHealth]] as const)
      if (!(await isTcpPortFree(port))) busy.push(`${what} port ${port}/tcp`);
    if (!(await isUdpPortFree(telephony.sip))) busy.push(`LiveKit SIP port ${telephony.sip}/udp`);
  }
  return busy;
}

const busy = await checkPorts(ports);
if (busy.length) {
  console.error(`Cannot start: ${busy.join(', ')} already in use. Stop the other process (another 'npm start'?)` +
    ` or, for the web port, set PORT.`);
  process.exit(1);
}

let stack: Stack | undefined;
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nStopping Voxanne…');
  await stack?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

try {
  stack = await startStack({
    ports,
    apiKey: env.data.LIVEKIT_API_KEY,
    apiSecret: env.data.LIVEKIT_API_SECRET,
    webMode: 'dev',
    // a persistent embedded database (git-ignored), given the demo clinic and sample calls when empty
    webEnv: { DATA_DIR: process.env.DATA_DIR || join(ROOT, '.data/pglite'), VOXANNE_DEMO_SEED: process.env.VOXANNE_DEMO_SEED || '1' },
    telephony,
    log,
  });
} catch (e) {
  console.error(`Voxanne failed to start: ${(e as Error).message}`);
  await shutdown(1);
}
if (stack && !stopping) {
  for (const c of stack.children) {
    void c.exited.then((code) => {
      if (stopping) return;
      console.error(`${c.name} stopped unexpectedly (code ${code}); stopping everything.`);
      void shutdown(1);
    });
  }
  const line = `  Voxanne is ready: ${stack.webUrl}  `;
  const phone = stack.sipAddress
    ? `  Phone: LiveKit SIP on ${stack.sipAddress} (udp/tcp); provision trunks with 'npm run sip:provision' (README, "Phone calls").\n`
    : '';
  console.log(`\n${'='.repeat(line.length)}\n${line}\n${'='.repeat(line.length)}\n${phone}  Press Ctrl-C to stop.\n`);
}
