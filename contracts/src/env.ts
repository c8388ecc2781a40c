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
