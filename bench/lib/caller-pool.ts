/**
 * Where a load step's callers run: in the load generator itself (inProcessPool: the smoke run in npm
 * test), or spread over caller processes (startShards; load-shards.ts says why and how). Either way a
 * call is placed with its spec and resolves with its figures.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import type { Script } from './caller-script.ts';
import { oneCall, type CallSpec, type CallTarget, type LoadCall } from './load-call.ts';
import type { LoadRouting } from './load-routing.ts';
import { ShardHost, shardOf, worstLag, type FromShard, type ShardLag, type ToShard } from './load-shards.ts';

export interface CallerPool {
  /** caller processes (0: the callers run in the load generator) */
  readonly shards: number;
  place(spec: CallSpec): Promise<LoadCall>;
  /** the caller processes' event-loop delay since the last ask (the worst shard's); undefined in process */
  lag(): Promise<ShardLag | undefined>;
  close(): Promise<void>;
}

export function inProcessPool(target: CallTarget, routing: LoadRouting, script: Script): CallerPool {
  return {
    shards: 0,
    place: (spec) => {
      const line = routing.line();
      return oneCall(
        spec,
        target,
        {
          ready: () => line.ready(),
          expectParts: (parts) => line.expectParts(parts),
          done: () => (line.done(), Promise.resolve(line.bindings)),
        },
        script,
      );
    },
    lag: () => Promise.resolve(undefined),
    close: () => Promise.resolve(),
  };
}

/** a caller process loads tsx, rtc-node and the script in a few seconds; a loaded machine gets this long */
const UP_TIMEOUT_MS = 60_000;
const CLOSE_TIMEOUT_MS = 10_000;

/** Forks `n` caller processes and resolves once every one has the target and the script. */
export async function startShards(
  n: number,
  target: CallTarget,
  routing: LoadRouting,
  script: Script,
): Promise<CallerPool> {
  const children: ChildProcess[] = [];
  const hosts: ShardHost[] = [];
  for (let k = 0; k < n; k++) {
    const child = fork(join(ROOT, 'bench/lib/load-shard.ts'), [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx'],
      // structured clones: the script's PCM as Int16Array, and figures with undefined and Infinity intact
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const host = new ShardHost(
      (m: ToShard) => {
        // a shard that has gone is reported by its exit below; what was on it is lost there
        if (child.connected) child.send(m, () => undefined);
      },
      () => routing.line(),
    );
    child.on('message', (m: FromShard) => host.receive(m));
    child.on('exit', (code, signal) => host.gone(`caller process ${k} exited with ${code ?? signal}`));
    child.on('error', (e) => host.gone(`caller process ${k}: ${e.message}`));
    host.init(target, script);
    children.push(child);
    hosts.push(host);
  }
  const close = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        if (child.connected) child.send({ t: 'close' } satisfies ToShard, () => undefined);
        const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.all(hosts.map((h) => h.up)),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the caller processes did not start within ${UP_TIMEOUT_MS} ms`)),
          UP_TIMEOUT_MS,
        );
      }),
    ]);
    const dead = children.findIndex((c) => c.exitCode !== null || c.signalCode !== null);
    if (dead >= 0) throw new Error(`caller process ${dead} exited as it started`);
  } catch (e) {
    await close();
    throw e;
  } finally {
    clearTimeout(timer);
  }
  return {
    shards: n,
    place: (spec) => hosts[shardOf(spec.i, n)]!.call(spec),
    lag: async () => worstLag(await Promise.all(hosts.map((h) => h.lag()))),
    close,
  };
}
