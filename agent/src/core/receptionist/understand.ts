/**
 * What the caller's words contain: the services and days named, the kind of question, and the
 * best-matching policy or FAQ entry. No decisions here — respond.ts weighs these signals.
 */
import type { Answer, Day, KnowledgeBase, Service } from '@voxanne/contracts/knowledge-base';
import { CUES, DAY_WORDS, RELATIVE_DAYS, type CueSet } from './cues.ts';
import { addDays, type DayAsk } from './hours.ts';
import { findPhrase, firstMatch, hasAny, tokenize, wordMatches } from './text-match.ts';

export const FACETS = ['price', 'recovery', 'describe'] as const;
export type Facet = (typeof FACETS)[number];

export const BOOKING_KINDS = ['book', 'reschedule', 'cancel'] as const;
export type BookingKind = (typeof BOOKING_KINDS)[number];

export interface DayMention {
  day: Day;
  /** "today" / "tomorrow" when the caller said so */
  label?: string;
}

export interface Heard {
  tokens: string[];
  /** services named, in the order spoken */
  services: Service[];
  /** what was asked about the service(s): price and/or recovery, or a description */
  facets: Facet[];
  /** recovery was asked only as "how long …", which for a visit without recovery means its length */
  howLongOnly: boolean;
  /** asked something about a service the knowledge base has no field for (how long results last) */
  unsupportedAspect: boolean;
  days: DayMention[];
  /** said "today"/"tomorrow" but today's weekday is unknown */
  relativeDayUnresolved: boolean;
  dayAsk: DayAsk;
  yesNo: boolean;
  asksClosed: boolean;
  hours: boolean;
  booking?: BookingKind;
  policyQuestion: boolean;
  /** best policy/FAQ entry, matched on its own keywords beyond plain price words */
  answer?: Answer;
  address?: 'strong' | 'weak';
  postcode: boolean;
  phone: boolean;
  list: boolean;
  doYouOffer: boolean;
  /** asks whether the clinic does a procedure ("do you do …", "do you have … surgery"), named or not */
  asksProcedure: boolean;
  human: boolean;
  callback: boolean;
  injection: boolean;
  greeting: boolean;
  smallTalk: boolean;
  identity: boolean;
  thanks: boolean;
  goodbye: boolean;
  yes: boolean;
  no: boolean;
  followUp: boolean;
  pronoun: boolean;
}

function has(tokens: readonly string[], set: CueSet): boolean {
  return hasAny(tokens, set.exact, false) || hasAny(tokens, set.fuzzy, true);
}

function wantsPerson(tokens: readonly string[]): boolean {
  return has(tokens, CUES.humanAlone) || (has(tokens, CUES.humanVerb) && has(tokens, CUES.humanTarget));
}

/** "can I", "I'd like to"…: the start of a request, before its verb */
const REQUEST_FRAMES = [
  ['can', 'i'],
  ['could', 'i'],
  ['may', 'i'],
  ['can', 'we'],
  ['could', 'we'],
  ['i', 'want', 'to'],
  ['i', 'wanna'],
  ['id', 'like', 'to'],
  ['i', 'would', 'like', 'to'],
  ['i', 'need', 'to'],
  ['let', 'me'],
] as const;
/** "to" as the recogniser may write it */
const TO = new Set(['to', 'too', 'two', 'with']);
const ARTICLES = new Set(['a', 'an', 'the', 'some', 'real', 'live']);
/** people a caller asks for by kind, not by role (no "doctor": "can I come to the doctor" is not a request for one) */
const ANY_PERSON = new Set([
  'person',
  'someone',
  'somebody',
  'human',
  'anyone',
  'anybody',
  'receptionist',
  'operator',
  'representative',
]);
/** a thing handed to the person ("can i give it to someone", "send my details to someone"): not a request for one */
const OBJECTS = new Set([
  'it',
  'them',
  'this',
  'that',
  'these',
  'those',
  'him',
  'her',
  'me',
  'us',
  'my',
  'your',
  'our',
  'his',
  'their',
  'something',
  'anything',
  'everything',
]);

/**
 * "can i keep to a person": a request frame, the verb's place (one or two words: "can i can go to a person"),
 * "to", and a person. On a phone line the verb of "can I speak to a person" is often lost: the /s/ of "speak"
 * lies above the line's 4 kHz, and the recogniser writes "keep" or "take". What is left still asks for a
 * person, whatever the verb was.
 */
function requestToPersonVerbLost(tokens: readonly string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    for (const frame of REQUEST_FRAMES) {
      if (!frame.every((w, k) => tokens[i + k] === w)) continue;
      const verb = i + frame.length;
      for (let words = 1; words <= 2; words++) {
        if (tokens.slice(verb, verb + words).some((w) => OBJECTS.has(w))) break;
        let at = verb + words;
        if (!TO.has(tokens[at] ?? '')) continue;
        at++;
        while (ARTICLES.has(tokens[at] ?? '')) at++;
        if (ANY_PERSON.has(tokens[at] ?? '')) return true;
      }
    }
  }
  return false;
}

/**
 * The caller asks for a person ("can I speak to someone?", "operator"), whatever the engine: on a phone
 * line this hands the call over (or she says no one is free) instead of asking the LLM or the rule brain.
 * It reads the request from what a phone line lets the recogniser hear: "can I … to a person" with the
 * verb lost is still a request. A question about people ("are you a person?") is not a request for one.
 */
export function asksForPerson(text: string): boolean {
  const tokens = tokenize(text);
  return (wantsPerson(tokens) || requestToPersonVerbLost(tokens)) && !has(tokens, CUES.identity);
}

function findServices(kb: KnowledgeBase, tokens: readonly string[]): Service[] {
  const found: Array<{ s: Service; at: number }> = [];
  for (const s of kb.services) {
    const m = firstMatch(tokens, [s.name, ...s.aliases], true);
    if (m) found.push({ s, at: m.start });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.s);
}

function findDays(
  tokens: readonly string[],
  today: Day | undefined,
  hoursAsked: boolean,
): { days: DayMention[]; unresolved: boolean } {
  const hits: Array<{ at: number; days: readonly Day[]; label?: string }> = [];
  tokens.forEach((t, at) => {
    for (const [word, days] of DAY_WORDS) if (t === word || t === `${word}s`) hits.push({ at, days });
  });
  let unresolved = false;
  // "now" and "today" matter only for hours; elsewhere "now" is just a word
  if (hoursAsked) {
    for (const [word, offset] of Object.entries(RELATIVE_DAYS)) {
      const at = tokens.indexOf(word);
      if (at < 0) continue;
      if (today) hits.push({ at, days: [addDays(today, offset)], label: offset === 0 ? 'today' : word });
      else unresolved = true;
    }
  }
  const out: DayMention[] = [];
  for (const h of hits.sort((a, b) => a.at - b.at)) {
    for (const day of h.days)
      if (!out.some((d) => d.day === day)) out.push(h.label ? { day, label: h.label } : { day });
  }
  return { days: out, unresolved };
}

/** Policy/FAQ entry whose keywords match best; multi-word keywords weigh more as they are more specific. */
function findAnswer(kb: KnowledgeBase, tokens: readonly string[]): Answer | undefined {
  let best: { a: Answer; score: number } | undefined;
  for (const a of [...kb.policies, ...kb.faq]) {
    let score = 0;
    for (const kw of a.keywords) {
      // a bare price word ("fee") is a price question, not evidence for a policy
      if (CUES.price.exact.includes(kw.toLowerCase())) continue;
      if (findPhrase(tokens, kw, true)) score += tokenize(kw).length;
    }
    if (score > 0 && (!best || score > best.score)) best = { a, score };
  }
  return best?.a;
}

/** The aspects asked about, in a fixed order; "describe" only when nothing more specific was asked. */
function findFacets(tokens: readonly string[]): Facet[] {
  const recovery = has(tokens, CUES.recovery);
  const howMuch = findPhrase(tokens, 'how much', false);
  // "how much downtime" / "how much time off" asks about recovery although it starts like a price question
  const howMuchIsRecovery = howMuch !== undefined && has(tokens.slice(howMuch.end, howMuch.end + 2), CUES.recovery);
  const otherPriceWords = has(tokens, {
    exact: CUES.price.exact.filter((c) => c !== 'how much'),
    fuzzy: CUES.price.fuzzy,
  });
  const price = otherPriceWords || (howMuch !== undefined && !howMuchIsRecovery);
  const out: Facet[] = [];
  if (price) out.push('price');
  if (recovery) out.push('recovery');
  if (out.length === 0 && has(tokens, CUES.describe)) out.push('describe');
  return out;
}

/** "how long does botox last" asks how long results last, which the knowledge base doesn't say. */
function asksDuration(tokens: readonly string[]): boolean {
  return findPhrase(tokens, 'how long', false) !== undefined && (tokens.includes('last') || tokens.includes('lasts'));
}

/** asking whether the clinic does something; "do you have" alone is too broad (parking, a bathroom) */
const PROCEDURE_ASKS = [
  'do you do',
  'do you offer',
  'do you perform',
  'do you provide',
  'can you do',
  'do you guys do',
  'do you guys offer',
  'does the clinic do',
  'does the clinic offer',
];
const PROCEDURE_WORDS = [
  'surgery',
  'procedure',
  'treatment',
  'transplant',
  'removal',
  'implant',
  'injection',
  'laser',
  'lift',
  'tuck',
  'reduction',
  'peel',
];

const YES_NO_STARTERS = new Set(['are', 'is', 'will', 'do', 'does', 'r', 'were', 'you', 'open', 'closed', 'can']);

export function hear(kb: KnowledgeBase, text: string, today?: Day): Heard {
  const tokens = tokenize(text);
  const services = findServices(kb, tokens);
  const duration = asksDuration(tokens);
  const facets = duration ? findFacets(tokens).filter((f) => f !== 'recovery') : findFacets(tokens);
  const recoveryWords = { exact: CUES.recovery.exact.filter((c) => c !== 'how long'), fuzzy: CUES.recovery.fuzzy };
  const specific = facets.some((f) => f !== 'describe');
  const hours = has(tokens, CUES.hours);
  const { days, unresolved } = findDays(tokens, today, hours || has(tokens, CUES.asksOpen));
  const timeQ = hasAny(tokens, ['what time', 'when', 'how late', 'how early', 'until', 'till', 'til'], false);
  const asksClose = has(tokens, CUES.asksClose);
  const asksOpen = has(tokens, CUES.asksOpen);
  const dayAsk: DayAsk =
    findPhrase(tokens, 'how late', false) || (asksClose && timeQ) ? 'close' : asksOpen && timeQ ? 'open' : 'range';
  const cancel = has(tokens, CUES.cancel);
  const reschedule = has(tokens, CUES.reschedule);
  const bookStrong = has(tokens, CUES.book);
  const bookNoun = !specific && hasAny(tokens, ['appointment', 'appointments', 'come in'], true);
  const bookWeak = !specific && services.length === 0 && has(tokens, CUES.bookWeak);
  const booking: BookingKind | undefined = cancel
    ? 'cancel'
    : reschedule
      ? 'reschedule'
      : bookStrong || bookNoun || bookWeak
        ? 'book'
        : undefined;
  const addressStrong = has(tokens, CUES.address);
  const answer = findAnswer(kb, tokens);
  return {
    tokens,
    services,
    facets,
    howLongOnly: facets.includes('recovery') && !has(tokens, recoveryWords),
    unsupportedAspect: duration && facets.length === 0,
    days,
    relativeDayUnresolved: unresolved,
    dayAsk,
    // "are you open now" can't be answered yes or no: she knows the day, not the time
    yesNo: YES_NO_STARTERS.has(tokens[0] ?? '') && !timeQ && !tokens.includes('now'),
    asksClosed: tokens.includes('closed'),
    hours: hours || (days.length > 0 && (asksOpen || asksClose)),
    ...(booking ? { booking } : {}),
    policyQuestion: has(tokens, CUES.policyQuestion),
    ...(answer ? { answer } : {}),
    ...(addressStrong
      ? { address: 'strong' as const }
      : has(tokens, CUES.addressWeak)
        ? { address: 'weak' as const }
        : {}),
    postcode: has(tokens, CUES.postcode),
    phone: has(tokens, CUES.phone),
    list: has(tokens, CUES.list),
    doYouOffer: has(tokens, CUES.doYouOffer),
    asksProcedure:
      hasAny(tokens, PROCEDURE_ASKS, false) ||
      (hasAny(tokens, ['do you have', 'do you guys have'], false) && hasAny(tokens, PROCEDURE_WORDS, true)),
    human: wantsPerson(tokens),
    callback: has(tokens, CUES.callback),
    injection: has(tokens, CUES.injection),
    greeting: has(tokens, CUES.greeting),
    smallTalk: has(tokens, CUES.smallTalk),
    identity: has(tokens, CUES.identity),
    thanks: has(tokens, CUES.thanks),
    goodbye: has(tokens, CUES.goodbye),
    yes: has(tokens, CUES.yes),
    no: has(tokens, CUES.no),
    followUp:
      ['and', 'also', 'so'].includes(tokens[0] ?? '') ||
      hasAny(tokens, ['what about', 'how about', 'same for', 'what of'], false),
    pronoun: tokens.some((t) => CUES.pronoun.exact.some((p) => wordMatches(t, p, false))),
  };
}
