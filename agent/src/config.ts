import {
  agentNameEnv,
  defaultIdleProcesses,
  DEV_RECORDS_API_KEY,
  idleProcessesEnv,
  livekitEnv,
  logPiiEnv,
  recordsKeyEnv,
  secretProblems,
} from '@voxanne/contracts/env';
import { fhirAllowedOriginsEnv } from '@voxanne/contracts/scheduling';
import { z } from 'zod';
import { MS_PER_WORD } from './core/phone/spoken-duration.ts';

/**
 * Everything the agent reads from its environment, parsed once per process at start: by the worker
 * (main.ts) and by each job process in its prewarm, which keeps it for every call it takes.
 */
const schema = z.object({
  ...livekitEnv,
  /** the name this worker registers under; rooms get her only by an explicit dispatch of this name */
  ...agentNameEnv,
  /** the worker's own health/metrics HTTP port */
  AGENT_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  /** the worker's operations port: /metrics (Prometheus), /healthz, /readyz (0 = any free port, logged) */
  AGENT_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(8083),
  /** where that port listens; 0.0.0.0 for a Prometheus on another machine */
  AGENT_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  /** calls one worker takes at once; LiveKit sends further callers to another worker */
  MAX_CONCURRENT_CALLS: z.coerce.number().int().min(1).max(100).default(4),
  /** job processes kept warm for the next callers; unset: one per line up to 4 (contracts/src/env.ts) */
  ...idleProcessesEnv,
  /**
   * the Redis the LiveKit cluster shares (redis://host:port): with several workers, each keeps a lease
   * there, and the calls of a worker that dies are taken over by another (worker/worker-lease.ts);
   * unset = one worker, no takeover
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be redis://host:port (or rediss:// for TLS)')
    .optional(),
  KNOWLEDGE_BASE_PATH: z.string().min(1).optional(),
  DEEPGRAM_API_KEY: z.string().min(1).optional(),
  /** another Deepgram endpoint (a proxy, or the local fake in tests) */
  DEEPGRAM_BASE_URL: z.string().url().optional(),
  DEEPGRAM_STT_MODEL: z.enum(['nova-3', 'nova-2']).default('nova-3'),
  DEEPGRAM_ENDPOINTING_MS: z.coerce.number().int().min(10).max(5000).default(100),
  DEEPGRAM_VOICE: z.string().min(1).default('aura-2-thalia-en'),
  GROQ_API_KEY: z.string().min(1).optional(),
  GROQ_BASE_URL: z.string().url().optional(),
  GROQ_MODEL: z.string().min(1).default('llama-3.1-8b-instant'),
  /** the offline recogniser's libraries; default where Debian's libpocketsphinx3 / libsphinxbase3 put them */
  POCKETSPHINX_LIB: z.string().min(1).optional(),
  SPHINXBASE_LIB: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  /** 1: keep the `pii` field in the logs (local debugging); by default it is removed */
  ...logPiiEnv,
  /**
   * the web server's internal records API (bookings, call records, tenant config); unset = no booking, nothing recorded
   */
  VOXANNE_RECORDS_URL: z.string().url().optional(),
  /** signs the requests to it; its own key, never LiveKit's secret (dev mode: a published default) */
  ...recordsKeyEnv,
  /** the clinic a call belongs to when the room metadata names none */
  VOXANNE_TENANT: z
    .string()
    .regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes')
    .default('riverside'),
  /**
   * the private key (PEM, PKCS#8, RSA or EC P-384) this agent signs its SMART backend-services
   * assertions with, for clinics whose scheduling is FHIR; its public half is registered with the EHR
   */
  FHIR_PRIVATE_KEY_FILE: z.string().min(1).optional(),
  /** the key's id in the JWKS the EHR knows (the assertion's `kid`) */
  FHIR_KEY_ID: z.string().min(1).optional(),
  /** the EHR origins a clinic's FHIR settings may name (contracts/src/scheduling.ts) */
  ...fhirAllowedOriginsEnv,
  /**
   * how long Twilio's ConversationRelay voice takes per word: her relay turns are timed by it, as Twilio
   * says them and reports nothing (core/phone/spoken-duration.ts); set it for a faster or slower voice
   */
  TWILIO_RELAY_MS_PER_WORD: z.coerce.number().int().min(50).max(2000).default(MS_PER_WORD),
  /** where "press 0 for a person" sends a phone caller (SIP REFER): tel:+1… or sip:…; unset = nobody to transfer to */
  TRANSFER_TO: z
    .string()
    .regex(/^(tel:\+?\d{4,15}|sips?:\S+)$/, 'must be tel:+15551234567 or sip:user@host')
    .optional(),
});

export type AgentConfig = Omit<z.infer<typeof schema>, 'RECORDS_API_KEY' | 'AGENT_IDLE_PROCESSES'> & {
  RECORDS_API_KEY: string;
  AGENT_IDLE_PROCESSES: number;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseAgentConfig(env: Record<string, string | undefined>): AgentConfig {
  // an empty variable (KEY= in .env) means "not set", not "set to nothing"
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(cleaned);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  // the repository's example secrets only in dev mode (VOXANNE_DEV=1), real ones in production
  const secrets = secretProblems(cleaned, { records: r.data.VOXANNE_RECORDS_URL !== undefined });
  if (secrets.length) throw new ConfigError(secrets.join('; '));
  return {
    ...r.data,
    RECORDS_API_KEY: r.data.RECORDS_API_KEY ?? DEV_RECORDS_API_KEY,
    AGENT_IDLE_PROCESSES: r.data.AGENT_IDLE_PROCESSES ?? defaultIdleProcesses(r.data.MAX_CONCURRENT_CALLS),
  };
}
