import { z } from 'zod';
import { schedulingSchema } from './scheduling.ts';

const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a 24-hour time "HH:MM"');
const openDay = z
  .object({ open: time, close: time })
  .refine((d) => d.open < d.close, { message: 'open must be before close' });
const day = z.union([z.literal('closed'), openDay]);

export const IDENTITY_RULES = ['name-and-dob', 'caller-phone-or-name-and-dob'] as const;
export type IdentityRule = (typeof IDENTITY_RULES)[number];

export const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Day = (typeof DAYS)[number];

const service = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  aliases: z.array(z.string().min(1)).min(1),
  price: z
    .object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
    .refine((p) => p.min <= p.max, { message: 'price.min must not exceed price.max' }),
  recovery: z.string().min(1),
  description: z.string().min(1),
  /**
   * The visit every procedure starts with: a caller who names a procedure and this service
   * together ("a BBL consultation") is booked for this one. At most one service is marked.
   */
  consultation: z.boolean().optional(),
});

const answer = z.object({
  id: z.string().min(1),
  topic: z.string().min(1).optional(),
  keywords: z.array(z.string().min(1)).min(1),
  answer: z.string().min(1),
});

export const knowledgeBaseSchema = z
  .object({
    clinic: z.object({
      id: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
      name: z.string().min(1),
      phone: z.string().regex(/^\+\d{8,15}$/, 'E.164, for example +16195550142'),
      address: z.object({
        street: z.string().min(1),
        city: z.string().min(1),
        region: z.string().min(1),
        postcode: z.string().min(1),
      }),
      timezone: z.string().min(1),
      /**
       * ISO 3166-1 alpha-2 country ("US", "GB", "DE"): which emergency number she tells a caller
       * to dial (core/emergency.ts). Absent: "US".
       */
      country: z
        .string()
        .regex(/^[A-Z]{2}$/, 'two capital letters, for example US, GB, DE')
        .optional(),
    }),
    agent: z.object({
      name: z.string().min(1),
      greeting: z.string().min(1),
      voice: z.string().min(1),
    }),
    hours: z.object(Object.fromEntries(DAYS.map((d) => [d, day])) as Record<Day, typeof day>),
    services: z.array(service).min(1),
    policies: z.array(answer).default([]),
    /**
     * The emergency layer (core/emergency.ts): words beyond the built-in ones ("chest pain",
     * "can't breathe", …) that get the fixed "hang up and dial …" line before any model, the
     * number to dial when it is not the country's, and on the phone who is on call.
     */
    emergency: z
      .object({
        words: z.array(z.string().min(1)).default([]),
        /** overrides the country's number, e.g. "911" */
        number: z
          .string()
          .regex(/^\d{2,4}$/, 'two to four digits, for example 911')
          .optional(),
        /** transfer target once she has said the line on a phone call: tel:+1… or sip:… */
        onCall: z
          .string()
          .regex(/^(tel:\+\d{8,15}|sip:\S+)$/, 'tel:+E.164 or sip:…')
          .optional(),
      })
      .optional(),
    faq: z.array(answer).default([]),
    /** where appointments are booked: the built-in calendar (absent) or the clinic's EHR over FHIR (./scheduling.ts) */
    scheduling: schedulingSchema.optional(),
    /**
     * Who may hear, move or cancel an existing appointment (core/identity.ts): `name-and-dob` asks
     * every caller for the name and date of birth the booking was made with; `caller-phone-or-name-and-dob`
     * (the default) also accepts a phone call from the number the booking was made with.
     */
    identity: z.object({ rule: z.enum(IDENTITY_RULES).default('caller-phone-or-name-and-dob') }).optional(),
  })
  .superRefine((kb, ctx) => {
    const seen = new Set<string>();
    kb.services.forEach((s, i) => {
      if (seen.has(s.id))
        ctx.addIssue({ code: 'custom', path: ['services', i, 'id'], message: `duplicate service id "${s.id}"` });
      seen.add(s.id);
    });
    const consultations = kb.services.flatMap((s, i) => (s.consultation ? [i] : []));
    for (const i of consultations.slice(1)) {
      const first = kb.services[consultations[0]!]!.id;
      ctx.addIssue({
        code: 'custom',
        path: ['services', i, 'consultation'],
        message: `only one service can be the consultation; "${first}" already is`,
      });
    }
  });

export type KnowledgeBase = z.infer<typeof knowledgeBaseSchema>;
export type Service = KnowledgeBase['services'][number];
export type Answer = KnowledgeBase['policies'][number];

/**
 * The consultation service of a knowledge base stored before the `consultation` flag existed (none
 * marked): the service whose id is `consultation`, else the one service whose name says
 * consultation. Undefined when a service is already marked, when none qualifies, or when several
 * names do (ambiguous: the clinic must mark one).
 */
export function inferConsultation(kb: KnowledgeBase): { index: number; service: Service } | undefined {
  if (kb.services.some((s) => s.consultation)) return undefined;
  const byId = kb.services.findIndex((s) => s.id === 'consultation');
  if (byId >= 0) return { index: byId, service: kb.services[byId]! };
  const named = kb.services.flatMap((s, index) => (/\bconsultation\b/i.test(s.name) ? [{ index, service: s }] : []));
  return named.length === 1 ? named[0] : undefined;
}
