import { appendFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import { startCluster, type Cluster, type ClusterPorts } from '../../scripts/lib/cluster.ts';
import { reservePorts, withFreshPorts } from '../../scripts/lib/ports.ts';
import {
  ARTIFACTS,
  buildWeb,
  TEST_KEY,
  TEST_SECRET,
  testAgentEnv,
  type AgentLog,
  type TestStack,
} from './test-stack.ts';

export interface TestCluster extends Cluster, TestStack {}

/**
 * `npm run cluster` on free loopback ports; its output goes to test-artifacts/<name>.log (a fresh one).
 * `spareWorkers`: ports for that many more workers, started by the test with `startWorker(2, …)` on.
 */
export async function startTestCluster(
  name: string,
  agentEnv: NodeJS.ProcessEnv = {},
  opts: { webEnv?: NodeJS.ProcessEnv; spareWorkers?: number } = {},
): Promise<TestCluster> {
  // the web server serves the built client (static mode), which no cluster case loads: any build will do,
  // so an existing one is kept (a build is seconds of CPU on a 2-core machine)
  if (!existsSync(join(ROOT, 'web/dist/index.html'))) buildWeb();
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, `${name}.log`);
  rmSync(logFile, { force: true });
  const lines: TestStack['lines'] = [];
  const watchers = new Set<() => void>();
  const record = (source: string, line: string) => {
    lines.push({ source, line });
    appendFileSync(logFile, `${source.padEnd(9)} ${line}\n`);
    for (const w of [...watchers]) w();
  };
  const workers = 2 + (opts.spareWorkers ?? 0);
  // as the test stacks do (startStackOnFreePorts): every port taken in one reservation, and a start that
  // lost one to another process meanwhile made again on fresh ones
  const { cluster, ports } = await withFreshPorts({
    pick: () => freeClusterPorts(workers),
    start: async (ports, seen) => ({
      ports,
      cluster: await startCluster({
        ports,
        startWorkers: 2,
        apiKey: TEST_KEY,
        apiSecret: TEST_SECRET,
        webMode: 'static',
        agentEnv: testAgentEnv(agentEnv), // one warm job process per worker, as the test stacks keep
        ...(opts.webEnv ? { webEnv: opts.webEnv } : {}),
        log: (source, line) => {
          seen(line);
          record(source, line);
        },
      }),
    }),
    onRetry: (_err, attempt) =>
      record('setup', `a port was taken during start-up (attempt ${attempt}); starting again on fresh ports`),
  });
  return {
    ...cluster,
    apiKey: TEST_KEY,
    apiSecret: TEST_SECRET,
    lines,
    logFile,
    watchers,
    telephony: ports.telephony,
  };
}

/** LiveKit SIP's RTP ports (as freeTelephonyPorts) */
const RTP_PORTS = 20;

/**
 * The cluster's ports, all distinct: two nodes, `workers` workers, the web server, Redis and LiveKit SIP.
 * The workers' ports are chosen below the ephemeral range (as ports free for UDP too), since a spare
 * worker binds them only when the test starts it, and the OS hands ephemeral ports out meanwhile.
 */
async function freeClusterPorts(workers: number): Promise<ClusterPorts> {
  const r = await reservePorts({ tcp: 7, both: 3 + 2 * workers, udpRuns: [RTP_PORTS + 1] });
  await r.release();
  const tcp = [...r.tcp];
  const both = [...r.both];
  const node = () => ({ livekit: tcp.shift()!, livekitTcp: tcp.shift()!, livekitUdp: both.shift()! });
  const nodes = [node(), node()];
  const sip = both.shift()!;
  const rtpStart = r.runs[0]!;
  return {
    nodes,
    workers: Array.from({ length: workers }, () => ({ agentHealth: both.shift()!, agentMetrics: both.shift()! })),
    web: tcp.shift()!,
    telephony: { redis: tcp.shift()!, sip, sipHealth: tcp.shift()!, rtpStart, rtpEnd: rtpStart + RTP_PORTS },
  };
}

/** The structured log lines of one worker (and its job processes), by its child's name. */
export function workerLogs(c: Pick<TestStack, 'lines'>, worker: string): AgentLog[] {
  return c.lines.flatMap((l) => {
    if (l.source !== worker || !l.line.startsWith('{')) return [];
    try {
      return [JSON.parse(l.line) as AgentLog];
    } catch {
      return []; // a line cut by the process exiting
    }
  });
}

/** The worker whose job runs call `callId` ('agent-1', …): the one whose job logged "call started" for it. */
export function workerOfCall(c: Pick<TestStack, 'lines'>, callId: string, msg = 'call started'): string | undefined {
  const hit = c.lines.find(
    (l) => l.source.startsWith('agent') && l.line.includes(callId) && l.line.includes(`"msg":"${msg}"`),
  );
  return hit?.source;
}

/** Resolves once `holds()` is true of the log lines (checked on each new line); rejects after timeoutMs. */
export function waitForLines(c: TestCluster, holds: () => boolean, timeoutMs: number, what: string): Promise<void> {
  if (holds()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!holds()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (see ${c.logFile})`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      c.watchers.delete(check);
    };
    c.watchers.add(check);
  });
}

/**
 * The job processes a worker holds warm now: each one logs "job runner initialized" once it is ready,
 * and each job it is given uses one up (the agents library then starts the next).
 */
export function warmJobProcesses(c: Pick<TestStack, 'lines'>, worker: string): number {
  const logs = workerLogs(c, worker);
  const count = (msg: string) => logs.filter((l) => l.msg === msg).length;
  return count('job runner initialized') - count('job started');
}
