// The worker lease against a real Redis (Debian's redis-server on a free loopback port): a lost
// worker's calls are recovered once, by one survivor; a live or a stopping worker takes nothing over.
import assert from 'node:assert/strict';
import { afterAll, beforeAll, test } from 'vitest';
import { Redis } from 'ioredis';
import { freeTcpPort } from '../../../scripts/lib/ports.ts';
import type { ChildHandle } from '../../../scripts/lib/procs.ts';
import { startRedis } from '../../../scripts/lib/telephony.ts';
import type { JobExit } from '../core/recovery.ts';
import { encodeHeldCalls, LEASE_MS, leaseKeys, type HeldCall } from '../core/worker-lease.ts';
import { WorkerLease } from './worker-lease.ts';

let server: ChildHandle;
let url: string;
let raw: Redis;
const leases: WorkerLease[] = [];
const quiet = { info: () => {}, warn: () => {} };

beforeAll(async () => {
  const port = await freeTcpPort();
  server = await startRedis(port, () => {});
  url = `redis://127.0.0.1:${port}`;
  raw = new Redis(url);
});

afterAll(async () => {
  for (const l of leases) await l.stop();
  raw?.disconnect();
  await server?.stop();
});

const call: HeldCall = { jobId: 'AJ_1', room: 'call-1', identity: 'agent-AJ_1', callId: 'c-1' };

function lease(agentName: string, workerId: string, o: { held?: HeldCall[]; stopping?: boolean } = {}) {
  const recovered: JobExit[] = [];
  let onRecover = () => {};
  const l = new WorkerLease({
    redisUrl: url,
    agentName,
    workerId,
    held: () => o.held ?? [],
    recover: async (exit) => {
      recovered.push(exit);
      onRecover();
    },
    stopping: () => o.stopping ?? false,
    log: quiet,
  });
  leases.push(l);
  const firstRecovery = new Promise<void>((r) => (onRecover = r));
  return { l, recovered, firstRecovery };
}

/** What a worker killed with its machine leaves: listed, its calls written, its lease run out. */
async function deadWorker(agentName: string, id: string, calls: HeldCall[]): Promise<void> {
  const k = leaseKeys(agentName, id);
  await raw.multi().sadd(k.workers, id).set(k.calls(), encodeHeldCalls(calls)).del(k.lease()).exec();
}

test("a lost worker's calls are recovered once, by one survivor, and the lost worker is forgotten", async () => {
  await deadWorker('east', 'W2', [call]);
  const a = lease('east', 'W1');
  const b = lease('east', 'W3');
  await Promise.all([a.l.start(), b.l.start()]);
  await Promise.race([a.firstRecovery, b.firstRecovery]);
  await Promise.all([a.l.beat(), b.l.beat()]);
  const all = [...a.recovered, ...b.recovered];
  assert.equal(all.length, 1, 'one recovery for the one call');
  assert.deepEqual(all[0], {
    code: null,
    signal: null,
    workerLost: true,
    job: { id: 'AJ_1', room: 'call-1', identity: 'agent-AJ_1' },
    callId: 'c-1',
    callEnded: false,
  });
  const k = leaseKeys('east');
  assert.deepEqual((await raw.smembers(k.workers)).sort(), ['W1', 'W3']);
  assert.equal(await raw.get(k.calls('W2')), null);
});

test('a live worker is never taken over; its lease and calls are in Redis for the others', async () => {
  const live = lease('west', 'L1', { held: [call] });
  const other = lease('west', 'L2');
  await Promise.all([live.l.start(), other.l.start()]);
  await other.l.beat();
  await other.l.beat();
  assert.deepEqual(other.recovered, []);
  const k = leaseKeys('west');
  const ttl = await raw.pttl(k.lease('L1'));
  assert.ok(ttl > 0 && ttl <= LEASE_MS, `the lease expires within ${LEASE_MS} ms (pttl ${ttl})`);
  assert.deepEqual(JSON.parse((await raw.get(k.calls('L1')))!), [call]);
});

test('a stopping worker takes nothing over; a clean stop leaves nothing to take over', async () => {
  await deadWorker('north', 'N2', [call]);
  const stopping = lease('north', 'N1', { stopping: true });
  await stopping.l.start();
  await stopping.l.beat();
  assert.deepEqual(stopping.recovered, []);
  await stopping.l.stop();
  const k = leaseKeys('north');
  assert.deepEqual(await raw.smembers(k.workers), ['N2'], 'N1 left; N2 is still waiting for a survivor');
  assert.equal(await raw.get(k.lease('N1')), null);
});
