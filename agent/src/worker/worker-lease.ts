/**
 * The worker's lease in the cluster's Redis (REDIS_URL, the one livekit-server shares), and the
 * takeover of a lost worker's calls (core/worker-lease.ts decides; CallRecovery recovers each call).
 *
 * Every BEAT_MS the worker renews its lease (expiring after LEASE_MS) with the calls it holds, and
 * looks at the other workers' leases and connections. A lease that ran out, or a connection closed and
 * not renewed for SILENT_MS (a process killed: the kernel closes its socket), means the worker is gone
 * with its job processes (its machine died, it was killed): one surviving worker claims it (SET NX, so no call is
 * recovered twice) and asks LiveKit for a fresh job in each of its rooms. A beat rather than an event
 * because a dead machine sends nothing; LEASE_MS bounds how long a caller waits before the takeover.
 */
import { Redis } from 'ioredis';
import type { JobExit } from '../core/recovery.ts';
import {
  BEAT_MS,
  CLAIM_MS,
  connectionName,
  encodeHeldCalls,
  exitOfLostCall,
  LEASE_MS,
  leaseKeys,
  lostWorkers,
  parseHeldCalls,
  type HeldCall,
  type PeerView,
} from '../core/worker-lease.ts';

/** How long a worker's list of calls outlives its lease: time enough for another worker to read it. */
const CALLS_KEEP_MS = 10 * 60 * 1000;

export interface WorkerLeaseLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WorkerLeaseOptions {
  redisUrl: string;
  agentName: string;
  workerId: string;
  /** the calls this worker holds now (job-exit-hook.ts heldCalls) */
  held(): HeldCall[];
  /** brings one call of a lost worker back (CallRecovery.onExit) */
  recover(exit: JobExit & { pid?: undefined }): Promise<void>;
  /** a stopping worker keeps its lease (its calls go on while it drains) but takes nothing over */
  stopping(): boolean;
  log: WorkerLeaseLog;
}

export class WorkerLease {
  readonly #redis: Redis;
  readonly #keys: ReturnType<typeof leaseKeys>;
  #timer: ReturnType<typeof setInterval> | undefined;
  #beating = false;
  #failing = false;

  constructor(private readonly o: WorkerLeaseOptions) {
    this.#keys = leaseKeys(o.agentName, o.workerId);
    // a command while Redis is away fails at once instead of queueing beats that would all land later
    // named, so the other workers see at once when this process's connection closes (it died)
    this.#redis = new Redis(o.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      lazyConnect: true,
      connectionName: connectionName(o.agentName, o.workerId),
    });
    this.#redis.on('error', () => {}); // reported by the beat that fails, once per outage
  }

  /** Connects and takes the lease; rejects when Redis cannot be reached (a setting to fix, said at start). */
  async start(): Promise<void> {
    await this.#redis.connect();
    await this.beat();
    this.#timer = setInterval(() => void this.beat(), BEAT_MS);
    this.#timer.unref();
  }

  /** One renewal and one look at the others. Public for the tests, which beat by hand. */
  async beat(): Promise<void> {
    if (this.#beating) return; // a slow Redis: the next beat waits for this one
    this.#beating = true;
    try {
      const k = this.#keys;
      await this.#redis
        .multi()
        .sadd(k.workers, this.o.workerId)
        .set(k.lease(), String(Date.now()), 'PX', LEASE_MS)
        .set(k.calls(), encodeHeldCalls(this.o.held()), 'PX', CALLS_KEEP_MS)
        .exec();
      if (!this.o.stopping()) await this.#takeOverLost();
      if (this.#failing) this.o.log.info({ workerId: this.o.workerId }, 'worker lease renewed again');
      this.#failing = false;
    } catch (err) {
      if (!this.#failing)
        this.o.log.warn({ workerId: this.o.workerId, err: (err as Error).message }, 'worker lease not renewed');
      this.#failing = true;
    } finally {
      this.#beating = false;
    }
  }

  async #takeOverLost(): Promise<void> {
    const k = this.#keys;
    const known = await this.#redis.smembers(k.workers);
    const others = known.filter((id) => id !== this.o.workerId);
    if (!others.length) return;
    const left = await Promise.all(others.map((id) => this.#redis.pttl(k.lease(id))));
    const clients = String(await this.#redis.client('LIST'));
    const peers = new Map<string, PeerView>(
      others.map((id, i) => [
        id,
        {
          leaseLeftMs: left[i]! > 0 ? left[i]! : undefined,
          connected: clients.includes(` name=${connectionName(this.o.agentName, id)} `),
        },
      ]),
    );
    for (const lost of lostWorkers({ self: this.o.workerId, known, peers })) {
      // exactly one survivor takes each lost worker's calls
      const won = await this.#redis.set(k.claim(lost), this.o.workerId, 'PX', CLAIM_MS, 'NX');
      if (won !== 'OK') continue;
      const calls = parseHeldCalls(await this.#redis.get(k.calls(lost)));
      const fields = { lostWorker: lost, workerId: this.o.workerId, calls: calls.length };
      // a worker that drained and stopped leaves no calls: gone, not lost
      if (calls.length) this.o.log.warn(fields, 'agent worker lost');
      else this.o.log.info(fields, 'agent worker gone');
      await this.#redis.multi().srem(k.workers, lost).del(k.calls(lost)).exec();
      // all at once: each caller is waiting, and no call needs another's recovery
      await Promise.all(calls.map((c) => this.o.recover(exitOfLostCall(c))));
    }
  }

  /** Gives the lease up (a clean stop: nobody takes over) and disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const k = this.#keys;
    try {
      await this.#redis.multi().srem(k.workers, this.o.workerId).del(k.lease(), k.calls()).exec();
    } catch {
      // Redis is away: the lease runs out by itself, and whoever sees it takes over what it still lists
    }
    this.#redis.disconnect();
  }
}
