// Telephony processes beside the stack: Redis (shared by livekit-server and livekit-sip) and LiveKit SIP.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ensureGoBinary, MissingBinaryError, pinnedSpecs, ROOT } from './livekit-binary.ts';
import { startChild, waitForHttp, type ChildHandle } from './procs.ts';

export interface TelephonyPorts {
  redis: number;
  /** SIP signalling, UDP and TCP */
  sip: number;
  sipHealth: number;
  /** RTP media range, inclusive; one port per call */
  rtpStart: number;
  rtpEnd: number;
}

export const DEFAULT_TELEPHONY_PORTS: TelephonyPorts = {
  redis: 6379,
  sip: 5060,
  sipHealth: 8082,
  rtpStart: 10000,
  rtpEnd: 10100,
};

export interface Telephony {
  /** host:port of LiveKit SIP's signalling, e.g. 127.0.0.1:5060 */
  sipAddress: string;
  redisAddress: string;
  sipBin: string;
  children: ChildHandle[];
}

/** livekit-server's `redis:` block: it must use the Redis livekit-sip uses, or SIP calls find no room service. */
export const livekitRedis = (p: TelephonyPorts) => ({ address: `127.0.0.1:${p.redis}` });

/** sip/sip.yaml with the LiveKit URL, keys, Redis address and ports filled in. */
export async function sipConfig(
  p: TelephonyPorts,
  livekitUrl: string,
  apiKey: string,
  apiSecret: string,
): Promise<string> {
  const cfg = parse(await readFile(join(ROOT, 'sip/sip.yaml'), 'utf8')) as Record<string, unknown>;
  return stringify({
    ...cfg,
    api_key: apiKey,
    api_secret: apiSecret,
    ws_url: livekitUrl,
    redis: { address: `127.0.0.1:${p.redis}` },
    sip_port: p.sip,
    health_port: p.sipHealth,
    rtp_port: `${p.rtpStart}-${p.rtpEnd}`,
  });
}

const REDIS_BIN = 'redis-server';

/** Redis on loopback, in memory only (no dump file, no append-only log): its state is per run. */
export async function startRedis(port: number, log: (line: string) => void): Promise<ChildHandle> {
  const redis = startChild(
    REDIS_BIN,
    REDIS_BIN,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    {
      onLine: (l) => log(l),
    },
  );
  try {
    await redis.waitForLine(/Ready to accept connections/, 15_000);
  } catch (e) {
    await redis.stop();
    throw new MissingBinaryError(
      `Redis did not start (${(e as Error).message}); telephony needs Debian's ` +
        `redis-server (apt-get install redis-server)`,
    );
  }
  return redis;
}

/**
 * Starts livekit-sip against a running livekit-server that already uses the Redis at `p.redis`
 * (startRedis first, then livekit-server with livekitRedis(p)). Resolves once its health port answers.
 */
export async function startLivekitSip(opts: {
  ports: TelephonyPorts;
  livekitUrl: string;
  apiKey: string;
  apiSecret: string;
  dir: string;
  log: (source: string, line: string) => void;
}): Promise<{ child: ChildHandle; sipBin: string }> {
  const { livekitSip } = await pinnedSpecs();
  const sipBin = await ensureGoBinary(livekitSip, (m) => opts.log('setup', m));
  const configPath = join(opts.dir, 'sip.yaml');
  await writeFile(configPath, await sipConfig(opts.ports, opts.livekitUrl, opts.apiKey, opts.apiSecret));
  const child = startChild('livekit-sip', sipBin, ['--config', configPath], { onLine: (l) => opts.log('sip', l) });
  try {
    await Promise.race([
      waitForHttp(`http://127.0.0.1:${opts.ports.sipHealth}/`, 30_000),
      child.exited.then((code) => {
        throw new Error(`livekit-sip exited during start-up (code ${code}); see its output above`);
      }),
    ]);
  } catch (e) {
    await child.stop();
    throw e;
  }
  return { child, sipBin };
}

/** Free loopback ports for a test's telephony: SIP free for UDP and TCP, RTP a free run of UDP ports. */
export async function freeTelephonyPorts(rtpCount = 20): Promise<TelephonyPorts> {
  const { reservePorts } = await import('./ports.ts');
  const r = await reservePorts({ tcp: 2, both: 1, udpRuns: [rtpCount + 1] });
  await r.release();
  const [redis, sipHealth] = r.tcp as [number, number];
  const rtpStart = r.runs[0]!;
  return { redis, sip: r.both[0]!, sipHealth, rtpStart, rtpEnd: rtpStart + rtpCount };
}
