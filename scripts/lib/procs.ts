import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildHandle {
  name: string;
  proc: ChildProcess;
  /** resolves with the exit code (null when killed by a signal) */
  exited: Promise<number | null>;
  /** resolves on the first output line matching re; rejects if the child exits first or on timeout */
  waitForLine(re: RegExp, timeoutMs: number): Promise<string>;
  /**
   * SIGTERM to the child's whole group (or, with leaderFirst, to the child alone: it stops its own
   * helpers in order), SIGKILL to the group after graceMs, and SIGKILL to whatever of the group is left.
   */
  stop(graceMs?: number, o?: { leaderFirst?: boolean }): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** every output line, already without the trailing newline */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * Starts a child in its own process group, so stop() also ends whatever it forked
 * (the agent worker forks one process per job).
 */
export function startChild(name: string, cmd: string, args: string[], opts: StartOptions = {}): ChildHandle {
  const proc = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const watchers = new Set<(line: string) => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    const rl = createInterface({ input: proc[stream]! });
    rl.on('line', (line) => {
      opts.onLine?.(line, stream);
      for (const w of watchers) w(line);
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    proc.once('exit', (code) => resolve(code));
    proc.once('error', (err) => {
      opts.onLine?.(`failed to start ${cmd}: ${err.message}`, 'stderr');
      resolve(127);
    });
  });

  const waitForLine = (re: RegExp, timeoutMs: number) =>
    new Promise<string>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        watchers.delete(watch);
      };
      const watch = (line: string) => {
        if (re.test(line)) {
          done();
          resolve(line);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name}: no line matching ${re} within ${timeoutMs} ms`));
      }, timeoutMs);
      watchers.add(watch);
      void exited.then((code) => {
        if (!watchers.has(watch)) return;
        done();
        reject(new Error(`${name} exited (code ${code}) before printing ${re}`));
      });
    });

  const signalGroup = (sig: NodeJS.Signals) => {
    if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    try {
      process.kill(-proc.pid, sig);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; // already gone is fine
    }
  };

  const stop = async (graceMs = 5000, o: { leaderFirst?: boolean } = {}) => {
    if (!o.leaderFirst) signalGroup('SIGTERM');
    else if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    // the leader is gone; make sure no grandchild of the group survives it
    if (proc.pid !== undefined) {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
      }
    }
  };

  return { name, proc, exited, waitForLine, stop };
}

/** Polls an HTTP URL until it answers (any status), or throws after timeoutMs. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${(lastError as Error)?.message}`);
}
