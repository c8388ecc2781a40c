/**
 * How the worker learns that a call's job process died.
 *
 * PRIVATE HOOK into @livekit/agents 1.9.0. Its worker forks one process per job
 * (`JobProcExecutor.createProcess()` in dist/ipc/job_proc_executor.js, called by ProcPool) and
 * notices the exit only to drop the process from its pool: no event, no log, nothing public tells
 * the application which job died or how. So this file wraps `createProcess` once, to listen to the
 * ChildProcess it returns: its `exit` (code, signal) and our own IPC message in which the job
 * names its call (the library ignores message cases it does not know). The job being run is the
 * executor's public-looking `runningJob` (a RunningJobInfo). job-exit-hook.test.ts forks a real
 * executor and kills it, so an upgrade that moves any of this fails there, not in a call.
 * It also wraps `launchJob`, the moment a process is handed its job (worker/admission.ts counts from
 * there). Everything else in the agent uses onJobProcessExit(), onJobLaunched() and announceCall() only.
 */
import type { ChildProcess } from 'node:child_process';
import type { JobExit } from '../core/recovery.ts';
import type { HeldCall } from '../core/worker-lease.ts';

export const AGENTS_VERSION_HOOKED = '1.9.0';

/** our IPC message cases, on the channel the library owns; its parent-side switches ignore them */
const CALL_STARTED = 'voxanne.callStarted';
const CALL_ENDED = 'voxanne.callEnded';

interface RunningJobLike {
  job?: { id?: string; room?: { name?: string } };
  acceptArguments?: { identity?: string };
}

interface ExecutorLike {
  createProcess(): ChildProcess;
  launchJob(info: RunningJobLike): Promise<void>;
  readonly runningJob?: RunningJobLike;
}

export type JobExitListener = (exit: JobExit & { pid: number | undefined }) => void;

const listeners = new Set<JobExitListener>();
const startListeners = new Set<(child: ChildProcess) => void>();
const launchListeners = new Set<(jobId: string) => void>();
let installed: Promise<void> | undefined;
/** the jobs this worker's processes are running now, by executor (worker/worker-lease.ts publishes them) */
const held = new Map<ExecutorLike, HeldCall>();

/** Loads the library's executor module: the very file its ProcPool imports (same URL, same class). */
export async function jobProcExecutorClass(): Promise<{ prototype: ExecutorLike }> {
  const index = import.meta.resolve('@livekit/agents'); // …/@livekit/agents/dist/index.js
  const mod = (await import(new URL('./ipc/job_proc_executor.js', index).href)) as {
    JobProcExecutor?: { prototype: ExecutorLike };
  };
  const missing = (['createProcess', 'launchJob'] as const).find(
    (m) => typeof mod.JobProcExecutor?.prototype?.[m] !== 'function',
  );
  if (missing || !mod.JobProcExecutor) {
    throw new Error(
      `@livekit/agents internals changed: JobProcExecutor.${missing ?? 'createProcess'} not found ` +
        `(hook written for ${AGENTS_VERSION_HOOKED})`,
    );
  }
  return mod.JobProcExecutor;
}

async function install(): Promise<void> {
  const proto = (await jobProcExecutorClass()).prototype;
  const launch = proto.launchJob;
  proto.launchJob = async function (this: ExecutorLike, info: RunningJobLike): Promise<void> {
    await launch.call(this, info);
    const id = info.job?.id;
    if (id)
      held.set(this, {
        jobId: id,
        room: info.job?.room?.name ?? '',
        identity: info.acceptArguments?.identity ?? '',
        ...(held.get(this)?.callId ? { callId: held.get(this)!.callId! } : {}),
      });
    if (id) for (const l of launchListeners) l(id);
  };
  const original = proto.createProcess;
  proto.createProcess = function (this: ExecutorLike): ChildProcess {
    const child = original.call(this);
    for (const l of startListeners) l(child);
    let callId: string | undefined;
    let callEnded = false;
    child.on('message', (m: { case?: unknown; value?: { callId?: unknown } }) => {
      if (m?.case === CALL_STARTED && typeof m.value?.callId === 'string') {
        callId = m.value.callId;
        const h = held.get(this);
        if (h) held.set(this, { ...h, callId });
      } else if (m?.case === CALL_ENDED) {
        callEnded = true;
        held.delete(this); // over: nothing for another worker to bring back
      }
    });
    child.once('exit', (code, signal) => {
      held.delete(this);
      const running = this.runningJob;
      const job = running?.job?.id
        ? { id: running.job.id, room: running.job.room?.name ?? '', identity: running.acceptArguments?.identity ?? '' }
        : undefined;
      const exit = { pid: child.pid, code, signal, ...(job ? { job } : {}), ...(callId ? { callId, callEnded } : {}) };
      for (const l of listeners) l(exit);
    });
    return child;
  };
}

/** Calls `listener` whenever a job process exits, with how and (when it had one) its job and call. */
export async function onJobProcessExit(listener: JobExitListener): Promise<() => void> {
  installed ??= install();
  await installed;
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Calls `listener` with every job process the worker forks from now on, as soon as it exists (the
 * metrics listen to its IPC messages and its exit).
 */
export async function onJobProcessStart(listener: (child: ChildProcess) => void): Promise<() => void> {
  installed ??= install();
  await installed;
  startListeners.add(listener);
  return () => startListeners.delete(listener);
}

/** Calls `listener` with the job's id whenever a job process is handed its job. */
export async function onJobLaunched(listener: (jobId: string) => void): Promise<() => void> {
  installed ??= install();
  await installed;
  launchListeners.add(listener);
  return () => launchListeners.delete(listener);
}

/** The jobs this worker's processes are running now, with their calls once announced. */
export function heldCalls(): HeldCall[] {
  return [...held.values()];
}

/** In the job process: tells the worker which call this job is handling. */
export function announceCall(callId: string): void {
  process.send?.({ case: CALL_STARTED, value: { callId } });
}

/** In the job process: the call is over; an exit after this is the job finishing, not a crash. */
export function announceCallEnded(): void {
  process.send?.({ case: CALL_ENDED, value: {} });
}
