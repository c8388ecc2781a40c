/**
 * Several workers on one LiveKit cluster: who holds which call, and which worker is gone.
 *
 * LiveKit (1.13) forgets the jobs of a worker whose connection drops: it re-dispatches nothing, and the
 * dead agent stays in its rooms until its connection times out (~20 s). So each worker keeps a lease in
 * the cluster's Redis (the one livekit-server already shares) with the calls it holds; a worker that
 * sees another's lease run out claims its calls once and recovers each like a crashed job
 * (core/recovery.ts). Pure: worker/worker-lease.ts performs these decisions against Redis.
 */
import type { JobExit } from './recovery.ts';

/** A worker that has not renewed its lease for this long is gone. */
export const LEASE_MS = 2000;
/** How often a worker renews its lease and looks at the others'. Four beats per lease: a slow beat is not a death. */
export const BEAT_MS = 500;
/** How long one worker's claim on a lost worker's calls stands, so no two workers recover the same call. */
export const CLAIM_MS = 30_000;
/**
 * A worker whose connection to Redis is gone (its process died: the kernel closed the socket) and that
 * has not renewed its lease for this long is gone too, without waiting out the lease: a kill -9 is seen
 * within about a second. Two beats, so a connection that drops and comes back at once is not a death.
 */
export const SILENT_MS = 2 * BEAT_MS;

/** A call a worker holds: what another worker needs to bring it back. */
export interface HeldCall {
  jobId: string;
  room: string;
  /** the dead agent's identity in the room, removed before the new one joins */
  identity: string;
  /** the call's record, once the job announced it */
  callId?: string;
}

/** The Redis keys of one deployment (one agent name): deployments sharing a Redis stay apart. */
export function leaseKeys(agentName: string, workerId?: string) {
  const base = `voxanne:${agentName || 'auto'}`;
  return {
    workers: `${base}:workers`,
    lease: (id = workerId ?? '') => `${base}:worker:${id}:lease`,
    calls: (id = workerId ?? '') => `${base}:worker:${id}:calls`,
    claim: (id = workerId ?? '') => `${base}:worker:${id}:claim`,
  };
}

/** What a worker sees of another in Redis at one beat. */
export interface PeerView {
  /** how long its lease has left (PTTL); undefined when the lease ran out */
  leaseLeftMs: number | undefined;
  /** its own connection to Redis is open (it names itself on it: connectionName) */
  connected: boolean;
}

/** Redis's name for a worker's connection, so the others see whether it is still open. */
export const connectionName = (agentName: string, workerId: string) =>
  `voxanne-worker:${agentName || 'auto'}:${workerId}`;

/**
 * The workers that were known and are gone: their lease ran out, or their connection is closed and
 * they have not renewed for SILENT_MS. Never this worker itself.
 */
export function lostWorkers(o: {
  self: string;
  known: readonly string[];
  peers: ReadonlyMap<string, PeerView>;
}): string[] {
  return [...new Set(o.known)].filter((id) => {
    if (id === o.self) return false;
    const p = o.peers.get(id);
    if (!p || p.leaseLeftMs === undefined) return true;
    return !p.connected && LEASE_MS - p.leaseLeftMs >= SILENT_MS;
  });
}

export function encodeHeldCalls(calls: readonly HeldCall[]): string {
  return JSON.stringify(calls);
}

/** A lost worker's calls as it last wrote them; anything malformed is left out (it cannot be recovered). */
export function parseHeldCalls(raw: string | null | undefined): HeldCall[] {
  if (!raw) return [];
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(v)) return [];
  return v.flatMap((c: Partial<Record<keyof HeldCall, unknown>>) => {
    if (!c || typeof c.jobId !== 'string' || typeof c.room !== 'string' || typeof c.identity !== 'string') return [];
    if (!c.room || !c.jobId) return [];
    return [
      {
        jobId: c.jobId,
        room: c.room,
        identity: c.identity,
        ...(typeof c.callId === 'string' && c.callId ? { callId: c.callId } : {}),
      },
    ];
  });
}

/** A lost worker's call, as the exit core/recovery.ts decides on: the job died with its worker. */
export function exitOfLostCall(c: HeldCall): JobExit {
  return {
    code: null,
    signal: null,
    workerLost: true,
    job: { id: c.jobId, room: c.room, identity: c.identity },
    ...(c.callId ? { callId: c.callId, callEnded: false } : {}),
  };
}
