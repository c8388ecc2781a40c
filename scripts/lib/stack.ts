import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ensureGoBinary, pinnedSpecs, ROOT } from './livekit-binary.ts';
import { freeTcpPort, reservePorts, withFreshPorts } from './ports.ts';
import { startChild, waitForHttp, type ChildHandle } from './procs.ts';
import { livekitRedis, startLivekitSip, startRedis, type TelephonyPorts } from './telephony.ts';

export interface StackPorts {
  livekit: number;
  livekitTcp: number;
  livekitUdp: number;
  web: number;
  agentHealth: number;
  /** the agent's /metrics, /healthz, /readyz (AGENT_METRICS_PORT); absent = any free port */
  agentMetrics?: number;
}

export const DEFAULT_PORTS: StackPorts = {
  livekit: 7880,
  livekitTcp: 7881,
  livekitUdp: 7882,
  web: 5173,
  agentHealth: 8081,
  agentMetrics: 8083,
};

export interface StackOptions {
  ports: StackPorts;
  apiKey: string;
  apiSecret: string;
  /**
   * the internal records API's key, shared by the web server and the agent; default RECORDS_API_KEY
   * from the environment, else one generated for this stack (no process outside it needs it)
   */
  recordsApiKey?: string;
  /** 'dev' serves the client through Vite middleware; 'static' serves a built web/dist */
  webMode: 'dev' | 'static';
  /** extra environment for the agent (engine selection, provider URLs) */
  agentEnv?: NodeJS.ProcessEnv;
  /**
   * extra environment for the web server (DATA_DIR, DATABASE_URL, VOXANNE_DEMO_SEED). Without a
   * DATA_DIR here the web server's embedded database lives in the stack's temp directory: parallel
   * test stacks must not share one (PGlite is one process's at a time).
   */
  webEnv?: NodeJS.ProcessEnv;
  /** the worker to run instead of Voxanne's (the benchmark runs a stock AgentSession this way) */
  agentScript?: string;
  /** false: no web server (the benchmark's callers join LiveKit directly) */
  web?: boolean;
  /** also start Redis (shared with livekit-server) and LiveKit SIP on these ports: phone callers */
  telephony?: TelephonyPorts;
  log: (source: string, line: string) => void;
  /** aborted: start-up stops what it started and starts nothing more (Ctrl-C during start-up) */
  signal?: AbortSignal;
}

export interface Stack {
  webUrl: string;
  /** what the web server and the agent sign the records API with */
  recordsApiKey: string;
  livekitUrl: string;
  /** the agent worker's operations port: /metrics, /healthz, /readyz */
  agentMetricsUrl: string;
  livekitBin: string;
  children: ChildHandle[];
  /** LiveKit SIP's signalling address (host:port) when telephony was started */
  sipAddress?: string;
  /** starts the web server again (after it died), with the same environment; resolves once it answers */
  restartWeb(): Promise<ChildHandle>;
  /** the agent first (its calls end and write their records to the still-running web server), then the rest */
  stop(): Promise<void>;
}

/** How long the agent gets to end its calls and deliver their records before it is killed. */
export const AGENT_STOP_GRACE_MS = 6500;

/** livekit.yaml with the ports replaced; the single UDP mux port keeps the test stack's footprint to 3 ports. */
export async function livekitConfig(ports: StackPorts, telephony?: TelephonyPorts): Promise<string> {
  const cfg = parse(await readFile(join(ROOT, 'livekit.yaml'), 'utf8')) as Record<string, any>;
  if (telephony) cfg.redis = livekitRedis(telephony);
  cfg.port = ports.livekit;
  cfg.rtc = { ...cfg.rtc, tcp_port: ports.livekitTcp, udp_port: ports.livekitUdp };
  delete cfg.rtc.port_range_start;
  delete cfg.rtc.port_range_end;
  return stringify(cfg);
}

/** Starts livekit-server, the agent worker and the web server, each waited on until it is ready. */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const { ports, log } = opts;
  const { livekitServer } = await pinnedSpecs();
  const livekitBin = await ensureGoBinary(livekitServer, (m) => log('setup', m));
  const dir = await mkdtemp(join(tmpdir(), 'voxanne-stack-'));
  const configPath = join(dir, 'livekit.yaml');
  await writeFile(configPath, await livekitConfig(ports, opts.telephony));

  const children: ChildHandle[] = [];
  const livekitUrl = `ws://127.0.0.1:${ports.livekit}`;
  const webUrl = `http://127.0.0.1:${ports.web}`;
  const agentMetricsPort = ports.agentMetrics ?? (await freeTcpPort());
  const agentMetricsUrl = `http://127.0.0.1:${agentMetricsPort}`;
  const recordsApiKey = opts.recordsApiKey || process.env.RECORDS_API_KEY || randomBytes(24).toString('hex');
  const creds = {
    LIVEKIT_URL: livekitUrl,
    LIVEKIT_API_KEY: opts.apiKey,
    LIVEKIT_API_SECRET: opts.apiSecret,
    RECORDS_API_KEY: recordsApiKey,
  };
  // once: an abort signal and the owner may both ask, and the second must wait for the same stop
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopAll());
  const stopAll = async () => {
    const agent = children.find((c) => c.name === 'agent');
    if (agent) await agent.stop(AGENT_STOP_GRACE_MS);
    // the rest at once (nothing needs them once the agent is gone), so all is over within 10 s; the web
    // server closes its database itself, and its helpers (Vite's esbuild) must outlive that
    await Promise.all(children.filter((c) => c !== agent).map((c) => c.stop(3000, { leaderFirst: c.name === 'web' })));
    await rm(dir, { recursive: true, force: true });
  };
  const startWeb = async (): Promise<ChildHandle> => {
    const web = await startWebServer({
      port: ports.web,
      dir,
      env: { ...creds, WEB_MODE: opts.webMode, ...opts.webEnv },
      log,
      replace: children,
    });
    return web;
  };
  const restartWeb = () => startWeb();

  let sipAddress: string | undefined;
  const interrupted = () => {
    if (opts.signal?.aborted) throw new Error('start-up interrupted');
  };
  opts.signal?.addEventListener('abort', () => void stop(), { once: true });
  try {
    interrupted();
    if (opts.telephony) children.push(await startRedis(opts.telephony.redis, (l) => log('redis', l)));
    interrupted();
    const lk = startChild('livekit', livekitBin, ['--config', configPath], {
      env: { ...process.env, LIVEKIT_KEYS: `${opts.apiKey}: ${opts.apiSecret}` },
      onLine: (l) => log('livekit', l),
    });
    children.push(lk);
    await Promise.race([waitForHttp(`http://127.0.0.1:${ports.livekit}/`, 20_000), failOnExit(lk)]);
    if (opts.telephony) {
      interrupted();
      const sip = await startLivekitSip({
        ports: opts.telephony,
        livekitUrl,
        apiKey: opts.apiKey,
        apiSecret: opts.apiSecret,
        dir,
        log,
      });
      children.push(sip.child);
      sipAddress = `127.0.0.1:${opts.telephony.sip}`;
    }

    interrupted();
    await startAgentWorker({
      name: 'agent',
      script: opts.agentScript,
      // the agent books and records calls through this web server's internal API (it starts right after),
      // unless the environment names another records server (an empty VOXANNE_RECORDS_URL= names none)
      env: {
        ...(opts.web === false ? {} : { VOXANNE_RECORDS_URL: process.env.VOXANNE_RECORDS_URL || webUrl }),
        ...opts.agentEnv,
        ...creds,
      },
      healthPort: ports.agentHealth,
      metricsPort: agentMetricsPort,
      log,
      into: children,
    });
    if (opts.web === false) {
      const noWeb = () => Promise.reject(new Error('this stack has no web server'));
      return {
        webUrl: '',
        recordsApiKey,
        livekitUrl,
        agentMetricsUrl,
        livekitBin,
        children,
        sipAddress,
        restartWeb: noWeb,
        stop,
      };
    }
    interrupted();
    await startWeb();
    interrupted();
  } catch (e) {
    await stop();
    throw e;
  }
  return { webUrl, recordsApiKey, livekitUrl, agentMetricsUrl, livekitBin, children, sipAddress, restartWeb, stop };
}

/**
 * Starts an agent worker (Voxanne's, or `script`) and resolves once it is registered with LiveKit and
 * its first job process is warm; the child is pushed onto `into` at once, so a failed start still stops it.
 */
export async function startAgentWorker(o: {
  name: string;
  script?: string | undefined;
  env: NodeJS.ProcessEnv;
  healthPort: number;
  metricsPort: number;
  log: (source: string, line: string) => void;
  into: ChildHandle[];
}): Promise<ChildHandle> {
  const agent = startChild(
    o.name,
    process.execPath,
    ['--import', 'tsx', o.script ?? join(ROOT, 'agent/src/main.ts'), 'start'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...o.env,
        AGENT_HTTP_PORT: String(o.healthPort),
        AGENT_METRICS_PORT: String(o.metricsPort),
        AGENT_METRICS_HOST: '127.0.0.1',
      },
      onLine: (l) => o.log(o.name, l),
    },
  );
  o.into.push(agent);
  await agent.waitForLine(/registered worker/, 60_000);
  // a warm job process (engines loaded, greeting synthesised) is what lets the first caller be greeted at once
  await agent.waitForLine(/engines ready/, 90_000);
  return agent;
}

/**
 * Starts the web server on loopback (its embedded database in `dir` unless env names one) and resolves
 * once it answers; it replaces a dead 'web' child in `replace`, or is pushed onto it.
 */
export async function startWebServer(o: {
  port: number;
  dir: string;
  env: NodeJS.ProcessEnv;
  log: (source: string, line: string) => void;
  replace: ChildHandle[];
}): Promise<ChildHandle> {
  const web = startChild('web', process.execPath, ['--import', 'tsx', join(ROOT, 'web/server/main.ts')], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: join(o.dir, 'pglite'), PORT: String(o.port), HOST: '127.0.0.1', ...o.env },
    onLine: (l) => o.log('web', l),
  });
  const old = o.replace.findIndex((c) => c.name === 'web');
  if (old >= 0) o.replace.splice(old, 1, web);
  else o.replace.push(web);
  await Promise.race([waitForHttp(`http://127.0.0.1:${o.port}/api/health`, 60_000), failOnExit(web)]);
  return web;
}

export async function failOnExit(child: ChildHandle): Promise<never> {
  const code = await child.exited;
  throw new Error(`${child.name} exited during start-up (code ${code}); see its output above`);
}

/** Every port of one stack (and its telephony, when asked), taken in one reservation: all distinct. */
export async function freeStackPortSet(telephony?: {
  rtpCount: number;
}): Promise<{ ports: Required<StackPorts>; telephony?: TelephonyPorts }> {
  const r = await reservePorts({
    tcp: telephony ? 7 : 5,
    both: telephony ? 2 : 1,
    udpRuns: telephony ? [telephony.rtpCount + 1] : [],
  });
  await r.release();
  const tcp = [...r.tcp];
  const take = () => tcp.shift()!;
  const ports = {
    livekit: take(),
    livekitTcp: take(),
    livekitUdp: r.both[0]!,
    web: take(),
    agentHealth: take(),
    agentMetrics: take(),
  };
  if (!telephony) return { ports };
  const rtpStart = r.runs[0]!;
  return {
    ports,
    telephony: { redis: take(), sip: r.both[1]!, sipHealth: take(), rtpStart, rtpEnd: rtpStart + telephony.rtpCount },
  };
}
/**
 * startStack on free loopback ports (tests): all taken at once, and a start that lost one of them to
 * another process meanwhile ("address already in use") is stopped and made again on fresh ports.
 */
export async function startStackOnFreePorts(
  opts: Omit<StackOptions, 'ports' | 'telephony'> & {
    /** also Redis and LiveKit SIP, with this many RTP ports */
    telephony?: { rtpCount: number };
    /** a start lost a port and is being made again (its output so far belongs to the failed attempt) */
    onRetry?(err: unknown): void;
  },
): Promise<Stack & { ports: StackPorts; telephony?: TelephonyPorts }> {
  const { telephony, onRetry, ...rest } = opts;
  return withFreshPorts({
    ...(rest.signal ? { signal: rest.signal } : {}),
    pick: () => freeStackPortSet(telephony),
    start: async (set, seen) => {
      const stack = await startStack({
        ...rest,
        ...set,
        log: (source, line) => {
          seen(line);
          rest.log(source, line);
        },
      });
      return { ...stack, ...set };
    },
    onRetry: (err, attempt) => {
      rest.log('setup', `a port was taken during start-up (attempt ${attempt}); starting again on fresh ports`);
      onRetry?.(err);
    },
  });
}
