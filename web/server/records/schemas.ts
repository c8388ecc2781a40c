/** Request shapes of both APIs, as zod schemas; a failure becomes a 400 naming the field. */
import { z } from 'zod';
import { CHANNELS, END_STATUSES, MODES, SPEAKERS, CALL_STATUSES } from '../db/calls.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** an ISO-8601 instant with an offset, normalised to UTC so both databases read it the same */
export const isoTime = z.string().transform((s, ctx) => {
  // one check, in a transform: zod would run later refinements even after a failed regex
  const t = ISO.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(t)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO-8601 time with an offset' });
    return z.NEVER;
  }
  return new Date(t).toISOString();
});
export const isoDate = z.string().transform((s, ctx) => {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T12:00:00Z`) : NaN;
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== s) {
    ctx.addIssue({ code: 'custom', message: 'must be a real date YYYY-MM-DD' });
    return z.NEVER;
  }
  return s;
});
/** a time or a date (a date means its start, UTC) for list filters */
export const timeOrDate = z.union([isoTime, isoDate.transform((d) => `${d}T00:00:00.000Z`)]);

const id = z.string().min(1).max(200);
const text = (max: number) => z.string().max(max);
const ms = z.number().finite().min(0).max(3_600_000);
export const phoneE164 = z.string().regex(/^\+\d{8,15}$/, 'must be an E.164 number like +15551234567');

export const callStartSchema = z.object({
  callId: id,
  tenant: z.string().min(1).max(64),
  room: z.string().min(1).max(200),
  channel: z.enum(CHANNELS),
  callerIdentity: z.string().min(1).max(200),
  callerPhoneMasked: z.string().max(40).optional(),
  startedAt: isoTime,
  engines: z.object({ stt: text(100), llm: text(100), tts: text(100), mode: z.enum(MODES) }),
});

export const turnSchema = z.object({
  index: z.number().int().min(0).max(100_000),
  speaker: z.enum(SPEAKERS),
  text: text(20_000),
  startedAt: isoTime,
  endedAt: isoTime,
  interrupted: z.boolean(),
  metrics: z
    .object({ sttFinalMs: ms.optional(), endOfTurnMs: ms.optional(), llmFirstTokenMs: ms.optional(), ttsFirstByteMs: ms.optional(), v2vMs: ms.optional() })
    .optional(),
});

export const stateSchema = z.object({ state: z.string().min(1).max(40), at: isoTime, reason: text(500).optional() });

export const callEndSchema = z.object({
  endedAt: isoTime,
  status: z.enum(END_STATUSES),
  outcome: text(500).optional(),
  summary: text(10_000).optional(),
});

export const availabilityQuery = z.object({ date: isoDate, service: z.string().min(1).max(100) });

export const newBookingSchema = z.object({
  callId: id.optional(),
  name: z.string().trim().min(1).max(120),
  phone: phoneE164,
  service: z.string().min(1).max(100),
  startsAt: isoTime,
});

export const rescheduleSchema = z.object({ startsAt: isoTime });
export const phoneQuery = z.object({ phone: phoneE164 });

export const loginSchema = z.object({ email: z.string().min(1).max(200), password: z.string().min(1).max(200) });

const intParam = (min: number, max: number, dflt: number) =>
  z.string().regex(/^\d{1,9}$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max)).optional().default(String(dflt) as never);

export const callsQuery = z.object({
  status: z.enum(CALL_STATUSES).optional(),
  channel: z.enum(CHANNELS).optional(),
  from: timeOrDate.optional(),
  to: timeOrDate.optional(),
  q: z.string().max(200).optional(),
  limit: intParam(1, 200, 50),
  offset: intParam(0, 1_000_000, 0),
});

export const bookingsQuery = z.object({
  from: timeOrDate.optional(),
  to: timeOrDate.optional(),
  status: z.enum(['booked', 'cancelled']).optional(),
});

/** per-minute aggregates; default the last 24 hours */
export const metricsQuery = z.object({ from: timeOrDate.optional(), to: timeOrDate.optional() });

export const settingsSchema = z.object({
  agentName: z.string().trim().min(1).max(80),
  voice: z.string().trim().min(1).max(100),
  greeting: z.string().trim().min(1).max(500),
  instructions: z.string().max(4000),
  silenceTimeoutMs: z.number().int().min(1000).max(60_000),
  knowledgeBase: z.string().min(1).max(200_000),
});
