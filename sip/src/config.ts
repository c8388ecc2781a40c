import { agentNameEnv, livekitEnv } from '@voxanne/contracts/env';
import { z } from 'zod';

const list = z
  .string()
  .optional()
  .transform((s) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  );
const e164 = /^\+[1-9]\d{6,14}$/;

/** What the provisioning CLI reads from its environment, parsed once. */
const schema = z
  .object({
    ...livekitEnv,
    /** the clinic's phone numbers (E.164), comma-separated: the inbound trunk accepts calls to these */
    SIP_NUMBERS: list.pipe(
      z.array(z.string().regex(e164, 'numbers must be E.164, e.g. +15551234567')).min(1, 'give at least one number'),
    ),
    /** addresses (IP or CIDR) allowed to send calls; Twilio's signalling ranges for a Twilio trunk */
    SIP_ALLOWED_ADDRESSES: list,
    /** digest authentication the caller's trunk must answer with (instead of, or besides, addresses) */
    SIP_INBOUND_USERNAME: z.string().min(1).optional(),
    SIP_INBOUND_PASSWORD: z.string().min(1).optional(),
    /** room metadata tenant: which clinic the call belongs to */
    SIP_TENANT: z.string().min(1).default('riverside'),
    /** the agent to dispatch into each call's room (Voxanne's worker registers under this name) */
    ...agentNameEnv,
    /** where outbound calls go: Twilio's termination domain (xyz.pstn.twilio.com) or a SIP host:port */
    SIP_OUTBOUND_ADDRESS: z.string().min(1).optional(),
    SIP_OUTBOUND_TRANSPORT: z.enum(['auto', 'udp', 'tcp', 'tls']).default('auto'),
    SIP_OUTBOUND_USERNAME: z.string().min(1).optional(),
    SIP_OUTBOUND_PASSWORD: z.string().min(1).optional(),
    TWILIO_ACCOUNT_SID: z
      .string()
      .regex(/^AC[0-9a-f]{32}$/i, 'looks like AC followed by 32 hex digits')
      .optional(),
    TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
    /** Twilio trunk's termination domain name, e.g. voxanne-riverside.pstn.twilio.com */
    TWILIO_TRUNK_DOMAIN: z
      .string()
      .regex(/^[a-z0-9-]+\.pstn\.twilio\.com$/i, 'must end in .pstn.twilio.com')
      .optional(),
    /** LiveKit SIP's public address as Twilio should dial it: sip:host[:port][;transport=tcp] */
    LIVEKIT_SIP_URI: z
      .string()
      .regex(/^sips?:[^\s@]+$/, 'must look like sip:your-host:5060')
      .optional(),
    /** another Twilio API endpoint (a proxy, or the tests' local fake): https://X.twilio.com/path → BASE/path */
    TWILIO_API_BASE_URL: z.string().url().optional(),
  })
  .superRefine((c, ctx) => {
    if ((c.SIP_INBOUND_USERNAME === undefined) !== (c.SIP_INBOUND_PASSWORD === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['SIP_INBOUND_PASSWORD'],
        message: 'set both SIP_INBOUND_USERNAME and SIP_INBOUND_PASSWORD, or neither',
      });
    if (!c.SIP_ALLOWED_ADDRESSES.length && !c.SIP_INBOUND_USERNAME)
      ctx.addIssue({
        code: 'custom',
        path: ['SIP_ALLOWED_ADDRESSES'],
        message: 'give allowed addresses or digest credentials, or anyone could call in',
      });
    if ((c.TWILIO_ACCOUNT_SID === undefined) !== (c.TWILIO_AUTH_TOKEN === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['TWILIO_AUTH_TOKEN'],
        message: 'set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or neither',
      });
    if (c.TWILIO_ACCOUNT_SID) {
      for (const k of [
        'TWILIO_TRUNK_DOMAIN',
        'LIVEKIT_SIP_URI',
        'SIP_OUTBOUND_USERNAME',
        'SIP_OUTBOUND_PASSWORD',
      ] as const)
        if (!c[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'needed to provision the Twilio trunk' });
    }
  });

export type ProvisionConfig = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseProvisionConfig(env: Record<string, string | undefined>): ProvisionConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(cleaned);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return r.data;
}

/** The HTTP(S) address of LiveKit's API for a ws(s):// URL. */
export const livekitHttpUrl = (ws: string) => ws.replace(/^ws(s?):\/\//, 'http$1://');
