import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  agentNameEnv,
  DEV_RECORDS_API_KEY,
  livekitEnv,
  logPiiEnv,
  recordsKeyEnv,
  runModeOf,
  secretProblems,
  webStandbyEnv,
} from '@voxanne/contracts/env';
import { fhirAllowedOriginsEnv } from '@voxanne/contracts/scheduling';
import { z } from 'zod';

export const WEB_MODES = ['dev', 'static'] as const;
export type WebMode = (typeof WEB_MODES)[number];

export interface WebConfig {
  port: number;
  host: string;
  /** what the browser connects to; returned by /api/token as `url` */
  livekitUrl: string;
  livekitApiKey: string;
  /** signs tokens; never leaves this process */
  livekitApiSecret: string;
  /** the agent dispatched into each caller's room when its token is minted */
  agentName: string;
  /** 'dev' serves web/ through Vite middleware; 'static' serves a `vite build` output */
  mode: WebMode;
  /** the Vite root (web/) */
  webRoot: string;
  /** the built client served in static mode */
  distDir: string;
  /** embedded PGlite's data directory (used when databaseUrl is unset) */
  dataDir: string;
  /** PostgreSQL connection string; unset = embedded PGlite */
  databaseUrl?: string | undefined;
  /** the clinic created from knowledgeBasePath when the database has none */
  defaultTenant: string;
  /** clinic.yaml for that first clinic */
  knowledgeBasePath: string;
  /** an empty database gets the demo clinic, users and calls instead (npm start) */
  demoSeed: boolean;
  /** how often calls left in progress with no LiveKit room are closed (records/reaper.ts); 0 = never */
  reaperIntervalMs: number;
  /** how long such a call must have been quiet before it is closed */
  reaperGraceMs: number;
  /** TRUST_PROXY=1: X-Forwarded-For (its last entry) and X-Forwarded-Proto come from our own proxy */
  trustProxy: boolean;
  // --- rooms and capacity (README "Security: rooms and capacity") ---
  /** call tokens one client address may take at once (TOKEN_RATE_BURST) */
  tokenBurst: number;
  /** and then per minute (TOKEN_RATE_PER_MINUTE) */
  tokenPerMinute: number;
  /** calls one client address may hold at once (MAX_CALLS_PER_CLIENT) */
  maxCallsPerClient: number;
  /** standby calls held open for the next web callers (WEB_STANDBY_CALLS; standby-pool.ts); 0 = none */
  webStandbyCalls: number;
  /** a plain Twilio number's voice webhook (web/server/twilio/); undefined = no auth token, routes answer 404 */
  twilio?: TwilioConfig | undefined;
  // --- security (README "Security") ---
  /** signs and verifies the internal records API (RECORDS_API_KEY); never LiveKit's secret */
  recordsApiKey: string;
  /** VOXANNE_DEV=1: the example secrets, the demo seed and the demo users' published password are allowed */
  devMode: boolean;
  /** PUBLIC_URL: where users reach this server; https means HSTS and Secure cookies */
  publicUrl: string | undefined;
  /** host names (no port) a request's Host may name; anything else is refused (DNS rebinding) */
  allowedHosts: string[];
  /** LOG_PII=1: logs keep their `pii` field (local debugging); by default pino removes it */
  logPii: boolean;
  /** FHIR_ALLOWED_ORIGINS: the EHR origins a clinic's settings may name; undefined = any secure URL */
  fhirAllowedOrigins: string[] | undefined;
}

export const TWILIO_CHANNELS = ['media-streams', 'conversation-relay'] as const;
export type TwilioChannel = (typeof TWILIO_CHANNELS)[number];

export interface TwilioConfig {
  /** what POST /twilio/voice connects a call to */
  channel: TwilioChannel;
  /** validates X-Twilio-Signature and keys the media sockets' tokens; calls the REST API with the SID */
  authToken: string;
  accountSid?: string | undefined;
  /** another Twilio REST endpoint (the tests' fake) */
  apiBaseUrl?: string | undefined;
  /**
   * the URL Twilio sees for this server (behind a proxy or a tunnel), no trailing slash; signatures
   * are computed over it. Unset: http://HOST:PORT as the server listens (only right on loopback tests).
   */
  publicUrl?: string | undefined;
  /** the clinic's numbers → clinic slug; empty = every number is the default clinic's */
  numbers: Record<string, string>;
}

/** web/, resolved from this file so the server works from any working directory */
export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
/** the repository root: .data/ and agent/knowledge/ are found from here */
export const REPO_ROOT = resolve(WEB_ROOT, '..');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(5173),
  HOST: z.string().min(1).default('127.0.0.1'),
  ...livekitEnv,
  ...agentNameEnv,
  WEB_MODE: z.enum(WEB_MODES).default('dev'),
  /** optional: serve a build from somewhere other than web/dist (tests build into a temp dir) */
  WEB_DIST_DIR: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('.data/pglite'),
  DATABASE_URL: z
    .string()
    .refine((u) => /^postgres(ql)?:\/\//.test(u), 'must start with postgres:// or postgresql://')
    .optional(),
  VOXANNE_TENANT: z
    .string()
    .regex(/^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes')
    .default('riverside'),
  KNOWLEDGE_BASE_PATH: z.string().min(1).default('agent/knowledge/clinic.yaml'),
  VOXANNE_DEMO_SEED: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  VOXANNE_REAPER_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  VOXANNE_REAPER_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  ...recordsKeyEnv,
  ...fhirAllowedOriginsEnv,
  PUBLIC_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  TWILIO_CHANNEL: z.enum(TWILIO_CHANNELS).default('media-streams'),
  TWILIO_AUTH_TOKEN: z.string().min(8).optional(),
  TWILIO_ACCOUNT_SID: z
    .string()
    .regex(/^AC[0-9a-fA-F]{32}$/, 'AC followed by 32 hex digits')
    .optional(),
  TWILIO_API_BASE_URL: z.string().url().optional(),
  TWILIO_NUMBERS: z
    .string()
    .transform((v, ctx) => {
      const out: Record<string, string> = {};
      for (const pair of v
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)) {
        const m = /^(\+\d{6,15})=([a-z0-9-]{1,40})$/.exec(pair);
        if (!m) {
          ctx.addIssue({ code: 'custom', message: `"${pair}" is not +E164=clinic-slug` });
          return z.NEVER;
        }
        out[m[1]!] = m[2]!;
      }
      return out;
    })
    .optional(),
  ALLOWED_HOSTS: z
    .string()
    .regex(/^[A-Za-z0-9.:[\]-]+(,[A-Za-z0-9.:[\]-]+)*$/, 'a comma-separated list of host names')
    .optional(),
  TRUST_PROXY: z
    .enum(['0', '1', 'true', 'false'])
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  ...logPiiEnv,
  TOKEN_RATE_BURST: z.coerce.number().int().min(1).max(10_000).default(10),
  TOKEN_RATE_PER_MINUTE: z.coerce.number().min(0).max(100_000).default(20),
  MAX_CALLS_PER_CLIENT: z.coerce.number().int().min(1).max(10_000).default(3),
  ...webStandbyEnv,
});

/** the loopback names every server answers to, whatever else is configured */
export const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'] as const;

function allowedHostsOf(bindHost: string, publicUrl: string | undefined, extra: string | undefined): string[] {
  const names = new Set<string>(LOOPBACK_HOSTS);
  // a wildcard bind says nothing about the names users type: those come from PUBLIC_URL / ALLOWED_HOSTS
  if (bindHost !== '0.0.0.0' && bindHost !== '::') names.add(bindHost.includes(':') ? `[${bindHost}]` : bindHost);
  if (publicUrl) names.add(new URL(publicUrl).hostname);
  for (const h of (extra ?? '').split(',')) if (h) names.add(h);
  return [...names].map((h) => h.toLowerCase());
}

export type ConfigResult = { ok: true; config: WebConfig } | { ok: false; errors: string[] };

/** Parses the environment once, at start; every problem is reported with the variable's name. */
export function parseWebConfig(env: Record<string, string | undefined>): ConfigResult {
  // An empty variable (PORT= in a .env file) means "use the default", not "invalid".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(present);
  if (!r.success) {
    return { ok: false, errors: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  }
  const e = r.data;
  const secrets = secretProblems(present, { records: true });
  if (secrets.length) return { ok: false, errors: secrets };
  const mode = runModeOf(present);
  if (e.VOXANNE_DEMO_SEED && !mode.dev)
    return {
      ok: false,
      errors: [
        'VOXANNE_DEMO_SEED: the demo users have a published password; the demo seed needs dev mode (VOXANNE_DEV=1)',
      ],
    };
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      livekitUrl: e.LIVEKIT_URL,
      livekitApiKey: e.LIVEKIT_API_KEY,
      livekitApiSecret: e.LIVEKIT_API_SECRET,
      agentName: e.AGENT_NAME,
      mode: e.WEB_MODE,
      webRoot: WEB_ROOT,
      distDir: e.WEB_DIST_DIR ? resolve(e.WEB_DIST_DIR) : `${WEB_ROOT}/dist`,
      // relative paths are the repository's, whatever the working directory
      dataDir: resolve(REPO_ROOT, e.DATA_DIR),
      databaseUrl: e.DATABASE_URL,
      defaultTenant: e.VOXANNE_TENANT,
      knowledgeBasePath: resolve(REPO_ROOT, e.KNOWLEDGE_BASE_PATH),
      demoSeed: e.VOXANNE_DEMO_SEED,
      reaperIntervalMs: e.VOXANNE_REAPER_INTERVAL_MS,
      reaperGraceMs: e.VOXANNE_REAPER_GRACE_MS,
      twilio: e.TWILIO_AUTH_TOKEN
        ? {
            channel: e.TWILIO_CHANNEL,
            authToken: e.TWILIO_AUTH_TOKEN,
            accountSid: e.TWILIO_ACCOUNT_SID,
            apiBaseUrl: e.TWILIO_API_BASE_URL,
            publicUrl: e.PUBLIC_URL,
            numbers: e.TWILIO_NUMBERS ?? {},
          }
        : undefined,
      recordsApiKey: e.RECORDS_API_KEY ?? DEV_RECORDS_API_KEY, // secretProblems allows the default in dev mode only
      devMode: mode.dev,
      publicUrl: e.PUBLIC_URL,
      allowedHosts: allowedHostsOf(e.HOST, e.PUBLIC_URL, e.ALLOWED_HOSTS),
      trustProxy: e.TRUST_PROXY,
      logPii: e.LOG_PII,
      tokenBurst: e.TOKEN_RATE_BURST,
      tokenPerMinute: e.TOKEN_RATE_PER_MINUTE,
      maxCallsPerClient: e.MAX_CALLS_PER_CLIENT,
      webStandbyCalls: e.WEB_STANDBY_CALLS,
      fhirAllowedOrigins: e.FHIR_ALLOWED_ORIGINS,
    },
  };
}
