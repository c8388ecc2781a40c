/**
 * How many calls the worker has taken, counted from the moment it says yes. @livekit/agents reports a
 * worker's load to LiveKit only every 2.5 s and counts a job only once its process runs it, so between
 * two reports LiveKit kept sending jobs to a "free" worker (six calls to a worker of four). Here each
 * job request is answered against this ledger when it arrives: a place is taken on accepting, and
 * given back when the job's process exits, or when an accepted job never reaches a process.
 */
import type { Clock } from './clock.ts';

/**
 * An accepted job that no process has started by then never will: LiveKit did not assign it (the room
 * closed meanwhile) or the launch failed. The agents library itself gives a new process 60 s to
 * initialise (main.ts initializeProcessTimeout), so a slower job is still on its way before that.
 */
export const UNLAUNCHED_JOB_TIMEOUT_MS = 65_000;

export type AdmissionDecision = { accept: true } | { accept: false; active: number; max: number };

export class JobAdmission {
  /** job id → when it was accepted, and whether a process runs it */
  readonly #jobs = new Map<string, { acceptedAt: number; launched: boolean }>();

  constructor(
    readonly max: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** Answers a job request now, taking a place when it accepts. A request repeated for a held job is accepted again. */
  request(jobId: string): AdmissionDecision {
    this.#expire();
    if (this.#jobs.has(jobId)) return { accept: true };
    if (this.#jobs.size >= this.max) return { accept: false, active: this.#jobs.size, max: this.max };
    this.#jobs.set(jobId, { acceptedAt: this.clock.now(), launched: false });
    return { accept: true };
  }

  /** A process runs the job: its place is held until the process exits. */
  launched(jobId: string): void {
    const j = this.#jobs.get(jobId);
    if (j) j.launched = true;
  }

  /** The job's process exited (the call is over, or it crashed). */
  ended(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  get active(): number {
    this.#expire();
    return this.#jobs.size;
  }

  /** what the worker reports to LiveKit: 1 = full */
  load(): number {
    return Math.min(1, this.active / this.max);
  }

  #expire(): void {
    const now = this.clock.now();
    for (const [id, j] of this.#jobs)
      if (!j.launched && now - j.acceptedAt >= UNLAUNCHED_JOB_TIMEOUT_MS) this.#jobs.delete(id);
  }
}
