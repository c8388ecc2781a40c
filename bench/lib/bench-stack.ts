/**
 * A whole stack for a measuring run (livekit-server, the agent worker, optionally LiveKit SIP with a
 * provisioned trunk), its log in test-artifacts/<name>.log, and a way to wait until a warm job process
 * is ready for the next call, so every call starts alike.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import { freeTcpPort, freeUdpPort } from '../../scripts/lib/ports.ts';
import { startStack, type Stack } from '../../scripts/lib/stack.ts';
import { freeTelephonyPorts } from '../../scripts/lib/telephony.ts';
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
}

export async function startBenchStack(o: {
  name: string;
  agentEnv: NodeJS.ProcessEnv;
  agentScript?: string;
  /** start LiveKit SIP too, with an inbound trunk for BENCH_CLINIC_NUMBER from loopback */
  telephony?: boolean;
  /** also the web server (static build, demo clinic seeded as under npm start): callers come through the page */
  web?: boolean;
  /** every log line, after it is written to the log file */
  onLine?(source: string, line: string): void;
}): Promise<BenchStack> {
  const logFile = join(ROOT, 'test-artifacts', `${o.name}.log`);
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(logFile, '');
  let warm = 0;
  const waiters = new Set<() => void>();
  const apiKey = 'benchkey';
  const apiSecret = 'voxanne-bench-secret-0123456789abcdef0123';
  const stack = await startStack({
    ports: {
      livekit: await freeTcpPort(),
      livekitTcp: await freeTcpPort(),
      livekitUdp: await freeUdpPort(),
      web: o.web ? await freeTcpPort() : 0,
      agentHealth: await freeTcpPort(),
    },
    apiKey,
    apiSecret,
    webMode: 'static',
    web: o.web ?? false,
    ...(o.web ? { webEnv: { VOXANNE_DEMO_SEED: '1', VOXANNE_DEV: '1' } } : {}),
    ...(o.agentScript ? { agentScript: o.agentScript } : {}),
    ...(o.telephony ? { telephony: await freeTelephonyPorts() } : {}),
    agentEnv: o.agentEnv,
    log: (source, line) => {
      appendFileSync(logFile, `${source.padEnd(8)} ${line}\n`);
      if (source === 'agent' && /engines ready/.test(line)) {
        warm++;
        for (const w of [...waiters]) w();
      }
      o.onLine?.(source, line);
    },
  });
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
  const warmed = (n: number, timeoutMs = 90_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no warm job process for call ${n} within ${timeoutMs} ms (see ${logFile})`)),
        timeoutMs,
      );
      const check = () => {
        if (warm < n) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });
  return { stack, apiKey, apiSecret, warmed };
}
