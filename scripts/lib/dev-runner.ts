// What `npm start` does once its configuration is parsed: check the ports, start the stack, print the
// URL, keep it running (a dead web server is restarted with backoff; anything else dead stops it all)
// and stop it all on Ctrl-C, agent first so its calls end and their records reach the web server.
import { isTcpPortFree, isUdpPortFree } from './ports.ts';
import { startStack, type Stack, type StackOptions, type StackPorts } from './stack.ts';
import { busyClusterPorts, startCluster, type ClusterPorts } from './cluster.ts';
import type { TelephonyPorts } from './telephony.ts';
import type { ChildHandle } from './procs.ts';

export interface DevOptions extends Omit<StackOptions, 'log' | 'webMode'> {
  /** default 'dev' (Vite middleware); the tests serve a built client */
  webMode?: StackOptions['webMode'];
  /** every output line of the stack's processes */
  print?: (line: string) => void;
  printError?: (line: string) => void;
  /** web server restarts: first wait, doubled per consecutive crash up to maxMs */
  webRestart?: { firstMs: number; maxMs: number };
  exit?: (code: number) => void;
  /** `npm run cluster`: two LiveKit nodes on one Redis and two workers on these ports (ports/telephony unused) */
  cluster?: ClusterPorts;
}

export interface RestartState {
  /** failures in a row, each less than a minute after the one before */
  crashes: number;
  lastCrashAt: number;
}

/**
 * The web server's restart policy: the first wait, doubled per failure in a row up to maxMs; a minute
 * without a failure starts anew; after maxRestarts restarts in a row it gives up.
 */
export function nextWebRestart(
  s: RestartState,
  now: number,
  p: { firstMs: number; maxMs: number; maxRestarts?: number },
):
  | { kind: 'restart'; waitMs: number; state: RestartState }
  | { kind: 'give-up'; failures: number; state: RestartState } {
  const crashes = now - s.lastCrashAt > 60_000 ? 0 : s.crashes;
  const state = { crashes: crashes + 1, lastCrashAt: now };
  if (crashes >= (p.maxRestarts ?? 5)) return { kind: 'give-up', failures: crashes + 1, state };
  return { kind: 'restart', waitMs: Math.min(p.maxMs, p.firstMs * 2 ** crashes), state };
}

const dim = (s: string) => (process.stdout.isTTY ? `\x1b[2m${s}\x1b[0m` : s);
const quietLivekit = /\b(INFO|DEBUG)\b/;

async function busyPorts(p: StackPorts, telephony: TelephonyPorts | undefined): Promise<string[]> {
  const busy: string[] = [];
  const tcp: [string, number][] = [
    ['LiveKit', p.livekit],
    ['LiveKit RTC/TCP', p.livekitTcp],
    ['web', p.web],
    ['agent health', p.agentHealth],
    ...(p.agentMetrics ? [['agent metrics', p.agentMetrics] as [string, number]] : []),
  ];
  for (const [what, port] of tcp) if (!(await isTcpPortFree(port))) busy.push(`${what} port ${port}/tcp`);
  if (!(await isUdpPortFree(p.livekitUdp))) busy.push(`LiveKit RTC port ${p.livekitUdp}/udp`);
  if (telephony) {
    for (const [what, port] of [
      ['Redis', telephony.redis],
      ['LiveKit SIP', telephony.sip],
      ['LiveKit SIP health', telephony.sipHealth],
    ] as const)
      if (!(await isTcpPortFree(port))) busy.push(`${what} port ${port}/tcp`);
    if (!(await isUdpPortFree(telephony.sip))) busy.push(`LiveKit SIP port ${telephony.sip}/udp`);
  }
  return busy;
}

/** The agent's last fatal log line, as one sentence: why it could not start (worker/start-failure.ts). */
export function fatalReason(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const o = JSON.parse(line) as { level?: number; msg?: string; error?: { message?: string } };
    if ((o.level ?? 0) < 60) return undefined;
    return o.error?.message ? `${o.msg}: ${o.error.message}` : o.msg;
  } catch {
    return undefined;
  }
}

export async function runDev(o: DevOptions): Promise<void> {
  const print = o.print ?? console.log;
  const printError = o.printError ?? console.error;
  const exit = o.exit ?? process.exit;
  const restart = o.webRestart ?? { firstMs: 500, maxMs: 10_000 };
  let agentFatal: string | undefined;
  const log = (name: string, line: string) => {
    // a cluster's livekit-1, agent-2…: filtered as their kind
    const source = name.replace(/-\d+$/, '');
    if (source === 'agent') agentFatal = fatalReason(line) ?? agentFatal;
    if (source === 'livekit' && quietLivekit.test(line)) return; // its info lines drown the rest
    if (source === 'sip' && quietLivekit.test(line)) return; // LiveKit SIP logs every call step at INFO
    if (source === 'redis' && !/error|fatal/i.test(line)) return; // only its start-up banner otherwise
    print(`${dim(name.padEnd(8))} ${line}`);
  };

  const busy = o.cluster ? await busyClusterPorts(o.cluster) : await busyPorts(o.ports, o.telephony);
  if (busy.length) {
    printError(
      `Cannot start: ${busy.join(', ')} already in use. Stop the other process (another 'npm start'?)` +
        ` or, for the web port, set PORT.`,
    );
    return exit(1);
  }

  let stack: Stack | undefined;
  let starting: Promise<Stack> | undefined;
  const startUp = new AbortController();
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    print('\nStopping Voxanne…');
    if (stack) await stack.stop();
    else if (starting) {
      // still starting: it stops what it started; a first-run Go build is not waited for
      startUp.abort();
      await Promise.race([starting.catch(() => {}), new Promise((r) => setTimeout(r, 9000).unref())]);
    }
    exit(code);
  };
  // a second Ctrl-C does not wait for the calls' records: everything is killed at once. Not one within a
  // second of the first: npm forwards the terminal's SIGINT to its script, which gets it from the
  // terminal too
  let signalledAt = 0;
  const onSignal = () => {
    if (!stopping) {
      signalledAt = Date.now();
      return void shutdown(0);
    }
    if (Date.now() - signalledAt < 1000) return;
    printError('Stopping now (second signal): calls still ending lose their last records.');
    for (const c of stack?.children ?? []) {
      try {
        if (c.proc.pid !== undefined) process.kill(-c.proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // a closed terminal: the children run detached (each in its own group), so they would outlive it
  process.on('SIGHUP', () => void shutdown(0));

  try {
    const common = { ...o, webMode: o.webMode ?? 'dev', log, signal: startUp.signal } as const;
    starting = o.cluster ? startCluster({ ...common, ports: o.cluster }) : startStack(common);
    stack = await starting;
  } catch (e) {
    if (stopping) return;
    printError(agentFatal ? `Voxanne cannot start: ${agentFatal}` : `Voxanne failed to start: ${(e as Error).message}`);
    return shutdown(1);
  }
  if (stopping) return;

  const watch = (c: ChildHandle) => {
    void c.exited.then((code) => {
      if (stopping) return;
      if (c.name === 'web') return void restartWeb(code);
      printError(
        c.name.startsWith('agent') && agentFatal
          ? `Voxanne stopped: ${agentFatal}`
          : `${c.name} stopped unexpectedly (code ${code}); stopping everything.`,
      );
      void shutdown(1);
    });
  };
  // a web server that dies is started again; calls go on meanwhile (the agent holds their records)
  let restarts: RestartState = { crashes: 0, lastCrashAt: 0 };
  const restartWeb = async (code: number | null) => {
    const d = nextWebRestart(restarts, Date.now(), restart);
    restarts = d.state;
    if (d.kind === 'give-up') {
      // not a crash to ride out but a web server that cannot run (its own messages above say why)
      printError(`web server failed ${d.failures} times in a row; stopping everything (see its messages above).`);
      return void shutdown(1);
    }
    const { waitMs } = d;
    printError(`web server stopped unexpectedly (code ${code}); restarting it in ${waitMs} ms`);
    await new Promise((r) => setTimeout(r, waitMs));
    if (stopping) return;
    try {
      const web = await stack!.restartWeb();
      if (stopping) return;
      print(`web server restarted: ${stack!.webUrl}`);
      watch(web);
    } catch (e) {
      if (stopping) return;
      printError(`web server did not come back (${(e as Error).message}); trying again`);
      void restartWeb(null);
    }
  };
  for (const c of stack.children) watch(c);

  const line = `  Voxanne is ready: ${stack.webUrl}  `;
  const phone = stack.sipAddress
    ? `  Phone: LiveKit SIP on ${stack.sipAddress} (udp/tcp); provision trunks with ` +
      `'npm run sip:provision' (README, "Phone calls").\n`
    : '';
  const cluster = 'summary' in stack ? String(stack.summary) : '';
  print(
    `\n${'='.repeat(line.length)}\n${line}\n${'='.repeat(line.length)}\n${cluster}${phone}  Press Ctrl-C to stop.\n`,
  );
}
