/**
 * The environment variables more than one process reads, declared once. Each process's own schema
 * (agent/src/config.ts, web/server/config.ts, sip/src/config.ts, scripts/dev.ts) spreads these
 * into its own, so LiveKit's address and credentials mean the same everywhere and have one default.
 */
import { z } from 'zod';
import { AGENT_NAME_PATTERN, DEFAULT_AGENT_NAME } from './protocol.ts';

/** the local livekit-server that `npm start` runs */
export const DEV_LIVEKIT_URL = 'ws://127.0.0.1:7880';
export const DEV_LIVEKIT_API_KEY = 'devkey';
/**
 * The local stack's secret, for development only (.env.example says so). livekit-server refuses
 * a secret under 32 characters, so the default is longer than that.
 */
export const DEV_LIVEKIT_API_SECRET = 'voxanne-local-dev-secret-0123456789abcdef';
export const LIVEKIT_SECRET_MIN_LENGTH = 32;

/**
 * LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET. A process that only talks to a server
 * accepts any non-empty secret (a cloud project's is its own business); `livekitServerEnv`, for
 * the process that starts livekit-server, holds it to the server's minimum.
 */
export const livekitEnv = {
  LIVEKIT_URL: z
    .string()
    .url()
    .refine((u) => /^(wss?|https?):\/\//.test(u), 'must start with ws://, wss://, http:// or https://')
    .default(DEV_LIVEKIT_URL),
  LIVEKIT_API_KEY: z.string().min(1).default(DEV_LIVEKIT_API_KEY),
  LIVEKIT_API_SECRET: z.string().min(1).default(DEV_LIVEKIT_API_SECRET),
};

export const livekitServerEnv = {
  ...livekitEnv,
  LIVEKIT_API_SECRET: z
    .string()
    .min(LIVEKIT_SECRET_MIN_LENGTH, `must be at least ${LIVEKIT_SECRET_MIN_LENGTH} characters`)
    .default(DEV_LIVEKIT_API_SECRET),
};

/** AGENT_NAME: the name the worker registers under and the web server and SIP dispatch rules ask for */
export const agentNameEnv = {
  AGENT_NAME: z.string().regex(AGENT_NAME_PATTERN, "1-64 letters, digits, '.', '-' or '_'").default(DEFAULT_AGENT_NAME),
};

/**
 * The internal records API's signing key in dev mode (VOXANNE_DEV=1). Anywhere else RECORDS_API_KEY
 * must be set, to something other than this and other than LIVEKIT_API_SECRET: a leaked LiveKit
 * secret must not also let someone write bookings, and the other way round.
 */
export const DEV_RECORDS_API_KEY = 'voxanne-local-dev-records-key-0123456789';
export const RECORDS_KEY_MIN_LENGTH = 32;

/** RECORDS_API_KEY (validated further by secretProblems) */
export const recordsKeyEnv = {
  RECORDS_API_KEY: z
    .string()
    .min(RECORDS_KEY_MIN_LENGTH, `must be at least ${RECORDS_KEY_MIN_LENGTH} characters`)
    .optional(),
};

/** the repository's published secrets: accepted in dev mode only */
export const EXAMPLE_SECRETS: readonly string[] = [DEV_LIVEKIT_API_SECRET, DEV_RECORDS_API_KEY];

export interface RunMode {
  /** VOXANNE_DEV=1: the example secrets and the demo users with their published password are allowed */
  dev: boolean;
  /** NODE_ENV=production: real secrets required, dev mode refused */
  production: boolean;
}

export function runModeOf(env: Record<string, string | undefined>): RunMode {
  const dev = env.VOXANNE_DEV === '1' || env.VOXANNE_DEV === 'true';
  return { dev, production: env.NODE_ENV === 'production' };
}

/**
 * What is wrong with a process's secrets, one sentence each naming the variable; empty when it may
 * start. `records`: this process signs or verifies the internal records API. Unset variables are
 * read as their dev defaults, which only dev mode accepts.
 */
export function secretProblems(env: Record<string, string | undefined>, o: { records: boolean }): string[] {
  const mode = runModeOf(env);
  const problems: string[] = [];
  const fix = 'set a real one (32+ random characters, e.g. `openssl rand -hex 32`) or run in dev mode (VOXANNE_DEV=1)';
  if (mode.production && mode.dev) problems.push('VOXANNE_DEV: dev mode is not allowed with NODE_ENV=production');
  const lkSecret = env.LIVEKIT_API_SECRET || DEV_LIVEKIT_API_SECRET;
  const recordsKey = env.RECORDS_API_KEY || (mode.dev && !mode.production ? DEV_RECORDS_API_KEY : undefined);
  const devOk = mode.dev && !mode.production;
  if (!devOk) {
    if (!env.LIVEKIT_API_SECRET) problems.push(`LIVEKIT_API_SECRET: not set; ${fix}`);
    else if (EXAMPLE_SECRETS.includes(lkSecret))
      problems.push(`LIVEKIT_API_SECRET: this is the example secret published in the repository; ${fix}`);
  }
  if (o.records) {
    if (!recordsKey) problems.push(`RECORDS_API_KEY: not set (the internal records API's own key); ${fix}`);
    else if (!devOk && EXAMPLE_SECRETS.includes(recordsKey))
      problems.push(`RECORDS_API_KEY: this is the example key published in the repository; ${fix}`);
    else if (recordsKey === lkSecret)
      problems.push('RECORDS_API_KEY: must differ from LIVEKIT_API_SECRET (each key guards something else)');
  }
  return problems;
}

/**
 * WEB_STANDBY_CALLS: lines the web server holds open for the next web callers, each a room with
 * Voxanne already in it, her voice published and her greeting made (web/server/standby-pool.ts);
 * a click is handed one at once. 0 = off: every click opens its room then. Read by the web server
 * (how many to hold) and the agent worker (that many more warm job processes, so a standby never
 * takes the process the next phone or web call would have used).
 */
export const WEB_STANDBY_MAX = 8;
export const webStandbyEnv = {
  WEB_STANDBY_CALLS: z.coerce.number().int().min(0).max(WEB_STANDBY_MAX).default(1),
};

/**
 * LOG_PII: logs carry anything personal (caller words, names, numbers, emails) only under a `pii`
 * field, and every process's logger removes that field unless LOG_PII=1 (local debugging only).
 * Independently of it, nothing personal is logged at info level or above.
 */
export const logPiiEnv = {
  LOG_PII: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
};

/** pino options (root or child logger) that drop the `pii` field, or none with LOG_PII=1 */
export function piiLogOptions(logPii: boolean): { redact?: { paths: string[]; remove: true } } {
  return logPii ? {} : { redact: { paths: ['pii'], remove: true } };
}

/**
 * Job processes a worker keeps warm (engines loaded, greeting synthesised) for the next callers. Each
 * call is a process of its own (@livekit/agents 1.9 has no thread executor and never reuses a process),
 * and the library warms them one at a time, about 3 s of CPU each: a caller who finds none waits for
 * one. Read by the agent worker and by the load bench, which waits for them before its calls.
 */
export const idleProcessesEnv = {
  /** unset: defaultIdleProcesses(MAX_CONCURRENT_CALLS) */
  AGENT_IDLE_PROCESSES: z.coerce
    .number()
    .int()
    .min(1, 'at least 1 (the library would read 0 as its own default)')
    .max(100)
    .optional(),
};

/** Most job processes kept warm by default; each holds about 270 MB (RSS) and 1% of a core while it waits. */
export const DEFAULT_IDLE_PROCESSES_CAP = 4;

/**
 * The default: a warm process for every line, up to DEFAULT_IDLE_PROCESSES_CAP, so callers arriving
 * together up to that many never wait for a process to start. (The library keeps that many warm *besides*
 * the calls, so a higher default would double a full worker's processes for bursts a clinic rarely has.)
 */
export function defaultIdleProcesses(maxConcurrentCalls: number): number {
  return Math.min(maxConcurrentCalls, DEFAULT_IDLE_PROCESSES_CAP);
}
