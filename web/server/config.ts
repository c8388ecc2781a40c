import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** 'dev' serves web/ through Vite middleware; 'static' serves a `vite build` output */
  mode: WebMode;
  /** the Vite root (web/) */
  webRoot: string;
  /** the built client served in static mode */
  distDir: string;
}

/** web/, resolved from this file so the server works from any working directory */
export const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(5173),
  HOST: z.string().min(1).default('127.0.0.1'),
  LIVEKIT_URL: z
    .string()
    .url()
    .refine((u) => /^(wss?|https?):\/\//.test(u), 'must start with ws://, wss://, http:// or https://')
    .default('ws://127.0.0.1:7880'),
  LIVEKIT_API_KEY: z.string().min(1).default('devkey'),
  LIVEKIT_API_SECRET: z.string().min(1).default('secret'),
  WEB_MODE: z.enum(WEB_MODES).default('dev'),
  /** optional: serve a build from somewhere other than web/dist (tests build into a temp dir) */
  WEB_DIST_DIR: z.string().min(1).optional(),
});

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
  return {
    ok: true,
    config: {
      port: e.PORT,
      host: e.HOST,
      livekitUrl: e.LIVEKIT_URL,
      livekitApiKey: e.LIVEKIT_API_KEY,
      livekitApiSecret: e.LIVEKIT_API_SECRET,
      mode: e.WEB_MODE,
      webRoot: WEB_ROOT,
      distDir: e.WEB_DIST_DIR ? resolve(e.WEB_DIST_DIR) : `${WEB_ROOT}/dist`,
    },
  };
}
