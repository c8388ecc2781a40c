/**
 * A call whose job process died: whether to bring her back, what the new job is told, and what she
 * says when she is back. Pure: the worker and the job perform these decisions.
 */

/** How a job process ended, as the worker saw it. */
export interface JobExit {
  code: number | null;
  signal: string | null;
  /** the job the process was running; absent for a warm process that never took a call */
  job?: { id: string; room: string; identity: string };
  /** the call it was handling, once the job announced it */
  callId?: string;
  /** the job announced the end of its call before the process went */
  callEnded?: boolean;
  /**
   * the whole worker that ran the job is gone (its lease in the cluster's Redis ran out: core/worker-lease.ts);
   * another worker saw it, so the call counts as crashed whatever the job had announced
   */
  workerLost?: true;
}

export interface RecoveryFacts {
  exit: JobExit;
  /** the worker is stopping: its job processes end with it, nothing to recover */
  stopping: boolean;
  /** identities of the room's participants that are not agents (undefined: the room is gone) */
  callers: readonly string[] | undefined;
  /** recoveries of this call already made */
  attempts: number;
}

export const MAX_RECOVERIES_PER_CALL = 3;

export type RecoveryDecision =
  | {
      kind: 'ignore';
      why: 'clean exit' | 'no job' | 'worker stopping' | 'room gone' | 'no caller left' | 'too many recoveries';
    }
  | { kind: 'recover'; room: string; removeIdentity: string; metadata: RecoveryMetadata };

/** How long the worker remembers a call's recoveries: longer than any call lasts. */
export const RECOVERY_MEMORY_MS = 2 * 60 * 60 * 1000;

/**
 * Recoveries made per room, so a call that keeps killing its process is not revived forever. A room
 * is forgotten once it is gone, and any entry is forgotten after RECOVERY_MEMORY_MS, so a worker
 * that runs for months holds only the calls of the last two hours.
 */
export class RecoveryAttempts {
  readonly #byRoom = new Map<string, { count: number; lastMs: number }>();

  count(room: string, nowMs: number): number {
    this.#prune(nowMs);
    return this.#byRoom.get(room)?.count ?? 0;
  }

  record(room: string, nowMs: number): void {
    this.#prune(nowMs);
    this.#byRoom.set(room, { count: (this.#byRoom.get(room)?.count ?? 0) + 1, lastMs: nowMs });
  }

  forget(room: string): void {
    this.#byRoom.delete(room);
  }

  get size(): number {
    return this.#byRoom.size;
  }

  #prune(nowMs: number): void {
    for (const [room, a] of this.#byRoom) if (nowMs - a.lastMs > RECOVERY_MEMORY_MS) this.#byRoom.delete(room);
  }
}

/**
 * A job process that exits 0 finished its job; anything else died under it. The library also
 * exits 0 after an exception in the job, so a call announced and never ended is a crash too.
 */
export function crashed(exit: Pick<JobExit, 'code' | 'signal' | 'callId' | 'callEnded' | 'workerLost'>): boolean {
  if (exit.workerLost) return exit.callEnded !== true;
  if (exit.signal !== null || (exit.code !== null && exit.code !== 0)) return true;
  return exit.callId !== undefined && exit.callEnded !== true;
}

export function decideRecovery(f: RecoveryFacts): RecoveryDecision {
  if (!crashed(f.exit)) return { kind: 'ignore', why: 'clean exit' };
  const job = f.exit.job;
  if (!job) return { kind: 'ignore', why: 'no job' };
  if (f.stopping) return { kind: 'ignore', why: 'worker stopping' };
  if (f.callers === undefined) return { kind: 'ignore', why: 'room gone' };
  if (f.callers.length === 0) return { kind: 'ignore', why: 'no caller left' };
  // a call that kills every process it gets (a poisonous input) must not loop forever
  if (f.attempts >= MAX_RECOVERIES_PER_CALL) return { kind: 'ignore', why: 'too many recoveries' };
  return {
    kind: 'recover',
    room: job.room,
    removeIdentity: job.identity,
    metadata: {
      recovery: true,
      previousJobId: job.id,
      attempt: f.attempts + 1,
      reason: exitReason(f.exit),
      ...(f.exit.callId ? { callId: f.exit.callId } : {}),
    },
  };
}

export function exitReason(exit: Pick<JobExit, 'code' | 'signal' | 'workerLost'>): string {
  if (exit.workerLost) return 'agent worker lost';
  if (exit.signal) return `job process killed (${exit.signal})`;
  return exit.code === 0 ? 'job ended before its call did' : `job process exited with code ${exit.code}`;
}

/** The explicit dispatch's metadata: what the new job needs to take the call over. */
export interface RecoveryMetadata {
  recovery: true;
  /** absent when the dead job never announced its call (the new job starts a fresh record) */
  callId?: string;
  previousJobId: string;
  attempt: number;
  reason: string;
}

/** The dispatch metadata of a recovery job, or undefined for an ordinary dispatch. */
export function parseRecoveryMetadata(metadata: string | undefined): RecoveryMetadata | undefined {
  if (!metadata) return undefined;
  try {
    const m = JSON.parse(metadata) as Partial<RecoveryMetadata>;
    if (m.recovery !== true || typeof m.previousJobId !== 'string') return undefined;
    return {
      recovery: true,
      previousJobId: m.previousJobId,
      attempt: typeof m.attempt === 'number' ? m.attempt : 1,
      reason: typeof m.reason === 'string' ? m.reason : 'unknown',
      ...(typeof m.callId === 'string' && m.callId ? { callId: m.callId } : {}),
    };
  } catch {
    return undefined; // metadata set by something else: not a recovery
  }
}

export interface StoredTurn {
  index: number;
  speaker: 'caller' | 'agent';
  text: string;
  interrupted: boolean;
}

export interface Restored {
  /** the conversation as the caller heard it, oldest first */
  history: { role: 'user' | 'assistant'; text: string }[];
  /** the next free turn index of the call (its records go on after the old ones) */
  nextTurnIndex: number;
  /** the caller's last words, and whether she had answered them before she was lost */
  lastCaller?: { text: string; answered: boolean };
}

export function restoreFromTurns(turns: readonly StoredTurn[]): Restored {
  const sorted = [...turns].sort(
    (a, b) => a.index - b.index || (a.speaker === b.speaker ? 0 : a.speaker === 'caller' ? -1 : 1),
  );
  const history = sorted
    .filter((t) => t.text.trim())
    .map((t) => ({ role: t.speaker === 'caller' ? ('user' as const) : ('assistant' as const), text: t.text }));
  const nextTurnIndex = sorted.length ? Math.max(...sorted.map((t) => t.index)) + 1 : 0;
  const lastCallerAt = history.map((h) => h.role).lastIndexOf('user');
  if (lastCallerAt < 0) return { history, nextTurnIndex };
  return {
    history,
    nextTurnIndex,
    lastCaller: { text: history[lastCallerAt]!.text, answered: lastCallerAt < history.length - 1 },
  };
}

/** What the caller was asking about, in her words: a topic the brain recognised in their last words. */
export type TopicOf = (callerText: string) => string | undefined;

export const LOST_YOU = 'Sorry, I lost you for a moment.';

/** The line she says when she is back, instead of the greeting. */
export function recoveryLine(r: Restored, topicOf: TopicOf): string {
  const last = r.lastCaller;
  if (!last) return `${LOST_YOU} How can I help you today?`;
  const topic = topicOf(last.text);
  const about = topic ? ` You were asking about ${topic}.` : '';
  // an answer cut off by the crash is asked for again rather than guessed at
  return last.answered
    ? `${LOST_YOU}${about} What else can I help you with?`
    : `${LOST_YOU}${about} Could you ask me that again?`;
}

/** The receptionist brain's intents, as a topic she can name. */
export const TOPIC_OF_INTENT: Readonly<Record<string, string>> = {
  hours: 'our opening hours',
  address: 'where we are',
  phone: 'our phone number',
  services: 'our treatments',
  'service-description': 'a treatment',
  'service-price': 'prices',
  'service-recovery': 'recovery time',
  policy: 'our policies',
  booking: 'booking an appointment',
  reschedule: 'moving your appointment',
  'cancel-appointment': 'cancelling your appointment',
  'callback-request': 'a call back',
  human: 'speaking with someone',
};
