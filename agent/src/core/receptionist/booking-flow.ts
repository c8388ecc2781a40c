/**
 * Appointments without a language model: booking, moving, cancelling and looking up a visit by
 * slot filling. Like respond(), a pure function of the conversation so far — caller and agent
 * turns plus the results of the appointment tools — so it needs no memory between turns. Each
 * step either says something or asks for a tool call; the call pipeline runs the tool, adds the
 * result to the conversation and asks again.
 *
 * Nothing is written without the caller's explicit yes to a read-back of exactly what will be
 * written; times offered come only from check_availability.
 */
import type {
  AvailabilityResult,
  BookingResult,
  BookingToolName,
  SpokenBooking,
  SpokenSlot,
  ToolExchange,
} from '../booking-tools.ts';
import { extractCallerName } from '../humanizer/caller-name.ts';
import { dateFromSpeech, phoneFromSpeech, spokenDigits, timeFromSpeech, words } from '../text/caller-input.ts';
import { birthDateFromSpeech, emailFromSpeech } from '../text/dictated.ts';
import { localParts } from '../text/calendar.ts';
import { phoneNumberToWords } from '../text/number-words.ts';
import type { KnowledgeBase, Service } from '@voxanne/contracts/knowledge-base';
import { CUES } from './cues.ts';
import { capitalize, LINES, serviceNoun } from './speak.ts';
import { hasAny, normalize, tokenize } from './text-match.ts';
import { hear } from './understand.ts';
import {
  birthDateToWords,
  declines,
  emailToWords,
  freeAnswer,
  insuranceAnswer,
  insuranceToWords,
  isNewPatient,
} from './intake.ts';

export type FlowItem = { role: 'user' | 'assistant'; text: string } | ({ role: 'tool' } & ToolExchange);
export type FlowStep =
  | { say: string }
  /** the caller asked something else mid-flow: answer that from the knowledge base, then say `ask` */
  | { aside: true; ask: string }
  | { call: { name: BookingToolName; args: Record<string, unknown> } };
export type FlowKind = 'book' | 'reschedule' | 'cancel' | 'lookup';

/** Her questions in the flow; later turns recognise which one was asked by these exact words. */
export const ASK = {
  service: 'Which procedure is the appointment for?',
  date: 'What day works for you?',
  otherDay: 'Would another day work?',
  time: 'Which time works for you?',
  name: 'Can I get your full name?',
  phone: "What's the best phone number for you?",
  bookingPhone: 'What phone number is the booking under?',
  confirmBook: 'Shall I book that?',
  confirmMove: 'Shall I move it?',
  confirmCancel: 'Shall I cancel it?',
  newDate: 'What day would you like instead?',
  change: 'What would you like to change?',
  phoneAgain: 'Could you say the number again, digit by digit?',
  dob: "What's your date of birth?",
  email: "What's your email address? Please spell it out for me.",
  emailAgain: 'Could you spell the email address again, letter by letter?',
  insurance: 'Which insurance carrier do you have, or will you be self-pay?',
  reason: "What's the reason for your visit?",
  referral: 'And how did you hear about us?',
} as const;
type Asked = keyof typeof ASK;

interface Draft {
  kind: FlowKind;
  service?: Service;
  date?: string;
  time?: string;
  /** asked for morning or afternoon */
  partOfDay?: 'morning' | 'afternoon';
  name?: string;
  phone?: string;
  availability?: Extract<AvailabilityResult, { ok: true }>;
  /** what find_booking answered, for which details (identityKey) */
  found?: { key: string; bookings: SpokenBooking[] };
  /** the date of birth the caller gave (YYYY-MM-DD): identity for an existing booking, intake for a new one */
  dob?: string;
  /** find_booking without details came back not verified: she asks for the phone, name and date of birth */
  needsIdentity?: boolean;
  /** a new patient: the booking takes the intake (email, insurance, reason, referral) */
  newPatient?: boolean;
  intake: { email?: string; insurance?: string; reason?: string; referral?: string };
  /** the email could not be made out this many times; after two she goes on without it */
  emailMisses: number;
  emailSkipped?: boolean;
  /** the caller said yes to the read-back */
  confirmed: boolean;
  /** the caller said no to the read-back (cancel: keep it) */
  declined: boolean;
  /** a write's result waiting to be said */
  result?: BookingResult;
  /** the slot she tried was taken in the meantime */
  taken: boolean;
  lookupFailed?: string;
  asked?: Asked;
  /** she asked for the name once already: whatever was given stands */
  nameAsked?: boolean;
  /** the caller's last answer had digits but no whole phone number */
  phoneMisheard?: boolean;
  /** a tool said the booking system is unreachable: she takes a message instead */
  unavailable?: boolean;
  /** …and she has not said so yet */
  unavailableNew?: boolean;
  /** the message for the front desk is stored (or could not be) */
  message?: { ok: boolean };
}

const LOOKUP_WORDS = [
  'when is my',
  'what time is my',
  'do i have',
  'look up my',
  'check my',
  'confirm my',
  'find my',
  'is my appointment',
  'my appointment',
  'my booking',
];
const DAY_NAMES =
  /^(?:today|tomorrow|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december)s?$/;
const BOOK_VERBS = [
  'book',
  'booking',
  'schedule',
  'make an appointment',
  'set up',
  'availability',
  'available',
  'openings',
  'slot',
  'slots',
  'sign up',
  'come in',
  'an appointment',
  'appointment for',
  'get an appointment',
  'see a surgeon',
  'see the doctor',
  'reserve',
];
const STOP_WORDS = [
  'never mind',
  'nevermind',
  'forget it',
  'not now',
  'dont worry',
  'no thanks',
  'cancel that',
  'stop',
];

function intentOf(kb: KnowledgeBase, text: string): FlowKind | undefined {
  const h = hear(kb, text);
  if (h.policyQuestion && h.answer) return undefined; // "how much notice to cancel?" is a policy question
  if (h.booking === 'cancel') return 'cancel';
  if (h.booking === 'reschedule') return 'reschedule';
  const t = tokenize(text);
  if (
    hasAny(t, LOOKUP_WORDS, false) &&
    hasAny(t, ['appointment', 'booking', 'consultation', 'visit'], false) &&
    !hasAny(t, ['book', 'make', 'schedule'], false)
  ) {
    return 'lookup';
  }
  // "the appointment" alone ("can I bring my dog to the appointment?") is not a request to book
  if (h.booking === 'book' && hasAny(t, BOOK_VERBS, false)) return 'book';
  return undefined;
}

function askedIn(text: string): Asked | undefined {
  const n = normalize(text);
  let found: Asked | undefined;
  for (const [k, line] of Object.entries(ASK) as Array<[Asked, string]>) if (n.includes(normalize(line))) found = k;
  return found;
}

const yes = (text: string) =>
  hasAny(tokenize(text), [...CUES.yes.exact, 'correct', 'right', 'perfect', 'book it', 'do it', 'great'], false);
const no = (text: string) =>
  hasAny(tokenize(text), [...CUES.no.exact, 'wrong', 'not right', 'wait', 'but', 'instead', 'rather'], false);

/** "sarah jones" as the answer to "your full name?" */
function nameAnswer(text: string): string | undefined {
  const n = extractCallerName(text);
  if (n) return n.full;
  const ws = words(text).filter(
    (w) => !['its', "it's", 'um', 'uh', 'yeah', 'sure', 'yes', 'ok', 'okay', 'so'].includes(w),
  );
  if (ws.length === 0 || ws.length > 3 || ws.some((w) => /\d/.test(w))) return undefined;
  return ws.map((w) => capitalize(w)).join(' ');
}

/** her questions whose answers are personal details, never an appointment's */
const PERSONAL = new Set<Asked>(['dob', 'email', 'emailAgain', 'insurance', 'reason', 'referral']);

/** What one caller turn adds to the draft, given what she had just asked. */
function absorb(kb: KnowledgeBase, d: Draft, text: string, today: string): boolean {
  let got = false;
  const asked = d.asked;
  const h = hear(kb, text);
  // a yes that repeats what she read back ("yes, ten is fine") is a yes, not a change
  const details = () => [d.service?.id, d.date, d.time, d.phone, d.name].join('|');
  const before = details();
  // an answer to a date-of-birth or intake question is that answer only: "March fourth nineteen eighty
  // five" is no appointment day, "botox for frown lines" as the reason changes no service
  if (asked && PERSONAL.has(asked)) {
    let answered = false;
    if (asked === 'dob') {
      const dob = birthDateFromSpeech(text, today);
      if (dob) d.dob = dob;
      answered = dob !== undefined;
    }
    if (d.kind === 'book' && absorbIntake(d, asked, text)) answered = true;
    return answered;
  }
  // "a BBL consultation" books the consultation, the service the knowledge base marks as such
  const svc = h.services.find((x) => x.consultation) ?? h.services[0];
  if (svc && d.kind === 'book' && svc.id !== d.service?.id) {
    d.service = svc;
    d.availability = undefined;
    got = true;
  }
  const movingDate = d.kind === 'book' || (d.kind === 'reschedule' && d.found);
  const ws = words(text);
  // "the first one" answers which time, it isn't the first of the month
  const namesDay = !(asked === 'time') || ws.some((w) => DAY_NAMES.test(w));
  const date = movingDate && namesDay ? dateFromSpeech(text, today) : undefined;
  if (date && date !== d.date) {
    d.date = date;
    d.time = undefined;
    d.partOfDay = undefined;
    got = true;
  }
  if (ws.includes('morning')) d.partOfDay = 'morning';
  if (ws.includes('afternoon')) d.partOfDay = 'afternoon';
  // "the first one", "the last one": a pick from the times she offered
  const pick = asked === 'time' && d.availability ? pickOffered(kb, d, tokenize(text)) : undefined;
  const time = pick ? { time: pick } : movingDate ? timeFromSpeech(text, asked === 'time') : undefined;
  if (time) {
    d.time = time.time;
    got = true;
  }
  const phone = phoneFromSpeech(text);
  if (phone) {
    d.phone = phone;
    d.phoneMisheard = false;
    got = true;
  } else if (
    (asked === 'phone' || asked === 'bookingPhone' || asked === 'phoneAgain') &&
    spokenDigits(text).length >= 4
  ) {
    // some digits, but not a whole number: ask again rather than guess
    d.phoneMisheard = true;
    got = true;
  }
  if (asked === 'name') d.nameAsked = true;
  if (d.kind === 'book' || d.unavailable) {
    const name = asked === 'name' ? nameAnswer(text) : extractCallerName(text)?.full;
    if (name && (asked === 'name' || !d.name || name.includes(' '))) {
      d.name = name;
      got = true;
    }
    if (isNewPatient(text)) d.newPatient = true;
  } else if (asked === 'name') {
    // who the booking is for: with the date of birth, it proves the caller may hear it (core/identity.ts)
    const name = nameAnswer(text);
    if (name) {
      d.name = name;
      got = true;
    }
  }
  if (/\b(born|birth)\b/i.test(text)) {
    const dob = birthDateFromSpeech(text, today);
    if (dob) {
      d.dob = dob;
      got = true;
    }
  }
  if (d.kind === 'book' && absorbIntake(d, asked, text)) got = true;
  const changed = details() !== before || d.phoneMisheard === true;
  if (asked === 'confirmBook' || asked === 'confirmMove' || asked === 'confirmCancel') {
    if (yes(text) && !no(text) && !changed) {
      d.confirmed = true;
      return true;
    }
    if (no(text) || changed) {
      d.declined = !changed;
      d.confirmed = false;
      return true;
    }
  }
  if (got) {
    d.confirmed = false;
    d.declined = false;
  }
  // moving a visit, the time is the last detail: "yes, ten is fine" to the times she offered is the
  // caller's yes to exactly that move (the reply says what was done)
  if (d.kind === 'reschedule' && asked === 'time' && time && yes(text) && !no(text)) d.confirmed = true;
  return got;
}

function applyTool(d: Draft, item: ToolExchange): void {
  const r = item.result;
  if (item.name === 'take_message') {
    d.message = { ok: r.ok };
    return;
  }
  if (!r.ok && r.error === 'unavailable') {
    // the booking system is down: nothing more to look up or write; a message for the front desk
    d.unavailable = true;
    d.unavailableNew = true;
    return;
  }
  if (item.name === 'check_availability' && r.ok && 'slots' in r) d.availability = r;
  else if (item.name === 'find_booking') {
    if (r.ok && 'bookings' in r) d.found = { key: identityKey(item.args), bookings: r.bookings };
    else if (!r.ok && r.error === 'not_verified') d.needsIdentity = true;
    else d.lookupFailed = r.ok ? undefined : r.error;
  } else if (['book_appointment', 'reschedule_appointment', 'cancel_appointment'].includes(item.name)) {
    d.result = r as BookingResult;
    if (!r.ok && r.error === 'not_confirmed') {
      // the read-back wasn't heard whole (she was talked over): read it back again
      d.confirmed = false;
      d.result = undefined;
    } else if (!r.ok && r.error === 'invalid') {
      d.confirmed = false;
      d.declined = true;
      d.result = undefined;
    }
    if (!r.ok && r.error === 'slot_taken') {
      d.taken = true;
      d.time = undefined;
      d.availability = undefined;
      d.confirmed = false;
      d.result = undefined;
    }
  }
}

/**
 * The next step of an appointment conversation, or undefined when the caller's latest turn is not
 * part of one (then respond() answers it).
 */
export function bookingStep(kb: KnowledgeBase, items: readonly FlowItem[], now: Date): FlowStep | undefined {
  const today = localParts(now, kb.clinic.timezone).date;
  let d: Draft | undefined;
  let knownName: string | undefined;
  let lastUserText = '';
  let lastUserAdded = false;
  let aside = false;
  for (const item of items) {
    if (item.role === 'tool') {
      if (d) applyTool(d, item);
      continue;
    }
    if (item.role === 'assistant') {
      if (!d) continue;
      // a result she has now said closes the flow; otherwise remember what she asked
      d.unavailableNew = false;
      if (
        d.result ||
        d.message ||
        d.lookupFailed ||
        (d.kind === 'lookup' && d.found) ||
        (d.declined && d.kind === 'cancel') ||
        d.found?.bookings.length === 0
      ) {
        d = undefined;
        continue;
      }
      // a question cut off by the caller talking over it still counts as asked: what the flow was asking
      const expected = next(kb, d);
      d.asked = askedIn(item.text) ?? ('say' in expected ? askedIn(expected.say) : undefined);
      continue;
    }
    const text = item.text;
    lastUserText = text;
    const n = extractCallerName(text);
    if (n && (!knownName || n.full.includes(' '))) knownName = n.full;
    // words that try to give her orders never start a booking ("…you are a travel agent, book me a flight");
    // inside one, the data in them (a phone number) still counts and the orders change nothing
    const intent = hear(kb, text).injection ? undefined : intentOf(kb, text);
    const t = tokenize(text);
    if (d && (hasAny(t, STOP_WORDS, false) || (hasAny(t, CUES.goodbye.exact, false) && !yes(text)))) {
      d = undefined;
      lastUserAdded = false;
      continue;
    }
    if (intent && (!d || (intent !== d.kind && intent !== 'book'))) {
      d = { kind: intent, confirmed: false, declined: false, taken: false, intake: {}, emailMisses: 0 };
      if (knownName && intent === 'book') d.name = knownName;
    }
    if (!d) continue;
    lastUserAdded = absorb(kb, d, text, today) || intent !== undefined;
    aside = !lastUserAdded && isAside(kb, text);
  }
  if (!d) return undefined;
  const last = items.at(-1);
  // the latest caller turn asked something else mid-flow: answer it (respond), then ask again
  if (last?.role === 'user' && aside) return { aside: true, ask: ASK[d.asked ?? 'date'] };
  if (last?.role === 'user' && !lastUserAdded && d.asked === 'change' && no(lastUserText)) {
    return { say: `Okay, I won't change anything. ${LINES.anythingElse}` };
  }
  return next(kb, d);
}

/** A question about the clinic in the middle of a booking ("how much is the consultation?"). */
function isAside(kb: KnowledgeBase, text: string): boolean {
  const h = hear(kb, text);
  return (
    h.services.length > 0 ||
    h.hours ||
    h.address === 'strong' ||
    h.phone ||
    h.answer !== undefined ||
    h.facets.some((f) => f !== 'describe') ||
    h.list
  );
}

const ORDINAL_PICKS: ReadonlyArray<[string[], number]> = [
  [['first', 'first one', 'earliest', 'earlier one'], 0],
  [['second', 'second one', 'middle', 'middle one'], 1],
  [['third', 'third one'], 2],
  [['last', 'last one', 'latest', 'later one'], -1],
];

/** The offered slots, as offerSlots() chose them. */
function offered(kb: KnowledgeBase, d: Draft): SpokenSlot[] {
  const tz = kb.clinic.timezone;
  let slots = d.availability?.slots ?? [];
  if (d.partOfDay) {
    const part = slots.filter(
      (s) => localParts(new Date(s.startsAt), tz).time < '12:00' === (d.partOfDay === 'morning'),
    );
    if (part.length) slots = part;
  }
  // times on the hour are easier to hear and to choose; half hours fill in when there are few
  const onTheHour = slots.filter((s) => localParts(new Date(s.startsAt), tz).time.endsWith(':00'));
  return (onTheHour.length >= 3 ? onTheHour : slots).slice(0, 3);
}

function pickOffered(kb: KnowledgeBase, d: Draft, tokens: string[]): string | undefined {
  const list = offered(kb, d);
  for (const [phrases, index] of ORDINAL_PICKS) {
    if (!hasAny(tokens, phrases, false)) continue;
    const slot = index < 0 ? list.at(-1) : list[index];
    return slot ? localParts(new Date(slot.startsAt), kb.clinic.timezone).time : undefined;
  }
  return undefined;
}

/** "on Tuesday, March third", but "tomorrow" (also for "tomorrow at ten a m") */
const onDay = (day: string): string => (/^(today|tomorrow)\b/.test(day) ? day : `on ${day}`);

function offerSlots(kb: KnowledgeBase, d: Draft): string[] {
  const picks = offered(kb, d).map((s) => s.time);
  const list = picks.length === 1 ? picks[0]! : `${picks.slice(0, -1).join(', ')} or ${picks.at(-1)}`;
  return [
    capitalize(`${onDay(d.availability!.day)}, I have ${picks.length === 1 ? 'one time' : 'a few times'}.`),
    `${capitalize(list)}.`,
    ASK.time,
  ];
}

function next(kb: KnowledgeBase, d: Draft): FlowStep {
  const say = (...parts: string[]): FlowStep => ({ say: parts.join(' ') });
  const call = (name: BookingToolName, args: Record<string, unknown>): FlowStep => ({ call: { name, args } });

  if (d.unavailable) return takeMessage(d);
  if (d.result) {
    if (!d.result.ok) {
      return say("I'm sorry, I couldn't reach our booking system just now.", LINES.callbackQuestion);
    }
    const b = d.result.booking;
    if (d.kind === 'book') return say(`You're all set for ${b.when}.`, 'We look forward to seeing you.');
    if (d.kind === 'reschedule') return say(`Done. Your ${b.serviceName} is now ${b.when}.`, LINES.anythingElse);
    return say(`Your ${b.serviceName} ${onDay(b.when)} is cancelled.`, LINES.anythingElse);
  }
  if (d.lookupFailed) return say("I'm sorry, I couldn't reach our booking system just now.", LINES.callbackQuestion);

  if (d.phoneMisheard) return say("Sorry, I didn't catch the whole number.", ASK.phoneAgain);
  if (d.kind !== 'book') {
    // identity before details: first the line the call comes from (the tool knows it, she does not),
    // then the phone number, name and date of birth the booking was made with
    if (!d.needsIdentity && !d.found) return call('find_booking', {});
    if (d.needsIdentity) {
      if (!d.phone) return say('Sure, I just need to check who I am speaking with.', ASK.bookingPhone);
      if (!d.name) return say('Thanks.', ASK.name);
      if (!d.dob) return say('Thank you.', ASK.dob);
      const args = { phone: d.phone, name: d.name, dateOfBirth: d.dob };
      if (!d.found || d.found.key !== identityKey(args)) return call('find_booking', args);
    }
    const existing = d.found!.bookings[0];
    // the same words whether no booking exists or the details did not match: a mismatch reveals nothing
    if (!existing) return say("I couldn't find a booking that matches those details.", LINES.callbackQuestion);
    const noun = existing.serviceName;
    if (d.kind === 'lookup')
      return say(
        `You're booked for ${serviceNounById(kb, existing.service)} ${onDay(existing.when)}.`,
        LINES.anythingElse,
      );
    if (d.kind === 'cancel') {
      if (d.declined) return say(`Okay, I'll keep your ${noun} as it is.`, LINES.anythingElse);
      if (d.confirmed) return call('cancel_appointment', { bookingId: existing.id });
      return say(`I see your ${noun} ${onDay(existing.when)}.`, ASK.confirmCancel);
    }
    // reschedule
    d.service ??= kb.services.find((s) => s.id === existing.service);
    if (!d.date) return say(`I see your ${noun} ${onDay(existing.when)}.`, ASK.newDate);
  } else {
    if (!d.service) return say('Sure.', ASK.service);
    if (!d.date) return say(`Okay, ${serviceNoun(d.service)}.`, ASK.date);
  }
  const service = d.service!;
  if (!d.availability || d.availability.date !== d.date || d.availability.service !== service.id) {
    return call('check_availability', { service: service.id, date: d.date });
  }
  const a = d.availability;
  const sorry = d.taken ? ['Sorry, that time was just taken.'] : [];
  if (a.slots.length === 0) {
    return say(...sorry, a.closed ? `We're closed ${onDay(a.day)}.` : `Sorry, ${a.day} is fully booked.`, ASK.otherDay);
  }
  const tz = kb.clinic.timezone;
  const chosen = d.time ? a.slots.find((s) => localParts(new Date(s.startsAt), tz).time === d.time) : undefined;
  if (!chosen) {
    const notFree = d.time ? [`That time isn't free ${onDay(a.day)}.`] : [];
    return say(...sorry, ...notFree, ...offerSlots(kb, d).slice(notFree.length ? 1 : 0));
  }
  const when = `${a.day} at ${chosen.time}`;
  if (d.kind === 'reschedule') {
    const existing = d.found!.bookings[0]!;
    if (d.confirmed) return call('reschedule_appointment', { bookingId: existing.id, startsAt: chosen.startsAt });
    if (d.declined) return say('No problem.', ASK.change);
    return say(`I'll move your ${existing.serviceName} to ${a.day} at ${chosen.time}.`, ASK.confirmMove);
  }
  if (!d.name || (!d.name.includes(' ') && !d.nameAsked)) return say(`Great, ${when} is free.`, ASK.name);
  if (!d.phone) return say('Thanks.', ASK.phone);
  const intakeStep = d.newPatient ? nextIntakeQuestion(d) : undefined;
  if (intakeStep) return intakeStep;
  if (d.confirmed)
    return call('book_appointment', {
      service: service.id,
      startsAt: chosen.startsAt,
      name: d.name,
      phone: d.phone,
      ...(d.newPatient ? intakeArgs(d) : {}),
    });
  if (d.declined) return say('No problem.', ASK.change);
  return say(
    'Let me read that back.',
    `${capitalize(serviceNoun(service))} ${onDay(a.day)} at ${chosen.time}.`,
    `For ${d.name}, at ${phoneNumberToWords(d.phone)}.`,
    ASK.confirmBook,
  );
}

/** what the caller wanted, for the front desk: "book a consultation on 2026-03-03 at 10:00" */
function requestOf(d: Draft): string {
  const what = {
    book: 'book',
    reschedule: 'move their appointment',
    cancel: 'cancel their appointment',
    lookup: 'check their appointment',
  }[d.kind];
  const service = d.service && d.kind === 'book' ? ` ${serviceNoun(d.service)}` : '';
  const when = [d.date ? ` on ${d.date}` : '', d.time ? ` at ${d.time}` : ''].join('');
  return `${what}${service}${d.kind === 'book' || d.kind === 'reschedule' ? when : ''}`;
}

/** The booking system is down: her name and phone questions, then the message, then its receipt. */
function takeMessage(d: Draft): FlowStep {
  const say = (...parts: string[]): FlowStep => ({ say: parts.join(' ') });
  const opening = d.unavailableNew ? [LINES.takeMessage] : [];
  if (d.message?.ok)
    return say(
      ...opening,
      `Thank you. The front desk will call you back at ${phoneNumberToWords(d.phone!)}.`,
      LINES.anythingElse,
    );
  if (d.message) return say("I'm sorry, I can't leave a message right now either.", LINES.callAgainLater);
  if (d.phoneMisheard) return say("Sorry, I didn't catch the whole number.", ASK.phoneAgain);
  if (!d.name || (!d.name.includes(' ') && !d.nameAsked)) return say(...opening, ASK.name);
  if (!d.phone) return say(...(opening.length ? opening : ['Thanks.']), ASK.phone);
  return { call: { name: 'take_message', args: { name: d.name, phone: d.phone, request: requestOf(d) } } };
}

function serviceNounById(kb: KnowledgeBase, id: string): string {
  const s = kb.services.find((x) => x.id === id);
  return s ? serviceNoun(s) : id;
}

/** find_booking's details as one key: the answer stands for exactly these */
function identityKey(args: Record<string, unknown>): string {
  return [args.phone, args.name, args.dateOfBirth].map((v) => (typeof v === 'string' ? v : '')).join('|');
}

/** the previous intake question, whose answer she echoed in the one just asked: a "no" corrects it */
const ECHOED: Partial<Record<Asked, 'dob' | 'email' | 'insurance'>> = {
  email: 'dob',
  emailAgain: 'dob',
  insurance: 'email',
  reason: 'insurance',
};

/** A new patient's answers to the intake questions; true when the turn gave one. */
function absorbIntake(d: Draft, asked: Asked | undefined, text: string): boolean {
  if (isNewPatient(text)) d.newPatient = true;
  if (!d.newPatient || !asked) return false;
  const echoed = ECHOED[asked];
  const wrong = hasAny(tokenize(text), ['no', 'wrong', 'not right', 'thats not', 'incorrect'], false);
  if (asked === 'email' || asked === 'emailAgain') {
    const email = emailFromSpeech(text);
    if (email) {
      d.intake.email = email;
      return true;
    }
    if (echoed && wrong && !declines(text)) return correct(d, echoed);
    if (declines(text) || ++d.emailMisses >= 2) d.emailSkipped = true;
    return true;
  }
  if (echoed && wrong && words(text).length <= 6) return correct(d, echoed);
  if (asked === 'insurance') {
    const insurance = insuranceAnswer(text);
    if (insurance) d.intake.insurance = insurance;
    return insurance !== undefined;
  }
  if (asked === 'reason' || asked === 'referral') {
    const answer = declines(text) ? 'not given' : freeAnswer(text);
    if (answer) d.intake[asked] = answer;
    return answer !== undefined;
  }
  return false;
}

/** the caller said the echoed answer was wrong: it is asked again */
function correct(d: Draft, field: 'dob' | 'email' | 'insurance'): boolean {
  if (field === 'dob') d.dob = undefined;
  else if (field === 'email') {
    d.intake.email = undefined;
    d.emailSkipped = false;
    d.emailMisses = 0;
  } else d.intake.insurance = undefined;
  return true;
}

/** The next intake question, each echoing the answer before it so the caller hears it read back. */
function nextIntakeQuestion(d: Draft): FlowStep | undefined {
  const say = (...parts: string[]): FlowStep => ({ say: parts.join(' ') });
  if (!d.dob) return say('Thanks. Since this is your first visit, I have a few quick questions.', ASK.dob);
  const born = `I have ${birthDateToWords(d.dob)}.`;
  if (d.intake.email === undefined && !d.emailSkipped)
    return d.emailMisses ? say("Sorry, I didn't catch that.", ASK.emailAgain) : say(born, ASK.email);
  const email = d.intake.email ? `I have ${emailToWords(d.intake.email)}.` : 'No problem.';
  if (!d.intake.insurance) return say(email, ASK.insurance);
  if (!d.intake.reason) return say(`${insuranceToWords(d.intake.insurance)}, got it.`, ASK.reason);
  if (!d.intake.referral) return say('Thank you.', ASK.referral);
  return undefined;
}

function intakeArgs(d: Draft): Record<string, string> {
  const out: Record<string, string> = {};
  if (d.dob) out.dateOfBirth = d.dob;
  for (const k of ['email', 'insurance', 'reason', 'referral'] as const) {
    const v = d.intake[k];
    if (v && v !== 'not given') out[k] = v;
  }
  return out;
}
