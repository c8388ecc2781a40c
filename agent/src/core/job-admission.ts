/**
 * How many calls the worker has taken, counted from the moment it says yes. @livekit/agents reports a
 * worker's load to LiveKit only every 2.5 s and counts a job only once its process runs it, so between
 * two reports LiveKit kept sending jobs to a "free" worker (six calls to a worker of four). Here each
 * job request is answered against this ledger when it arrives: a place is taken on accepting, and
 * given back when the job's process exits, or when an accepted job never reaches a process.
 */
import { isUnclaimedStandby, parseCallRoomMetadata } from '@voxanne/contracts/call-room';
import type { Clock } from './clock.ts';
import { callerExpectation } from './caller-trust.ts';
import { outboundPurpose } from './phone/phone-number.ts';

/**
 * An accepted job that no process has started by then never will: LiveKit did not assign it (the room
 * closed meanwhile) or the launch failed. The agents library itself gives a new process 60 s to
 * initialise (main.ts initializeProcessTimeout), so a slower job is still on its way before that.
 */
export const UNLAUNCHED_JOB_TIMEOUT_MS = 65_000;

/**
 * A phone caller refused for capacity hears a short message and the call ends, instead of ringing
 * until the trunk gives up. After a worker refuses a phone call, LiveKit asks the other workers at
 * once; a room none of them has marked taken this long after the refusal has nobody.
 */
export const BUSY_LINE_GRACE_MS = 500;

/** busy messages one worker plays at once (each a room connection for a few seconds); more callers ring on */
export const MAX_BUSY_LINES = 4;

/** what the caller hears: the web page's busy message, said for the phone */
export const BUSY_LINE_WORDS = 'All our lines are busy right now. Please call again in a minute. Goodbye.';

/**
 * Whether a room whose call was refused for capacity should hear the busy line: an inbound phone call's
 * room (no web caller named, not a call she places herself). A web page says "lines busy" itself; a
 * patient she was about to call is simply not called.
 */
export function wantsBusyLine(roomMetadata: string | undefined): boolean {
  return callerExpectation(roomMetadata).kind === 'sip' && outboundPurpose(roomMetadata) === undefined;
}

/**
 * Once the grace is over: the busy line plays if no worker took the call, no worker has started the
 * busy line in it yet (the room's busyLine mark), and this worker is not already playing its most.
 */
export function busyLineDue(roomMetadataNow: string | undefined, playing: number): boolean {
  const m = parseCallRoomMetadata(roomMetadataNow);
  return !m.taken && !m.busyLine && playing < MAX_BUSY_LINES;
}

/**
 * What a job is for: a call, or a standby (a web room held open for the next caller, with no caller
 * yet: contracts/src/call-room.ts `standby`). A standby holds a line, but never at a call's expense:
 * a call that finds every line taken ends an unclaimed standby and takes its place. Why the worker
 * and not the web server keeping a line free: only the worker knows its lines (a SIP call never
 * passes the web server), and a free line kept back for nothing would cost a clinic one call in four.
 */
export type JobKind = 'call' | 'standby';

/** the job's room metadata says which (a standby a caller was handed is a call like any other) */
export function jobKindOf(roomMetadata: string | undefined): JobKind {
  return isUnclaimedStandby(parseCallRoomMetadata(roomMetadata)) ? 'standby' : 'call';
}

export type AdmissionDecision =
  | { accept: true }
  /** every line taken; `standbys` (oldest first) may be ended to admit a call, each after checking its room */
  | { accept: false; active: number; max: number; standbys: { jobId: string; room: string }[] };

interface HeldJob {
  acceptedAt: number;
  launched: boolean;
  kind: JobKind;
  room: string;
}

export class JobAdmission {
  /** job id → when it was accepted, whether a process runs it, and what it is for */
  readonly #jobs = new Map<string, HeldJob>();

  constructor(
    readonly max: number,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /**
   * Answers a job request now, taking a place when it accepts. A request repeated for a held job is
   * accepted again. A call refused for want of a line is told which standbys could make room for it
   * (a standby is told none: it never ends another).
   */
  request(jobId: string, kind: JobKind = 'call', room = ''): AdmissionDecision {
    this.#expire();
    if (this.#jobs.has(jobId)) return { accept: true };
    if (this.#jobs.size >= this.max) {
      const standbys =
        kind === 'call'
          ? [...this.#jobs.entries()]
              .filter(([, j]) => j.kind === 'standby')
              .sort(([, a], [, b]) => a.acceptedAt - b.acceptedAt)
              .map(([id, j]) => ({ jobId: id, room: j.room }))
          : [];
      return { accept: false, active: this.#jobs.size, max: this.max, standbys };
    }
    this.#jobs.set(jobId, { acceptedAt: this.clock.now(), launched: false, kind, room });
    return { accept: true };
  }

  /** A standby ended to make room for a call: its place is free now, before its process has gone. */
  evicted(jobId: string): boolean {
    const j = this.#jobs.get(jobId);
    if (j?.kind !== 'standby') return false;
    return this.#jobs.delete(jobId);
  }

  /** A standby whose room turned out to be handed to a caller: a call from now on, never ended for another. */
  claimed(jobId: string): void {
    const j = this.#jobs.get(jobId);
    if (j) j.kind = 'call';
  }

  /** A process runs the job: its place is held until the process exits. */
  launched(jobId: string): void {
    const j = this.#jobs.get(jobId);
    if (j) j.launched = true;
  }

  /** The job's process exited (the call is over, or it crashed); false for a job it did not hold. */
  ended(jobId: string): boolean {
    return this.#jobs.delete(jobId);
  }

  get active(): number {
    this.#expire();
    return this.#jobs.size;
  }

  /** the lines held by calls (standbys left out): "no call under way" is calls === 0 */
  get calls(): number {
    this.#expire();
    return [...this.#jobs.values()].filter((j) => j.kind === 'call').length;
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
