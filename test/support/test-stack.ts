import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import { startStackOnFreePorts, type Stack } from '../../scripts/lib/stack.ts';
import type { TelephonyPorts } from '../../scripts/lib/telephony.ts';

export const TEST_KEY = 'testkey';
export const TEST_SECRET = 'voxanne-test-secret-0123456789abcdef0123';
export const ARTIFACTS = join(ROOT, 'test-artifacts');

let built = false;
/** Builds the browser client once per test process (static mode serves web/dist). */
export function buildWeb(): void {
  if (built && existsSync(join(ROOT, 'web/dist/index.html'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: join(ROOT, 'web'),
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('vite build failed');
  built = true;
}

/**
 * The agent's environment in the suite's stacks and clusters: debug logs, and one warm job process, not the
 * shipped one per line up to 4: they take their calls one or two at a time, and each more warm process is
 * ~3 s of CPU at every start; a test needing more sets it in `extra`.
 */
export const testAgentEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  LOG_LEVEL: 'debug',
  AGENT_IDLE_PROCESSES: '1',
  ...extra,
});

export interface TestStack extends Stack {
  apiKey: string;
  apiSecret: string;
  /** every output line of every child, for assertions on logs */
  lines: { source: string; line: string }[];
  logFile: string;
  watchers: Set<() => void>;
  /** Redis + LiveKit SIP ports when started with { telephony: true } */
  telephony?: TelephonyPorts;
}

/** A whole Voxanne on free loopback ports; its output goes to test-artifacts/<name>.log (a fresh one each run). */
export async function startTestStack(
  name: string,
  agentEnv: NodeJS.ProcessEnv = {},
  /** webEnv: extra environment for the web server (a DATA_DIR the test reads after stopping the stack) */
  opts: { telephony?: boolean; webEnv?: NodeJS.ProcessEnv } = {},
): Promise<TestStack> {
  buildWeb();
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, `${name}.log`);
  // this run's log only (a start made again on fresh ports appends to it)
  writeFileSync(logFile, '');
  const lines: TestStack['lines'] = [];
  const watchers = new Set<() => void>();
  const stack = await startStackOnFreePorts({
    ...(opts.telephony ? { telephony: { rtpCount: 20 } } : {}),
    // a start that lost a port is made again: its lines are not this stack's (the log file keeps them)
    onRetry: () => void lines.splice(0),
    apiKey: TEST_KEY,
    apiSecret: TEST_SECRET,
    webMode: 'static',
    agentEnv: testAgentEnv(agentEnv),
    ...(opts.webEnv ? { webEnv: opts.webEnv } : {}),
    log: (source, line) => {
      lines.push({ source, line });
      appendFileSync(logFile, `${source.padEnd(8)} ${line}\n`);
      for (const w of [...watchers]) w();
    },
  });
  return { ...stack, apiKey: TEST_KEY, apiSecret: TEST_SECRET, lines, logFile, watchers };
}

/** One JSON log line of the agent worker or a job process (pino). */
export interface AgentLog {
  level: number;
  time: number;
  msg: string;
  callId?: string;
  pid?: number;
  jobID?: string;
  reason?: string;
  [k: string]: unknown;
}

/** The agent's structured log lines so far, parsed. */
export function agentLogs(stack: Pick<TestStack, 'lines'>): AgentLog[] {
  return stack.lines.flatMap((l) => {
    if (l.source !== 'agent' || !l.line.startsWith('{')) return [];
    try {
      return [JSON.parse(l.line) as AgentLog];
    } catch {
      return []; // a line cut by the process exiting; the agent's own lines are whole JSON
    }
  });
}

/** Resolves when a line from `source` matches re (lines already seen count too). */
/** The first line of `source` matching `re` (from line index `since` on), waiting up to timeoutMs for it. */
export function waitForLog(s: TestStack, source: string, re: RegExp, timeoutMs: number, since = 0): Promise<string> {
  const find = () => s.lines.find((l, i) => i >= since && l.source === source && re.test(l.line))?.line;
  const seen = find();
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const check = () => {
      const hit = find();
      if (hit === undefined) return;
      cleanup();
      resolve(hit);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no ${source} log line matching ${re} within ${timeoutMs} ms (see ${s.logFile})`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      s.watchers.delete(check);
    };
    s.watchers.add(check);
  });
}
