/**
 * A whole stack for a measuring run (livekit-server, the agent worker, optionally LiveKit SIP with a
 * provisioned trunk), its log in test-artifacts/<name>.log, and a way to wait until a warm job process
 * is ready for the next call, so every call starts alike.
 */
import { setMaxListeners } from 'node:events';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import { startStackOnFreePorts, type Stack } from '../../scripts/lib/stack.ts';
import { buildWeb } from '../../test/support/test-stack.ts';
import { parseProvisionConfig } from '../../sip/src/config.ts';
import { provision } from '../../sip/src/provision.ts';

/** the number the provisioned inbound trunk answers */
export const BENCH_CLINIC_NUMBER = '+15550100200';

export interface BenchStack {
  stack: Stack;
  apiKey: string;
  apiSecret: string;
  /** resolves once `n` job processes have warmed up since the start (call i needs i + 1) */
  warmed(n: number, timeoutMs?: number): Promise<void>;
  /**
   * resolves true once the web server has made `n` standby calls ready since the start (WEB_STANDBY_CALLS;
   * call i's is the i + 1th), false after timeoutMs: that caller then takes the usual path, as one would
   */
  standbysReady(n: number, timeoutMs?: number): Promise<boolean>;
}

/**
 * Stacks of this process, started or starting: an interrupted measuring run (Ctrl-C, SIGTERM) stops them
 * all before it exits, so no livekit-server or job process outlives it.
 */
const running = new Set<Stack>();
const starting = new Set<Promise<unknown>>();
const interrupt = new AbortController();
setMaxListeners(0, interrupt.signal); // one listener per stack a long run starts
let hooked = false;
function stopStacksOnSignal(): void {
  if (hooked) return;
  hooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`bench: ${sig}, stopping ${running.size} stack(s)`);
      interrupt.abort(); // a stack still starting stops itself and rejects
      const stops = [...starting, ...[...running].map((s) => s.stop())];
      void Promise.allSettled(stops).then(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    });
  }
}

export async function startBenchStack(o: {
  name: string;
  agentEnv: NodeJS.ProcessEnv;
  agentScript?: string;
  /** start LiveKit SIP too, with an inbound trunk for BENCH_CLINIC_NUMBER from loopback */
  telephony?: boolean;
  /** also the web server (static build, demo clinic seeded as under npm start): callers come through the page */
  web?: boolean;
  /** more environment for that web server */
  webEnv?: NodeJS.ProcessEnv;
  /** every log line, after it is written to the log file */
  onLine?(source: string, line: string): void;
}): Promise<BenchStack> {
  const logFile = join(ROOT, 'test-artifacts', `${o.name}.log`);
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(logFile, '');
  let warm = 0;
  let standbys = 0;
  const waiters = new Set<() => void>();
  const apiKey = 'benchkey';
  const apiSecret = 'voxanne-bench-secret-0123456789abcdef0123';
  stopStacksOnSignal();
  if (o.web) buildWeb(); // the page the web server serves (built once per process)
  // all its ports in one reservation; a start that lost one meanwhile is made again on fresh ports
  const start = startStackOnFreePorts({
    signal: interrupt.signal,
    onRetry: () => {
      warm = 0; // the failed attempt's job processes are gone
      standbys = 0;
    },
    apiKey,
    apiSecret,
    webMode: 'static',
    web: o.web ?? false,
    ...(o.web ? { webEnv: { VOXANNE_DEMO_SEED: '1', VOXANNE_DEV: '1', ...o.webEnv } } : {}),
    ...(o.agentScript ? { agentScript: o.agentScript } : {}),
    ...(o.telephony ? { telephony: { rtpCount: 20 } } : {}),
    agentEnv: o.agentEnv,
    log: (source, line) => {
      appendFileSync(logFile, `${source.padEnd(8)} ${line}\n`);
      if (source === 'agent' && /engines ready/.test(line)) {
        warm++;
        for (const w of [...waiters]) w();
      }
      if (source === 'web' && line.includes('"msg":"standby ready"')) {
        standbys++;
        for (const w of [...waiters]) w();
      }
      o.onLine?.(source, line);
    },
  });
  starting.add(start);
  const started = await start.finally(() => starting.delete(start));
  const stack: Stack = {
    ...started,
    stop: async () => {
      running.delete(stack);
      await started.stop();
    },
  };
  running.add(stack);
  if (o.telephony) {
    try {
      const config = parseProvisionConfig({
        LIVEKIT_URL: stack.livekitUrl,
        LIVEKIT_API_KEY: apiKey,
        LIVEKIT_API_SECRET: apiSecret,
        SIP_NUMBERS: BENCH_CLINIC_NUMBER,
        SIP_ALLOWED_ADDRESSES: '127.0.0.1/32',
      });
      await provision(config, { dryRun: false, log: () => {} });
    } catch (e) {
      await stack.stop();
      throw e;
    }
  }
  /** true once count() reaches n, false after timeoutMs */
  const reached = (count: () => number, n: number, timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        waiters.delete(check);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const check = () => {
        if (count() >= n) done(true);
      };
      waiters.add(check);
      check();
    });
  const warmed = async (n: number, timeoutMs = 90_000) => {
    if (!(await reached(() => warm, n, timeoutMs)))
      throw new Error(`no warm job process for call ${n} within ${timeoutMs} ms (see ${logFile})`);
  };
  const standbysReady = (n: number, timeoutMs = 30_000) => reached(() => standbys, n, timeoutMs);
  return { stack, apiKey, apiSecret, warmed, standbysReady };
}
