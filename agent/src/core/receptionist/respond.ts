/**
 * The offline receptionist: a pure function from (knowledge base, conversation so far, caller's
 * words) to her reply. Facts come only from the knowledge base; anything else gets an honest
 * "I'm not sure" and an offer of a callback. The caller's words are data: they select an answer,
 * never change how answers are made.
 *
 * Follow-ups ("how much is it?") need memory. Rather than keep state between calls, respond()
 * replays the earlier caller turns through the same decision, so the result depends only on the
 * transcript — which is all an LLM adapter has.
 */
import type { Day, KnowledgeBase, Service } from '@voxanne/contracts/knowledge-base';
import { describeDayForSpeech, describeHoursForSpeech } from './hours.ts';
import {
  addressLine,
  describeService,
  LINES,
  listServices,
  phoneLine,
  postcodeLine,
  serviceNoun,
  servicePrice,
  serviceRecovery,
  speakable,
} from './speak.ts';
import { normalize, tokenize } from './text-match.ts';
import { hear, type Facet, type Heard } from './understand.ts';
import { extractCallerName } from '../humanizer/caller-name.ts';

/** Replies that answer something; the others ("I'm not sure", a greeting) add nothing to another answer. */
const ANSWER_INTENTS = [
  'hours',
  'address',
  'phone',
  'services',
  'not-offered',
  'service-description',
  'service-price',
  'service-recovery',
  'policy',
] as const;

export const INTENTS = [
  'greeting',
  'small-talk',
  'identity',
  'thanks',
  'goodbye',
  ...ANSWER_INTENTS,
  'booking',
  'reschedule',
  'cancel-appointment',
  'human',
  'callback-request',
  'callback-details',
  'callback-declined',
  'clarify',
  'off-topic',
  'acknowledge',
  'unclear',
  'unknown',
] as const;
export type Intent = (typeof INTENTS)[number];

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface Reply {
  /** what she says, ready for TTS */
  text: string;
  intent: Intent;
  /** services the reply is about; later turns' "it" refers to these */
  serviceIds: string[];
  /** the policy or FAQ entry answered, when intent is 'policy' */
  topicId?: string;
}

export interface RespondOptions {
  /** today's weekday in the clinic's time zone; without it "today" questions get the whole week */
  today?: Day;
  /**
   * Appointments are handled by the booking flow (booking-flow.ts); a booking word that reaches
   * respond() then belongs to something else ("can I bring my dog to the appointment?").
   */
  canBook?: boolean;
}

/** What earlier turns leave behind for follow-ups. */
interface Memory {
  serviceIds: string[];
  facets: Facet[];
  topic?: 'hours' | 'service';
}

/**
 * Follow-ups refer to the last few exchanges, so only these history entries are replayed; it
 * also keeps each reply's cost flat (a few milliseconds) however long the call runs.
 */
const REPLAY_ENTRIES = 12;

/** Services are capped per reply so she never reads out a paragraph. */
const MAX_SERVICES_PER_REPLY = 3;

export function greeting(kb: KnowledgeBase): string {
  return kb.agent.greeting;
}

export function respond(
  kb: KnowledgeBase,
  history: readonly Turn[],
  userText: string,
  opts: RespondOptions = {},
): Reply {
  let memory: Memory = { serviceIds: [], facets: [] };
  let lastAssistant = '';
  for (const turn of history.slice(-REPLAY_ENTRIES)) {
    if (turn.role === 'assistant') {
      lastAssistant = turn.text;
      continue;
    }
    const earlier = decide(kb, memory, lastAssistant, turn.text, opts);
    memory = remember(memory, earlier);
    lastAssistant = '';
  }
  const whole = decide(kb, memory, lastAssistant, userText, opts).reply;
  return withOtherQuestions(kb, memory, lastAssistant, userText, opts, whole);
}

const ANSWERS: ReadonlySet<Intent> = new Set(ANSWER_INTENTS);

/**
 * "What time do you open tomorrow and is parking free?": two questions in one turn. Each question is
 * decided on its own; an answer the whole turn's reply does not already contain is added to it, so
 * neither half is dropped. At most two answers, to keep the reply short.
 */
function withOtherQuestions(
  kb: KnowledgeBase,
  memory: Memory,
  lastAssistant: string,
  userText: string,
  opts: RespondOptions,
  whole: Reply,
): Reply {
  if (!ANSWERS.has(whole.intent)) return whole;
  const parts = splitQuestions(userText);
  if (parts.length < 2) return whole;
  let text = whole.text;
  for (const part of parts) {
    const r = decide(kb, memory, lastAssistant, part, opts).reply;
    if (!ANSWERS.has(r.intent) || r.intent === whole.intent) continue;
    // the whole turn's answer may already hold this one ("how much is a tummy tuck, and do you do financing")
    if (normalize(text).includes(normalize(r.text))) continue;
    text = `${withoutClosingQuestion(text)} ${r.text}`;
    break;
  }
  return { ...whole, text };
}

/** a closing question ("Anything else I can help with?") belongs at the very end only */
function withoutClosingQuestion(text: string): string {
  return text.replace(/\s*(?:Anything else I can help with\?|Which would you like to know more about\?)$/, '');
}

/** words a second question starts with, after "and" / "also" / "plus" */
const QUESTION_STARTERS = 'is|are|do|does|can|could|what|whats|when|where|how|who|will|would|should';

/**
 * The questions in one turn: split at question marks, and at "and"/"also" followed by a new question
 * ("… tomorrow and is parking free"). One question gives one part.
 */
export function splitQuestions(text: string): string[] {
  const starters = QUESTION_STARTERS;
  return text
    .split(/\?+/)
    .flatMap((q) => q.split(new RegExp(`,?\\s+(?:and|also|plus)\\s+(?=(?:${starters})\\b)`, 'i')))
    .map((q) => q.trim())
    .filter((q) => tokenize(q).length >= 2);
}

interface Decision {
  reply: Reply;
  facets?: Facet[];
  topic?: Memory['topic'];
}

function remember(m: Memory, d: Decision): Memory {
  return {
    serviceIds: d.reply.serviceIds.length > 0 ? d.reply.serviceIds : m.serviceIds,
    facets: d.facets ?? m.facets,
    ...((d.topic ?? m.topic) ? { topic: d.topic ?? m.topic } : {}),
  };
}

const say = (text: string, intent: Intent, extra: Partial<Reply> = {}): Decision => ({
  reply: { text, intent, serviceIds: [], ...extra },
});

/** Whether she said a fixed line in full (an interrupted line doesn't count as asked). */
function said(assistantText: string, line: string): boolean {
  return assistantText !== '' && normalize(assistantText).includes(normalize(line));
}

/** Anything that asks about the clinic, as opposed to yes/no/thanks/chit-chat. */
function topical(h: Heard, m: Memory): boolean {
  return (
    h.services.length > 0 ||
    h.hours ||
    h.days.length > 0 ||
    h.address === 'strong' ||
    h.phone ||
    h.list ||
    h.answer !== undefined ||
    h.booking !== undefined ||
    h.human ||
    (m.serviceIds.length > 0 && h.facets.some((f) => f !== 'describe'))
  );
}

function decide(kb: KnowledgeBase, m: Memory, lastAssistant: string, text: string, opts: RespondOptions): Decision {
  const h = hear(kb, text, opts.today);
  if (h.tokens.length === 0) return say(LINES.unclear, 'unclear');
  if (h.injection)
    return say(`I can only help with questions about ${kb.clinic.name}. What would you like to know?`, 'off-topic');

  const onTopic = topical(h, m);
  // "my number is …" answers her question; it isn't asking for the clinic's number
  const detailsTopical = onTopic && !(h.phone && h.services.length === 0 && !h.hours && !h.answer && !h.booking);
  if (said(lastAssistant, LINES.detailsQuestion) && !detailsTopical && !h.goodbye && !h.no) {
    // the caller's name and number stay in the transcript; she doesn't repeat them back
    return say("Thank you. I'll pass that to the front desk for a callback.", 'callback-details');
  }
  if (said(lastAssistant, LINES.callbackQuestion) && !onTopic) {
    if (h.no) return say(`No problem. ${LINES.anythingElse}`, 'callback-declined');
    if (h.yes || h.callback) return say(`Sure. ${LINES.detailsQuestion}`, 'callback-request');
  }
  if (!onTopic && (h.goodbye || (h.no && said(lastAssistant, LINES.anythingElse)))) {
    return say(`Thanks for calling ${kb.clinic.name}. Have a great day.`, 'goodbye');
  }
  if (h.human) return say(`I can't transfer calls yet. ${LINES.callbackQuestion}`, 'human');
  if (h.callback) return say(`Sure. ${LINES.detailsQuestion}`, 'callback-request');
  if (h.booking && !opts.canBook) {
    if (h.policyQuestion && h.answer) return policy(h);
    const verb = h.booking === 'cancel' ? 'cancel' : h.booking === 'reschedule' ? 'change' : 'book';
    const intent =
      h.booking === 'cancel' ? 'cancel-appointment' : h.booking === 'reschedule' ? 'reschedule' : 'booking';
    return say(`I can't ${verb} appointments in this version yet. ${LINES.callbackQuestion}`, intent);
  }
  if (h.hours || (h.days.length > 0 && (m.topic === 'hours' || h.followUp))) return hours(kb, h);

  if (h.services.length > 0) {
    if (h.answer && !h.facets.some((f) => f !== 'describe')) return policy(h);
    if (h.unsupportedAspect) return say(`I'm not sure about that. ${LINES.callbackQuestion}`, 'unknown');
    const short = h.tokens.length <= h.services.length * 2 + 1;
    const inherited = (h.followUp || short) && m.topic === 'service' ? m.facets : [];
    const facets = h.facets.length > 0 ? h.facets : inherited.length > 0 ? inherited : (['describe'] as Facet[]);
    const d = serviceReply(h.services, facets, h.doYouOffer && facets[0] === 'describe', h.howLongOnly);
    // a policy asked alongside a price ("how much is a tummy tuck, and do you do financing") is answered too
    if (h.answer && facets.some((f) => f !== 'describe')) d.reply.text += ` ${speakable(h.answer.answer)}`;
    return d;
  }
  const remembered = m.serviceIds
    .map((id) => kb.services.find((s) => s.id === id))
    .filter((s): s is Service => s !== undefined);
  const followsService = h.facets.some((f) => f !== 'describe') || (h.facets.includes('describe') && h.pronoun);
  if (remembered.length > 0 && followsService && !h.answer)
    return serviceReply(remembered, h.facets, false, h.howLongOnly);
  if (h.answer) return policy(h);
  if (h.facets.includes('price') || h.facets.includes('recovery')) {
    // remembered so that naming a service next ("the bbl") answers this question
    return { ...say(LINES.clarifyService, 'clarify'), facets: h.facets, topic: 'service' };
  }
  if (h.postcode) return say(postcodeLine(kb), 'address');
  if (h.address === 'strong') return say(addressLine(kb), 'address');
  if (h.phone) return say(phoneLine(kb), 'phone');
  if (h.address === 'weak') return say(addressLine(kb), 'address');
  if (h.list) return say(listServices(kb), 'services');
  if (h.identity)
    return say(
      `I'm ${kb.agent.name}, the automated receptionist for ${kb.clinic.name}. How can I help you today?`,
      'identity',
    );
  if (h.smallTalk) return say("I'm doing well, thanks for asking. How can I help you today?", 'small-talk');
  if (h.thanks) return say(`You're welcome. ${LINES.anythingElse}`, 'thanks');
  // "hi, do you do hair transplants" is a question about something not in the knowledge base, not a greeting
  if (h.greeting && !h.doYouOffer) return say('Hi there. How can I help you today?', 'greeting');
  if ((h.yes || h.no) && h.tokens.length <= 3) return say(LINES.ack, 'acknowledge');
  // "do you do hair transplants": a procedure the list does not have; the list says what they do instead
  if (h.asksProcedure && !h.injection) return say(`No, we don't offer that. ${listServices(kb)}`, 'not-offered');
  // "my name is Maria" and nothing else: a greeting, not a question she can't answer
  if (extractCallerName(text)) return say('Hi there. How can I help you today?', 'greeting');
  return say(`I'm not sure about that. ${LINES.callbackQuestion}`, 'unknown');
}

function policy(h: Heard): Decision {
  const a = h.answer!;
  return say(speakable(a.answer), 'policy', { topicId: a.id });
}

function hours(kb: KnowledgeBase, h: Heard): Decision {
  const days = h.days;
  let text: string;
  if (days.length === 0) text = describeHoursForSpeech(kb);
  else if (days.length >= 3)
    text = describeHoursForSpeech(
      kb,
      days.map((d) => d.day),
    );
  else {
    text = days
      .map((d) =>
        describeDayForSpeech(kb, {
          ...d,
          ask: h.dayAsk,
          yesNo: h.yesNo && days.length === 1,
          asksClosed: h.asksClosed,
        }),
      )
      .join(' ');
  }
  return { ...say(text, 'hours'), topic: 'hours' };
}

const FACET_INTENT = {
  price: 'service-price',
  recovery: 'service-recovery',
  describe: 'service-description',
} as const satisfies Record<Facet, Intent>;
const FACET_TEXT = {
  price: servicePrice,
  recovery: serviceRecovery,
  describe: describeService,
} as const satisfies Record<Facet, (s: Service) => string>;

/** A service with nothing to recover from ("none", "no downtime"). */
const noRecovery = (s: Service): boolean => /^(none|no)\b/i.test(s.recovery.trim());

function serviceReply(
  services: readonly Service[],
  facets: readonly Facet[],
  confirmOffered: boolean,
  howLongOnly: boolean,
): Decision {
  const picked = services.slice(0, MAX_SERVICES_PER_REPLY);
  // "how long is the consultation" is about the visit, which its description covers
  const facetFor = (s: Service, f: Facet): Facet => (f === 'recovery' && howLongOnly && noRecovery(s) ? 'describe' : f);
  const parts = picked.flatMap((s) => facets.map((f) => FACET_TEXT[facetFor(s, f)](s)));
  if (confirmOffered)
    parts.unshift(picked.length === 1 ? 'Yes, we do.' : `Yes, we offer ${picked.map(serviceNoun).join(' and ')}.`);
  const intent = FACET_INTENT[facetFor(picked[0]!, facets[0]!)];
  return {
    reply: { text: parts.join(' '), intent, serviceIds: picked.map((s) => s.id) },
    facets: [...facets],
    topic: 'service',
  };
}
