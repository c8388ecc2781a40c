// `npm run cluster`: Voxanne on LiveKit's own distributed mode, on loopback. Two livekit-server nodes
// share one Redis (each its own ports; LiveKit places each room on one of them and relays whoever
// joins through the other), two agent workers (one registered with each node; LiveKit dispatches a
// room's job to either, whichever node holds the room), LiveKit SIP, and one web server. The same
// configuration on several machines is README "Running many calls".
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGoBinary, pinnedSpecs } from './livekit-binary.ts';
import { isTcpPortFree, isUdpPortFree } from './ports.ts';
import { startChild, waitForHttp, type ChildHandle } from './procs.ts';
import {
  AGENT_STOP_GRACE_MS,
  failOnExit,
  livekitConfig,
  startAgentWorker,
  startWebServer,
  type Stack,
  type StackOptions,
  type StackPorts,
} from './stack.ts';
import { DEFAULT_TELEPHONY_PORTS, startLivekitSip, startRedis, type TelephonyPorts } from './telephony.ts';

/** One livekit-server node's ports: signalling/API, RTC over TCP, RTC over UDP (one mux port). */
export interface NodePorts {
  livekit: number;
  livekitTcp: number;
  livekitUdp: number;
}

/** One agent worker's ports: the agents library's health port and Voxanne's /metrics, /healthz, /readyz. */
export interface WorkerPorts {
  agentHealth: number;
  agentMetrics: number;
}

export interface ClusterPorts {
  nodes: NodePorts[];
  workers: WorkerPorts[];
  web: number;
  /** Redis (shared by the nodes, LiveKit SIP and the workers' leases) and LiveKit SIP */
  telephony: TelephonyPorts;
}

/** `npm run cluster`'s ports: the first node and worker on `npm start`'s, the second ten above. */
export const DEFAULT_CLUSTER_PORTS: ClusterPorts = {
  nodes: [
    { livekit: 7880, livekitTcp: 7881, livekitUdp: 7882 },
    { livekit: 7890, livekitTcp: 7891, livekitUdp: 7892 },
  ],
  workers: [
    { agentHealth: 8081, agentMetrics: 8083 },
    { agentHealth: 8091, agentMetrics: 8093 },
  ],
  web: 5173,
  telephony: DEFAULT_TELEPHONY_PORTS,
};

export interface ClusterOptions extends Omit<StackOptions, 'ports' | 'telephony' | 'web' | 'agentScript'> {
  ports: ClusterPorts;
  /** the workers started with the cluster, the first of `ports.workers` (all by default); the rest are startWorker's */
  startWorkers?: number;
}

export interface ClusterNode {
  /** the node's own signalling URL; any node serves any room (LiveKit relays to the one holding it) */
  livekitUrl: string;
  child: ChildHandle;
}

export interface ClusterWorker {
  child: ChildHandle;
  /** the LiveKit node it registered with */
  livekitUrl: string;
  /** its /metrics, /healthz, /readyz */
  metricsUrl: string;
}

export interface Cluster extends Stack {
  nodes: ClusterNode[];
  workers: ClusterWorker[];
  /**
   * starts worker `index` (again, after it was killed or drained: what a supervisor does; or one held back
   * by `startWorkers`: a scale-up), on its ports and node, named `name`; resolves once it is registered and warm
   */
  startWorker(index: number, name: string): Promise<ClusterWorker>;
  /** redis://127.0.0.1:port, the Redis everything shares */
  redisUrl: string;
  /** what `npm run cluster` prints under the URL */
  summary: string;
}

/** The cluster's ports in use now, named ("LiveKit node 2 port 7890/tcp"). */
export async function busyClusterPorts(p: ClusterPorts): Promise<string[]> {
  const busy: string[] = [];
  const tcp: [string, number][] = [
    ...p.nodes.flatMap((n, i): [string, number][] => [
      [`LiveKit node ${i + 1}`, n.livekit],
      [`LiveKit node ${i + 1} RTC/TCP`, n.livekitTcp],
    ]),
    ...p.workers.flatMap((w, i): [string, number][] => [
      [`agent worker ${i + 1} health`, w.agentHealth],
      [`agent worker ${i + 1} metrics`, w.agentMetrics],
    ]),
    ['web', p.web],
    ['Redis', p.telephony.redis],
    ['LiveKit SIP', p.telephony.sip],
    ['LiveKit SIP health', p.telephony.sipHealth],
  ];
  for (const [what, port] of tcp) if (!(await isTcpPortFree(port))) busy.push(`${what} port ${port}/tcp`);
  for (const [i, n] of p.nodes.entries())
    if (!(await isUdpPortFree(n.livekitUdp))) busy.push(`LiveKit node ${i + 1} RTC port ${n.livekitUdp}/udp`);
  if (!(await isUdpPortFree(p.telephony.sip))) busy.push(`LiveKit SIP port ${p.telephony.sip}/udp`);
  return busy;
}

/**
 * Starts Redis, the LiveKit nodes, LiveKit SIP, the workers and the web server, each waited on until it
 * is ready; the nodes start together, and so do the workers.
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const { ports, log } = opts;
  const { livekitServer } = await pinnedSpecs();
  const livekitBin = await ensureGoBinary(livekitServer, (m) => log('setup', m));
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-cluster-'));
  const children: ChildHandle[] = [];
  const nodeUrls = ports.nodes.map((n) => `ws://127.0.0.1:${n.livekit}`);
  const webUrl = `http://127.0.0.1:${ports.web}`;
  const redisUrl = `redis://127.0.0.1:${ports.telephony.redis}`;
  const recordsApiKey = opts.recordsApiKey || process.env.RECORDS_API_KEY || randomBytes(24).toString('hex');
  const creds = { LIVEKIT_API_KEY: opts.apiKey, LIVEKIT_API_SECRET: opts.apiSecret, RECORDS_API_KEY: recordsApiKey };
  const isWorker = (c: ChildHandle) => c.name.startsWith('agent');

  const stop = async () => {
    // the workers first: their calls end and write their records while the web server is still up
    await Promise.all(children.filter(isWorker).map((c) => c.stop(AGENT_STOP_GRACE_MS)));
    await Promise.all(children.filter((c) => !isWorker(c)).map((c) => c.stop(3000, { leaderFirst: c.name === 'web' })));
    await rm(dir, { recursive: true, force: true });
  };
  const startWeb = () =>
    startWebServer({
      port: ports.web,
      dir,
      // the web server opens rooms through the first node; LiveKit places them on either
      env: { ...creds, LIVEKIT_URL: nodeUrls[0]!, WEB_MODE: opts.webMode, ...opts.webEnv },
      log,
      replace: children,
    });
  const interrupted = () => {
    if (opts.signal?.aborted) throw new Error('start-up interrupted');
  };
  opts.signal?.addEventListener('abort', () => void stop(), { once: true });

  const nodes: ClusterNode[] = [];
  const workers: ClusterWorker[] = [];
  // worker i registers with node i: the workers of a cluster need not share a node
  const startWorker = async (i: number, name: string): Promise<ClusterWorker> => {
    const w = ports.workers[i]!;
    const livekitUrl = nodeUrls[i % nodeUrls.length]!;
    const child = await startAgentWorker({
      name,
      env: {
        VOXANNE_RECORDS_URL: process.env.VOXANNE_RECORDS_URL || webUrl,
        ...opts.agentEnv,
        ...creds,
        LIVEKIT_URL: livekitUrl,
        REDIS_URL: redisUrl,
      },
      healthPort: w.agentHealth,
      metricsPort: w.agentMetrics,
      log,
      into: children,
    });
    return (workers[i] = { child, livekitUrl, metricsUrl: `http://127.0.0.1:${w.agentMetrics}` });
  };
  try {
    children.push(await startRedis(ports.telephony.redis, (l) => log('redis', l)));
    interrupted();
    await Promise.all(
      ports.nodes.map(async (n, i) => {
        const configPath = join(dir, `livekit-${i + 1}.yaml`);
        // livekitConfig gives each node the shared Redis: that is LiveKit's distributed mode
        await writeFile(configPath, await livekitConfig({ ...n, web: 0, agentHealth: 0 }, ports.telephony));
        const name = `livekit-${i + 1}`;
        const child = startChild(name, livekitBin, ['--config', configPath], {
          env: { ...process.env, LIVEKIT_KEYS: `${opts.apiKey}: ${opts.apiSecret}` },
          onLine: (l) => log(name, l),
        });
        children.push(child);
        nodes[i] = { livekitUrl: nodeUrls[i]!, child };
        await Promise.race([waitForHttp(`http://127.0.0.1:${n.livekit}/`, 20_000), failOnExit(child)]);
      }),
    );
    interrupted();
    // the rest at once: LiveKit SIP and the workers need only the nodes, and the workers reach the web
    // server only when a call comes. All settle before a failure is thrown, so stop() finds every child.
    const started = await Promise.allSettled([
      // LiveKit SIP finds rooms through the shared Redis: it may talk to any node (here the last)
      startLivekitSip({
        ports: ports.telephony,
        livekitUrl: nodeUrls.at(-1)!,
        apiKey: opts.apiKey,
        apiSecret: opts.apiSecret,
        dir,
        log,
      }).then((sip) => children.push(sip.child)),
      ...ports.workers.slice(0, opts.startWorkers).map((_, i) => startWorker(i, `agent-${i + 1}`)),
      startWeb(),
    ]);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    interrupted();
  } catch (e) {
    await stop();
    throw e;
  }
  const sipAddress = `127.0.0.1:${ports.telephony.sip}`;
  const summary =
    `  Cluster: ${nodes.length} LiveKit nodes (${nodeUrls.join(', ')}) sharing Redis ${redisUrl.slice(8)}, ` +
    `${workers.length} agent workers (metrics ${workers.map((w) => w.metricsUrl).join(', ')}).\n`;
  return {
    webUrl,
    recordsApiKey,
    livekitUrl: nodeUrls[0]!,
    agentMetricsUrl: workers[0]!.metricsUrl,
    livekitBin,
    children,
    sipAddress,
    restartWeb: startWeb,
    stop,
    nodes,
    workers,
    redisUrl,
    summary,
    startWorker,
  };
}

/** The StackPorts `npm start`'s checks and messages know, for the cluster's first node and worker. */
export function firstStackPorts(p: ClusterPorts): StackPorts {
  return { ...p.nodes[0]!, web: p.web, ...p.workers[0]! };
}
