import { createServer, type AddressInfo, type Server } from 'node:net';
import { createSocket, type Socket } from 'node:dgram';

export async function isTcpPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function isUdpPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
}

/** A TCP port the OS says is free now (there is a small race until the caller binds it). */
export async function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Where ports chosen by number come from: below Linux's ephemeral range (32768–60999), which the OS
 * hands to outgoing connections and to `listen(0)` at any moment, so nothing but another chooser
 * like this one can take a port between its choice and its use.
 */
export const CHOSEN_PORTS = { from: 20000, to: 32767 } as const;

const randomPort = (span = 0) =>
  CHOSEN_PORTS.from + Math.floor(Math.random() * (CHOSEN_PORTS.to - span - CHOSEN_PORTS.from));

/** A port free for both TCP and UDP (LiveKit's RTC mux port is UDP; its TCP fallback is separate). */
export async function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = randomPort();
    if (await isUdpPortFree(port, host)) return port;
  }
  throw new Error('no free UDP port found');
}

/** What one reservation takes: `tcp` ports, ports free for `both` UDP and TCP, and runs of consecutive UDP ports. */
export interface PortWants {
  tcp: number;
  both: number;
  udpRuns: number[];
}

export interface Reservation {
  tcp: number[];
  both: number[];
  /** first port of each run, in the order asked */
  runs: number[];
  /** frees every port at once, for the processes that will bind them */
  release(): Promise<void>;
}

/**
 * Takes every port a stack needs at once and holds them (sockets bound) until release(): they are
 * distinct from each other, and none is handed to anyone else in between, as picking them one after
 * another (each freed before the next is asked for) could not promise: the OS may hand a freed port
 * out again at once, which is how a stack's Redis once took livekit-server's port.
 */
export async function reservePorts(want: PortWants, host = '127.0.0.1'): Promise<Reservation> {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  const release = async () => {
    await Promise.all([
      ...servers.map((s) => new Promise((r) => s.close(r))),
      ...sockets.map((s) => new Promise<void>((r) => s.close(() => r()))),
    ]);
  };
  const listenTcp = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen(port, host, () => {
        servers.push(srv);
        resolve((srv.address() as AddressInfo).port);
      });
    });
  const bindUdp = (port: number) =>
    new Promise<boolean>((resolve) => {
      const sock = createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, host, () => {
        sockets.push(sock);
        resolve(true);
      });
    });
  try {
    const tcp: number[] = [];
    for (let i = 0; i < want.tcp; i++) {
      const port = await listenTcp(0);
      if (port === undefined) throw new Error('no free TCP port');
      tcp.push(port);
    }
    const both: number[] = [];
    for (let tries = 0; both.length < want.both; tries++) {
      if (tries >= 100) throw new Error('no port free for both UDP and TCP');
      const port = randomPort();
      if (!(await bindUdp(port))) continue;
      // the UDP socket stays bound either way: a port tried and lost is not tried again
      if ((await listenTcp(port)) !== undefined) both.push(port);
    }
    const runs: number[] = [];
    for (const length of want.udpRuns) {
      let found: number | undefined;
      for (let tries = 0; found === undefined && tries < 50; tries++) {
        const start = randomPort(length);
        let ok = true;
        for (let p = start; p < start + length && ok; p++) ok = await bindUdp(p);
        if (ok) found = start;
      }
      if (found === undefined) throw new Error(`no run of ${length} free UDP ports`);
      runs.push(found);
    }
    return { tcp, both, runs, release };
  } catch (e) {
    await release();
    throw e;
  }
}

/** Free ports for one whole stack on loopback: livekit-server (signal, TCP and UDP media), the web
 * server and the agent worker's health port. */
export async function freeStackPorts(): Promise<{
  livekit: number;
  livekitTcp: number;
  livekitUdp: number;
  web: number;
  agentHealth: number;
}> {
  const r = await reservePorts({ tcp: 4, both: 1, udpRuns: [] });
  await r.release();
  const [livekit, livekitTcp, web, agentHealth] = r.tcp as [number, number, number, number];
  return { livekit, livekitTcp, livekitUdp: r.both[0]!, web, agentHealth };
}

/** what a process prints (or a start-up error says) when a port it was given is taken */
export const ADDRESS_IN_USE = /address already in use|EADDRINUSE/i;

/**
 * Starts something on ports from `pick`, and again on fresh ones when a start fails because one of
 * them was taken meanwhile (its output or error says so; `start` reports every output line to
 * `seen`). Any other failure, or the last attempt's, is thrown as it came.
 */
export async function withFreshPorts<P, T>(o: {
  pick(): Promise<P>;
  start(ports: P, seen: (line: string) => void): Promise<T>;
  attempts?: number;
  /** a start lost a port; the next attempt follows */
  onRetry?(err: unknown, attempt: number): void;
  /** aborted: no further attempt */
  signal?: AbortSignal;
}): Promise<T> {
  const attempts = o.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    let inUse = false;
    const seen = (line: string) => void (inUse ||= ADDRESS_IN_USE.test(line));
    try {
      return await o.start(await o.pick(), seen);
    } catch (err) {
      const lostPort = inUse || ADDRESS_IN_USE.test(String(err));
      if (!lostPort || attempt >= attempts || o.signal?.aborted) throw err;
      o.onRetry?.(err, attempt);
    }
  }
}
