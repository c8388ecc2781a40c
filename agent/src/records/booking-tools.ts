/**
 * Runs the appointment tools (core/booking-tools.ts) against a BookingStore. Whatever calls them
 * — the Groq model or the offline brain — the rules are the same: services come from the
 * knowledge base, times from the store, and nothing is written unless the caller's latest words
 * confirm it. Results are JSON the model reads back; failures are results too ("slot_taken"), so
 * the conversation can answer them.
 */
import type {
  AvailabilityResult,
  BookingResult,
  BookingToolName,
  FindResult,
  MessageResult,
  SpokenBooking,
  ToolFailure,
  ToolResult,
} from '../core/booking-tools.ts';
import { BOOKING_TOOL_NAMES } from '../core/booking-tools.ts';
import { CUES } from '../core/receptionist/cues.ts';
import { hasAny, tokenize } from '../core/receptionist/text-match.ts';
import {
  addDaysToDate,
  describeDate,
  describeSlot,
  localParts,
  nextWeekday,
  weekdayOf,
} from '../core/text/calendar.ts';
import { phoneFromSpeech } from '../core/text/caller-input.ts';
import { acceptsCallerPhone, identityRuleOf, verifyCaller } from '../core/identity.ts';
import type { PatientIntake } from '@voxanne/contracts/records-api';
import { timeToWords } from '../core/text/time-words.ts';
import { digitsToWords } from '../core/text/number-words.ts';
import type { KnowledgeBase, Service } from '@voxanne/contracts/knowledge-base';
import { type Booking, type BookingStore, NotFoundError, RecordsError, SlotTakenError } from './types.ts';

export interface BookingToolContext {
  kb: KnowledgeBase;
  store: BookingStore;
  callId?: string;
  now: () => Date;
  /** the caller's most recent words: writes need a "yes" there */
  lastCallerText: () => string;
  /** what she said just before them: a booking or a move needs its read-back there */
  lastAgentText?: () => string;
  /**
   * Stores a message for the front desk (the call's records, shown to staff), for when the
   * booking system cannot be reached; absent: take_message answers unavailable.
   */
  takeMessage?: (m: FrontDeskMessage) => Promise<void>;
  /**
   * the number a phone call comes from (E.164, the real one: never logged, never shown to a model);
   * undefined on the web. Under the clinic's identity rule it may stand in for name and date of birth.
   */
  callerPhone?: () => string | undefined;
  /**
   * the bookings this call's caller proved theirs (core/identity.ts); only these may be moved or
   * cancelled. One set per call.
   */
  verified?: Set<string>;
}

export interface FrontDeskMessage {
  name: string;
  /** E.164 */
  phone: string;
  request: string;
}

/** The stored words of a message, as staff read it on the call's page. */
export function messageText(m: FrontDeskMessage): string {
  return `Please call back ${m.name} at ${m.phone}: ${m.request}`;
}

const fail = (error: ToolFailure['error'], message: string): ToolFailure => ({ ok: false, error, message });

export function findService(kb: KnowledgeBase, ref: unknown): Service | undefined {
  if (typeof ref !== 'string') return undefined;
  const r = ref.trim().toLowerCase();
  return kb.services.find(
    (s) => s.id === r || s.name.toLowerCase() === r || s.aliases.some((a) => a.toLowerCase() === r),
  );
}

/** Whether the caller's words say yes without a no ("yes please", "that's right", "go ahead"). */
export function isConfirmation(text: string): boolean {
  const t = tokenize(text);
  const yes = hasAny(
    t,
    [...CUES.yes.exact, 'correct', 'right', 'perfect', 'book it', 'do it', 'confirm', 'great'],
    false,
  );
  const no = hasAny(t, [...CUES.no.exact, 'wait', 'hold on', 'actually', 'change', 'wrong', 'not right'], false);
  return yes && !no;
}

function resolveDate(ref: unknown, today: string): string | undefined {
  if (typeof ref !== 'string') return undefined;
  const r = ref.trim().toLowerCase();
  if (/^\d{4}-\d{2}-\d{2}$/.test(r)) return r;
  if (r === 'today') return today;
  if (r === 'tomorrow') return addDaysToDate(today, 1);
  const day = (['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const).find((d) =>
    r.includes(d),
  );
  return day ? nextWeekday(addDaysToDate(today, 1), day) : undefined;
}

export function spokenBooking(kb: KnowledgeBase, b: Booking, now: Date): SpokenBooking {
  return {
    id: b.id,
    service: b.service,
    serviceName: kb.services.find((s) => s.id === b.service)?.name ?? b.service,
    startsAt: b.startsAt,
    when: describeSlot(b.startsAt, kb.clinic.timezone, now),
    name: b.name,
    phone: b.phone,
  };
}

function storeFailure(err: unknown): ToolFailure {
  if (err instanceof SlotTakenError) return fail('slot_taken', 'That time was just taken. Offer other free times.');
  if (err instanceof NotFoundError) return fail('not_found', 'No such booking.');
  if (err instanceof RecordsError && err.status === 400) return fail('invalid', err.message);
  // the store is unreachable: say so and offer a callback rather than pretend
  return fail(
    'unavailable',
    'The booking system is unavailable right now. Say you will take a message and the front desk will call back; ' +
      'get their name and phone number, then call take_message.',
  );
}

const NOT_VERIFIED =
  'Identity first: ask for the phone number the booking is under, the full name and the date of birth, ' +
  'then call find_booking with all three. Do not say whether a booking exists.';
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** a new patient's intake from the tool's arguments: only well-formed, non-empty fields */
function intakeOf(args: Record<string, unknown>): PatientIntake | undefined {
  const out: PatientIntake = {};
  const text = (v: unknown, max: number) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined);
  const dob = text(args.dateOfBirth, 10);
  if (dob && ISO_DATE.test(dob)) out.dateOfBirth = dob;
  const email = text(args.email, 200)?.toLowerCase();
  if (email && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) out.email = email;
  const insurance = text(args.insurance, 200);
  if (insurance) out.insurance = /^self[- ]?pay$/i.test(insurance) ? 'self-pay' : insurance;
  const reason = text(args.reason, 500);
  if (reason) out.reason = reason;
  const referral = text(args.referral, 200);
  if (referral) out.referral = referral;
  return Object.keys(out).length ? out : undefined;
}

const NEEDS_CONFIRMATION = 'The caller has not confirmed. Read the details back and ask them to confirm first.';
const NEEDS_READ_BACK =
  'Read the service, day, time, name and phone number back to the caller first, then ask them to confirm.';

/** Her last words read the slot's time (and the phone's last four digits) back, as she says them. */
function readBack(ctx: BookingToolContext, startsAt: string, phone?: string): boolean {
  if (!ctx.lastAgentText) return true;
  const said = ctx
    .lastAgentText()
    .toLowerCase()
    .replace(/[^a-z ]+/g, ' ')
    .replace(/\s+/g, ' ');
  const t = Date.parse(startsAt);
  if (Number.isNaN(t)) return false;
  const time = timeToWords(localParts(new Date(t), ctx.kb.clinic.timezone).time);
  if (!said.includes(time)) return false;
  return !phone || said.includes(digitsToWords(phone.slice(-4)));
}

export async function runBookingTool(
  name: string,
  rawArgs: string | Record<string, unknown>,
  ctx: BookingToolContext,
): Promise<ToolResult> {
  let args: Record<string, unknown>;
  try {
    args = typeof rawArgs === 'string' ? (JSON.parse(rawArgs || '{}') as Record<string, unknown>) : rawArgs;
  } catch {
    return fail('invalid', 'Arguments are not valid JSON.');
  }
  if (!(BOOKING_TOOL_NAMES as readonly string[]).includes(name)) return fail('invalid', `Unknown tool "${name}".`);
  const now = ctx.now();
  const tz = ctx.kb.clinic.timezone;
  const today = localParts(now, tz).date;
  try {
    switch (name as BookingToolName) {
      case 'check_availability': {
        const s = findService(ctx.kb, args.service);
        if (!s) return fail('invalid', `Unknown service "${String(args.service)}". Use one from the clinic list.`);
        const date = resolveDate(args.date, today);
        if (!date) return fail('invalid', 'date must be YYYY-MM-DD, a weekday, today or tomorrow.');
        const slots = await ctx.store.availability(date, s.id);
        const r: AvailabilityResult = {
          ok: true,
          service: s.id,
          serviceName: s.name,
          date,
          day: describeDate(date, today),
          closed: ctx.kb.hours[weekdayOf(date)] === 'closed',
          slots: slots.map((x) => ({
            startsAt: x.startsAt,
            time: timeToWords(localParts(new Date(x.startsAt), tz).time),
          })),
        };
        return r;
      }
      case 'book_appointment': {
        const s = findService(ctx.kb, args.service);
        if (!s) return fail('invalid', `Unknown service "${String(args.service)}".`);
        const phone = typeof args.phone === 'string' ? phoneFromSpeech(args.phone) : undefined;
        if (!phone) return fail('invalid', 'phone must be a ten digit number. Ask the caller for it again.');
        const fullName = typeof args.name === 'string' ? args.name.trim() : '';
        if (!fullName) return fail('invalid', "name is missing. Ask for the caller's name.");
        if (typeof args.startsAt !== 'string') return fail('invalid', 'startsAt is missing.');
        if (!isConfirmation(ctx.lastCallerText())) return fail('not_confirmed', NEEDS_CONFIRMATION);
        if (!readBack(ctx, args.startsAt, phone)) return fail('not_confirmed', NEEDS_READ_BACK);
        const intake = intakeOf(args);
        const b = await ctx.store.book({
          ...(ctx.callId ? { callId: ctx.callId } : {}),
          name: fullName,
          phone,
          service: s.id,
          startsAt: args.startsAt,
          ...(intake ? { intake } : {}),
        });
        // the caller just made it: they may move or cancel it on this call
        ctx.verified?.add(b.id);
        const r: BookingResult = { ok: true, booking: spokenBooking(ctx.kb, b, now) };
        return r;
      }
      case 'find_booking': {
        // identity before details (core/identity.ts): what comes back is only what this caller proved
        // theirs, and a mismatch is answered exactly like no booking at all
        const rule = identityRuleOf(ctx.kb);
        const callerPhone = ctx.callerPhone?.();
        const line = acceptsCallerPhone(rule) ? callerPhone : undefined;
        const given = typeof args.phone === 'string' && args.phone ? phoneFromSpeech(args.phone) : undefined;
        if (typeof args.phone === 'string' && args.phone && !given)
          return fail('invalid', 'phone must be a ten digit number.');
        const name = typeof args.name === 'string' ? args.name.trim() : undefined;
        const dateOfBirth =
          typeof args.dateOfBirth === 'string' && ISO_DATE.test(args.dateOfBirth) ? args.dateOfBirth : undefined;
        const phone = given ?? line;
        if (!phone) return fail('not_verified', NOT_VERIFIED);
        const claim = { name, dateOfBirth, callerPhone };
        const mine = (await ctx.store.findByPhone(phone)).filter(
          (b) => verifyCaller(rule, claim, { ...b, dateOfBirth: b.intake?.dateOfBirth }).verified,
        );
        // without a name and date of birth the answer must not depend on what the store holds
        if (!mine.length && !(name && dateOfBirth)) return fail('not_verified', NOT_VERIFIED);
        for (const b of mine) ctx.verified?.add(b.id);
        const r: FindResult = { ok: true, bookings: mine.map((b) => spokenBooking(ctx.kb, b, now)) };
        return r;
      }
      case 'reschedule_appointment': {
        if (typeof args.bookingId !== 'string' || typeof args.startsAt !== 'string')
          return fail('invalid', 'bookingId and startsAt are required.');
        if (ctx.verified && !ctx.verified.has(args.bookingId)) return fail('not_found', 'No such booking.');
        if (!isConfirmation(ctx.lastCallerText())) return fail('not_confirmed', NEEDS_CONFIRMATION);
        if (!readBack(ctx, args.startsAt)) return fail('not_confirmed', NEEDS_READ_BACK);
        const b = await ctx.store.reschedule(args.bookingId, args.startsAt);
        return { ok: true, booking: spokenBooking(ctx.kb, b, now) };
      }
      case 'take_message': {
        const phone = typeof args.phone === 'string' ? phoneFromSpeech(args.phone) : undefined;
        if (!phone) return fail('invalid', 'phone must be a ten digit number. Ask the caller for it again.');
        const fullName = typeof args.name === 'string' ? args.name.trim() : '';
        if (!fullName) return fail('invalid', "name is missing. Ask for the caller's name.");
        const request = typeof args.request === 'string' && args.request.trim() ? args.request.trim() : 'a call back';
        if (!ctx.takeMessage)
          return fail('unavailable', 'Messages cannot be stored on this call. Ask them to call again later.');
        const m = { name: fullName, phone, request: request.slice(0, 300) };
        await ctx.takeMessage(m);
        const r: MessageResult = { ok: true, message: m };
        return r;
      }
      case 'cancel_appointment': {
        if (typeof args.bookingId !== 'string') return fail('invalid', 'bookingId is required.');
        if (ctx.verified && !ctx.verified.has(args.bookingId)) return fail('not_found', 'No such booking.');
        if (!isConfirmation(ctx.lastCallerText())) return fail('not_confirmed', NEEDS_CONFIRMATION);
        const b = await ctx.store.cancel(args.bookingId);
        return { ok: true, booking: spokenBooking(ctx.kb, b, now) };
      }
    }
  } catch (err) {
    return storeFailure(err);
  }
  return fail('invalid', `Unknown tool "${name}".`);
}
