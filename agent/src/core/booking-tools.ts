/**
 * The appointment tools she can use, as data: names, what they are for, their JSON-schema
 * parameters, and the shape of their results. The same tools serve the Groq model (as function
 * tools) and the offline brain (which calls them by slot filling); records/booking-tools.ts runs
 * them. Results carry spoken forms ("Tuesday, March third at ten a m") so no model has to turn an
 * ISO time into words, and nothing she says about a slot is made up.
 */

export const BOOKING_TOOL_NAMES = [
  'check_availability',
  'book_appointment',
  'reschedule_appointment',
  'cancel_appointment',
  'find_booking',
  'take_message',
] as const;
export type BookingToolName = (typeof BOOKING_TOOL_NAMES)[number];

export interface ToolSpec {
  name: BookingToolName;
  description: string;
  parameters: Record<string, unknown>;
}

const str = (description: string) => ({ type: 'string', description });

export const BOOKING_TOOLS: readonly ToolSpec[] = [
  {
    name: 'check_availability',
    description: 'Free appointment times on one day. Call it before offering any time; never guess times.',
    parameters: {
      type: 'object',
      properties: {
        service: str('service id or name from the clinic list, e.g. "consultation"'),
        date: str('YYYY-MM-DD, or a weekday name, "today" or "tomorrow"'),
      },
      required: ['service', 'date'],
    },
  },
  {
    name: 'book_appointment',
    description:
      'Books a slot. Only after you read the service, day, time, name and phone back to the caller and they ' +
      'said yes. For a new patient first ask, one at a time, and repeat back: date of birth, email (spelled), ' +
      'insurance carrier or self-pay, reason for the visit, how they heard of us; pass them too.',
    parameters: {
      type: 'object',
      properties: {
        service: str('service id or name'),
        startsAt: str('the slot startsAt exactly as check_availability returned it'),
        name: str("the caller's full name"),
        phone: str("the caller's phone number, digits"),
        dateOfBirth: str('a new patient: date of birth, YYYY-MM-DD'),
        email: str('a new patient: email address, as spelled by the caller'),
        insurance: str('a new patient: insurance carrier, or "self-pay"'),
        reason: str("a new patient: the reason for the visit, in the caller's words"),
        referral: str('a new patient: how they heard of the clinic'),
      },
      required: ['service', 'startsAt', 'name', 'phone'],
    },
  },
  {
    name: 'find_booking',
    description:
      "The caller's upcoming appointments. Identity first: call it with no arguments first (a phone call from the " +
      'number the booking was made with is enough). If it answers not_verified, ask for the phone number the ' +
      'booking is under, the full name and the date of birth, and call it again with all three. Never say whether ' +
      'a booking exists before it returns one.',
    parameters: {
      type: 'object',
      properties: {
        phone: str('phone number the booking is under, digits'),
        name: str("the caller's full name"),
        dateOfBirth: str('date of birth, YYYY-MM-DD'),
      },
      required: [],
    },
  },
  {
    name: 'reschedule_appointment',
    description: 'Moves a booking to a new free slot. Only after the caller confirmed the new time.',
    parameters: {
      type: 'object',
      properties: {
        bookingId: str('id from find_booking'),
        startsAt: str('new slot startsAt from check_availability'),
      },
      required: ['bookingId', 'startsAt'],
    },
  },
  {
    name: 'cancel_appointment',
    description: 'Cancels a booking. Only after the caller confirmed which appointment to cancel.',
    parameters: { type: 'object', properties: { bookingId: str('id from find_booking') }, required: ['bookingId'] },
  },
  {
    name: 'take_message',
    description:
      'Only when a tool said the booking system is unavailable: leaves a message for the front desk ' +
      'to call the caller back. Get their name and phone first.',
    parameters: {
      type: 'object',
      properties: {
        name: str("the caller's full name"),
        phone: str("the caller's phone number, digits"),
        request: str('what they wanted, e.g. "book a consultation on Tuesday at ten a m"'),
      },
      required: ['name', 'phone', 'request'],
    },
  },
];

export interface SpokenSlot {
  startsAt: string;
  /** "ten a m" */
  time: string;
}

export interface SpokenBooking {
  id: string;
  service: string;
  serviceName: string;
  startsAt: string;
  /** "Tuesday, March third at ten a m" */
  when: string;
  name: string;
  phone: string;
}

export const TOOL_ERRORS = [
  'slot_taken',
  'not_confirmed',
  'not_found',
  'invalid',
  'unavailable',
  'not_verified',
] as const;
export interface ToolFailure {
  ok: false;
  error: (typeof TOOL_ERRORS)[number];
  message: string;
}

export type AvailabilityResult =
  | { ok: true; service: string; serviceName: string; date: string; day: string; closed: boolean; slots: SpokenSlot[] }
  | ToolFailure;
export type BookingResult = { ok: true; booking: SpokenBooking } | ToolFailure;
export type FindResult = { ok: true; bookings: SpokenBooking[] } | ToolFailure;
/** a message for the front desk was stored; they call back on `phone` */
export type MessageResult = { ok: true; message: { name: string; phone: string; request: string } } | ToolFailure;
export type ToolResult = AvailabilityResult | BookingResult | FindResult | MessageResult;

/** A tool call and its result as they stand in the conversation. */
export interface ToolExchange {
  name: string;
  args: Record<string, unknown>;
  result: ToolResult;
}
