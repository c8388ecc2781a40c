/**
 * An agent that cannot start says why, once, and stops.
 *
 * @livekit/agents' worker restarts a job process whose prewarm fails about once a second, forever,
 * logging only "process exited before initializing" (the job process logs the real error at debug
 * level). So: the worker checks the engines itself before it registers; a job process whose prewarm
 * still fails logs its error (message and stack) at fatal level and tells the worker (a signal: the
 * library keeps the IPC channel's messages to itself), and the worker stops with a non-zero exit,
 * which `npm start` reports and ends on.
 */
import { initializeLogger, log } from '@livekit/agents';

/** What a job process sends its worker when its prewarm failed. */
export const JOB_CANNOT_START_SIGNAL = 'SIGUSR2' as const;
/** The worker's exit code when the agent cannot start (EX_CONFIG: a missing piece, not a crash). */
export const AGENT_CANNOT_START_EXIT = 78;

export interface FailureHooks {
  /** tells the worker; default: the signal to the parent process when this is a job process */
  notifyWorker?: () => void;
  exit?: (code: number) => void;
}

/** Wraps a prewarm: a failure is logged once with its stack, the worker is told, the job process ends. */
export function guardPrewarm<P>(
  prewarm: (proc: P) => Promise<void>,
  hooks: FailureHooks = {},
): (proc: P) => Promise<void> {
  return async (proc) => {
    try {
      await prewarm(proc);
    } catch (error) {
      log().fatal({ error }, 'agent cannot start: its engines failed to load');
      (hooks.notifyWorker ?? notifyParent)();
      (hooks.exit ?? process.exit)(AGENT_CANNOT_START_EXIT);
    }
  };
}

function notifyParent(): void {
  // only a job process (forked with an IPC channel) has a worker to tell
  if (process.send) process.kill(process.ppid, JOB_CANNOT_START_SIGNAL);
}

/** In the worker: the first job process that cannot start stops the worker (it would only start more). */
export function stopWhenAJobCannotStart(hooks: Pick<FailureHooks, 'exit'> = {}): () => void {
  const onSignal = () => {
    process.off(JOB_CANNOT_START_SIGNAL, onSignal);
    log().fatal({}, 'agent worker stops: a job process could not start (its error is logged above)');
    (hooks.exit ?? process.exit)(AGENT_CANNOT_START_EXIT);
  };
  process.on(JOB_CANNOT_START_SIGNAL, onSignal);
  return () => process.off(JOB_CANNOT_START_SIGNAL, onSignal);
}

/**
 * Runs the worker's own start-up checks (configuration, knowledge base, engine libraries) before it
 * registers; a failure is logged once at fatal level and the process exits.
 */
export async function checkBeforeRegistering<T>(
  check: () => Promise<T>,
  o: { exit?: (code: number) => never } = {},
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    // the CLI sets the logger up only when it runs; this runs before it
    initializeLogger({ pretty: false, level: 'info' });
    log().fatal({ error }, 'agent cannot start');
    return (o.exit ?? process.exit)(AGENT_CANNOT_START_EXIT);
  }
}
