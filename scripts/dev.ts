import { z } from 'zod';
import { isTcpPortFree, isUdpPortFree } from './lib/ports.ts';
import { DEFAULT_PORTS, startStack, type Stack, type StackPorts } from './lib/stack.ts';

const env = z
  .object({
    LIVEKIT_API_KEY: z.string().min(1).default('devkey'),
    LIVEKIT_API_SECRET: z.string().min(32, 'must be at least 32 characters').default('voxanne-local-dev-secret-0123456789abcdef'),
    PORT: z.coerce.number().int().min(1).max(65535).default(DEFAULT_PORTS.web),
  })
  .safeParse(process.env);
if (!env.success) {
  for (const i of env.error.issues) console.error(`Configuration error: ${i.path.join('.')} ${i.message}`);
  process.exit(1);
}
const ports: StackPorts = { ...DEFAULT_PORTS, web: env.data.PORT };

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const quietLivekit = /\b(INFO|DEBUG)\b/;
const log = (source: string, line: string) => {
  if (source === 'livekit' && quietLivekit.test(line)) return; // its info lines drown the rest
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
  console.log(`\n${'='.repeat(line.length)}\n${line}\n${'='.repeat(line.length)}\n  Press Ctrl-C to stop.\n`);
}
