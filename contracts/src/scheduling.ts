/**
 * Where a clinic's appointments live, part of its knowledge base (the YAML on the dashboard's
 * Settings page, or clinic.yaml): the built-in calendar in Voxanne's own database, or the clinic's
 * EHR over FHIR R4. Secrets never live here: the SMART client's private key is the agent's
 * FHIR_PRIVATE_KEY_FILE (README "The clinic's calendar over FHIR").
 */
import { z } from 'zod';

export const SCHEDULING_SYSTEMS = ['builtin', 'fhir'] as const;
export type SchedulingSystem = (typeof SCHEDULING_SYSTEMS)[number];

/**
 * https, or plain http to this machine only (a local sandbox, the tests' fake): the bearer token and
 * the patients' details never cross a network in the clear.
 */
export const isSecureUrl = (u: string): boolean =>
  /^https:\/\//i.test(u) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i.test(u);

const secureUrl = z.string().url().refine(isSecureUrl, {
  message: 'must be https:// (plain http only to 127.0.0.1 or localhost)',
});

const fhirSettings = z.object({
  /** the FHIR R4 base, e.g. https://ehr.example.org/fhir/r4 (no trailing slash needed) */
  baseUrl: secureUrl,
  /**
   * `smart-backend`: SMART backend services (a JWT signed with the agent's key, the
   * client_credentials grant); `none`: an open server (a sandbox, the local fake).
   */
  auth: z.enum(['smart-backend', 'none']).default('smart-backend'),
  /** the client id the EHR registered for this clinic's Voxanne */
  clientId: z.string().min(1).optional(),
  /** the token endpoint; absent: read from {baseUrl}/.well-known/smart-configuration */
  tokenUrl: secureUrl.optional(),
  scope: z.string().min(1).default('system/Slot.rs system/Schedule.rs system/Appointment.cru system/Patient.cru'),
  /** service id (from `services`) → the FHIR Schedule id whose Slots it books, e.g. consultation: dr-lee */
  schedules: z.record(z.string().min(1), z.string().min(1)).default({}),
  /** per request, milliseconds: a slower answer counts as the server being down */
  timeoutMs: z.number().int().min(100).max(30_000).default(4000),
});

export const schedulingSchema = z
  .object({
    system: z.enum(SCHEDULING_SYSTEMS).default('builtin'),
    fhir: fhirSettings.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.system !== 'fhir') return;
    if (!s.fhir)
      ctx.addIssue({ code: 'custom', path: ['fhir'], message: 'system fhir needs a fhir: section (baseUrl)' });
    else if (s.fhir.auth === 'smart-backend' && !s.fhir.clientId)
      ctx.addIssue({ code: 'custom', path: ['fhir', 'clientId'], message: 'SMART backend auth needs a clientId' });
  });

export type SchedulingSettings = z.infer<typeof schedulingSchema>;
export type FhirSettings = z.infer<typeof fhirSettings>;

/**
 * FHIR_ALLOWED_ORIGINS, the operator's word on where a clinic's settings may send patients' details:
 * origins (`https://ehr.example.org`, comma or space separated). Unset, any secure URL may be named.
 * Read by the web server (a settings save naming another origin is refused) and by the agent (a
 * clinic whose settings name one takes messages instead of booking: settings saved before the list).
 */
export const fhirAllowedOriginsEnv = {
  FHIR_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const items = (v ?? '').split(/[\s,]+/).filter(Boolean);
      if (items.length === 0) return undefined;
      const origins: string[] = [];
      for (const item of items) {
        let url: URL | undefined;
        try {
          url = new URL(item);
        } catch {
          url = undefined;
        }
        if (!url || url.origin !== item.replace(/\/+$/, '') || !isSecureUrl(item)) {
          ctx.addIssue({
            code: 'custom',
            message: `"${item}" is not an origin like https://ehr.example.org (no path)`,
          });
          return z.NEVER;
        }
        origins.push(url.origin);
      }
      return origins;
    }),
};

/** whether `url` is at one of `allowed` origins (FHIR_ALLOWED_ORIGINS); no list allows any */
export function fhirUrlAllowed(url: string, allowed: readonly string[] | undefined): boolean {
  if (!allowed) return true;
  try {
    return allowed.includes(new URL(url).origin);
  } catch {
    return false;
  }
}

/** The URLs of these FHIR settings (base, token endpoint) outside `allowed`; none when all are inside. */
export function fhirUrlsNotAllowed(
  fhir: Pick<FhirSettings, 'baseUrl' | 'tokenUrl'> | undefined,
  allowed: readonly string[] | undefined,
): string[] {
  if (!fhir) return [];
  return [fhir.baseUrl, fhir.tokenUrl].filter((u): u is string => !!u && !fhirUrlAllowed(u, allowed));
}
