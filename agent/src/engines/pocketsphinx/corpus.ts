/**
 * What callers say to a clinic receptionist, as sentences for training the recogniser's domain
 * language model. Built from the knowledge base (service names and aliases, prices, recovery,
 * policy and FAQ keywords, the street and city) and from templates for the rest of a call
 * (hours, booking with days and times, names, phone digits, yes/no, thanks, goodbye). Pure.
 *
 * A template with slots is expanded as many times as its largest slot has values, cycling every
 * slot, so each value appears at least once without a full cross product: "book on {day} at
 * {time}" gives 28 sentences rather than 7×28, which would drown every other kind of sentence.
 */
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { DAYS } from '@voxanne/contracts/knowledge-base';
import { MONTHS as MONTH_NAMES } from '../../core/text/calendar.ts';
import { digitsToWords, numberToWords, ordinalToWords, priceRangeToWords } from '../../core/text/number-words.ts';

const FIRST_NAMES = [
  'james',
  'john',
  'robert',
  'michael',
  'william',
  'david',
  'richard',
  'joseph',
  'thomas',
  'charles',
  'daniel',
  'matthew',
  'anthony',
  'mark',
  'steven',
  'paul',
  'andrew',
  'joshua',
  'kevin',
  'brian',
  'jose',
  'carlos',
  'luis',
  'mary',
  'patricia',
  'jennifer',
  'linda',
  'elizabeth',
  'barbara',
  'susan',
  'jessica',
  'sarah',
  'karen',
  'nancy',
  'lisa',
  'betty',
  'sandra',
  'ashley',
  'emily',
  'michelle',
  'amanda',
  'melissa',
  'stephanie',
  'rebecca',
  'laura',
  'maria',
  'emma',
  'olivia',
  'sophia',
  'anna',
  'rachel',
  'nicole',
  'samantha',
  'kate',
  'megan',
];
const LAST_NAMES = [
  'smith',
  'johnson',
  'williams',
  'brown',
  'jones',
  'garcia',
  'miller',
  'davis',
  'rodriguez',
  'martinez',
  'hernandez',
  'lopez',
  'gonzalez',
  'wilson',
  'anderson',
  'thomas',
  'taylor',
  'moore',
  'jackson',
  'martin',
  'lee',
  'thompson',
  'white',
  'harris',
  'clark',
  'lewis',
  'robinson',
  'walker',
  'young',
  'allen',
  'king',
  'wright',
  'scott',
  'nguyen',
  'kim',
];
const MONTHS = MONTH_NAMES.map((m) => m.toLowerCase());
// "first" … "thirty first": every day of a month
const ORDINALS = Array.from({ length: 31 }, (_, i) => ordinalToWords(i + 1));
const HOURS_12 = ['eight', 'nine', 'ten', 'eleven', 'twelve', 'one', 'two', 'three', 'four', 'five', 'six'];
const DAY_PARTS = ['morning', 'afternoon', 'evening'];
const RELATIVE_DAYS = ['today', 'tomorrow', 'next week', 'this week', 'the day after tomorrow'];

/**
 * Times the way people say them: "nine", "nine thirty", "ten a m", "two p m", "noon", "three o'clock", "half past two".
 */
function spokenTimes(): string[] {
  const out: string[] = ['noon', 'midday', 'lunchtime', 'first thing in the morning', 'end of the day'];
  HOURS_12.forEach((h, i) => {
    const pm = i >= 4 ? 'p m' : 'a m';
    out.push(
      h,
      `${h} ${pm}`,
      `${h} thirty`,
      `${h} fifteen`,
      `${h} forty five`,
      `${h} o'clock`,
      `half past ${h}`,
      `${h} thirty ${pm}`,
    );
  });
  return out;
}

interface Template {
  text: string;
  /** extra copies of every expansion, for the few phrases callers say far more than others */
  repeat?: number;
}

function expand(
  templates: ReadonlyArray<string | Template>,
  slots: Readonly<Record<string, readonly string[]>>,
): string[] {
  const out: string[] = [];
  for (const t of templates) {
    const { text, repeat = 1 } = typeof t === 'string' ? { text: t } : t;
    const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const count = Math.max(1, ...names.map((n) => slots[n]?.length ?? 0));
    for (let i = 0; i < count; i++) {
      let sentence = text;
      // slot values may hold slots themselves ("ask about {service}"); each level cycles at its own stride
      for (let depth = 0; sentence.includes('{'); depth++) {
        if (depth > 3) throw new Error(`corpus template "${text}": slots nested too deeply`);
        sentence = sentence.replace(/\{(\w+)\}/g, (_, n: string) => {
          const values = slots[n];
          if (!values?.length) throw new Error(`corpus template "${text}": no values for slot {${n}}`);
          return values[(i * (depth * 2 + 1) + depth) % values.length]!;
        });
      }
      for (let r = 0; r < repeat; r++) out.push(sentence);
    }
  }
  return out;
}

/** Phone numbers as digit strings, deterministic: the clinic's own, plus a spread of others. */
function phoneNumbers(kb: KnowledgeBase): string[] {
  const out = [kb.clinic.phone.replace(/^\+1/, '').replace(/^\+/, '')];
  let x = 20240607;
  for (let i = 0; i < 12; i++) {
    let digits = '';
    for (let d = 0; d < 10; d++) {
      x = (x * 1103515245 + 12345) % 2147483648; // small LCG: reproducible spread of digits
      digits += String(Math.floor((x / 2147483648) * 10));
    }
    out.push(digits);
  }
  return out;
}

/** "6195550142" → "six one nine five five five zero one four two" and the "oh" variant people also say. */
function spokenPhone(digits: string): string[] {
  const plain = digitsToWords(digits);
  return [plain, plain.replace(/\bzero\b/g, 'oh')];
}

/** The slots that become word classes with `classes: true`. */
export const CLASS_SLOTS = ['first', 'last', 'ordinal', 'service'] as const;
export type ClassSlot = (typeof CLASS_SLOTS)[number];

function uniqueServices(kb: KnowledgeBase): string[] {
  return [...new Set(kb.services.flatMap((s) => [s.name, ...s.aliases]).map((a) => normalizeSentence(a)))].filter(
    Boolean,
  );
}

/**
 * The members of each class slot: names, days of the month ("twenty_second") and the clinic's
 * services and their aliases ("tummy_tuck"), several words joined by '_' into one compound token.
 */
export function callerClasses(kb: KnowledgeBase): Record<ClassSlot, string[]> {
  const compound = (xs: readonly string[]) => [...new Set(xs.map((x) => x.replace(/ /g, '_')))];
  return {
    first: compound(FIRST_NAMES),
    last: compound(LAST_NAMES),
    ordinal: compound(ORDINALS),
    service: compound(uniqueServices(kb)),
  };
}

/** Normalises a sentence but keeps its class tokens ("[first]") as they are. */
function normalizeKeepingClasses(s: string): string {
  return s
    .split(/(\[\w+\])/)
    .map((part, i) => (i % 2 === 1 ? part : normalizeSentence(part)))
    .filter(Boolean)
    .join(' ');
}

/**
 * The caller-side sentences, lowercase words separated by single spaces. Deterministic for a given KB.
 * With `classes: true`, names, days of the month and services are class tokens ("[first]",
 * "[ordinal]", "[service]"; members from callerClasses), each slot still filled as many times.
 */
export function callerSentences(kb: KnowledgeBase, opts: { classes?: boolean } = {}): string[] {
  const services = uniqueServices(kb);
  const asClass = (name: ClassSlot, values: readonly string[]) =>
    opts.classes ? values.map(() => `[${name}]`) : values;
  const days = [...DAYS];
  const times = spokenTimes();
  const ordinals = asClass('ordinal', ORDINALS);
  const slots: Record<string, readonly string[]> = {
    service: asClass('service', services),
    day: days,
    dayish: [...days, ...days.map((d) => `next ${d}`), ...days.map((d) => `this ${d}`), 'today', 'tomorrow'],
    when: [
      ...days.map((d) => `on ${d}`),
      ...RELATIVE_DAYS,
      ...DAY_PARTS.map((p) => `${days[0]} ${p}`),
      ...days.map((d, i) => `${d} ${DAY_PARTS[i % 3]}`),
    ],
    time: times,
    part: DAY_PARTS,
    date: MONTHS.map((m, i) => `${m} ${ordinals[(i * 7) % ordinals.length]}`),
    ordinal: ordinals,
    first: asClass('first', FIRST_NAMES),
    last: asClass('last', LAST_NAMES),
    phone: phoneNumbers(kb).flatMap(spokenPhone),
    keyword: [...kb.policies, ...kb.faq]
      .flatMap((a) => [...a.keywords, ...(a.topic ? [a.topic] : [])])
      .map((k) => k.toLowerCase()),
    price: kb.services.map((s) => priceRangeToWords(s.price.min, s.price.max)),
    amount: kb.services.flatMap((s) => [s.price.min, s.price.max]).map((n) => `${numberToWords(n)} dollars`),
    day2: [...days.slice(2), ...days.slice(0, 2)],
    time2: [...times.slice(9), ...times.slice(0, 9)],
    request: [
      'book an appointment',
      'make an appointment',
      'schedule a consultation',
      'cancel my appointment',
      'reschedule my appointment',
      'move my appointment',
      'ask about {service}',
      'ask about prices',
      'ask about your hours',
      'get a price for {service}',
    ],
    opener: [
      'i have a question about {service}',
      'how much is a {service}',
      'what are your hours',
      'are you open {dayish}',
      "i'd like to book an appointment",
      'i need to cancel my appointment',
      'where are you located',
      'do you take insurance',
    ],
    clause: [
      'you have anything {when}',
      'you do {service}',
      'you take insurance',
      'you offer financing',
      'you are open {dayish}',
      'i could come in {when}',
    ],
    question: [
      'your hours',
      'your address',
      'how much a {service} costs',
      'the price of {service}',
      'what time you open {dayish}',
      'where you are located',
      'about {service}',
    ],
  };

  const sentences = expand(
    [
      // hours
      { text: 'what are your opening hours', repeat: 3 },
      { text: 'what are your hours', repeat: 3 },
      'what are your business hours',
      'what are your office hours',
      'what are the opening hours',
      'what are your hours of operation',
      'when are you open',
      'when do you open',
      'when do you close',
      'what time do you open',
      'what time do you close',
      'are you open {dayish}',
      'are you open on {day}',
      'what time do you open on {day}',
      'what time do you close on {day}',
      'how late are you open on {day}',
      'what are your hours on {day}',
      'what time do you close {dayish}',
      'are you open on the weekend',
      'are you open on weekends',
      'are you open right now',
      'are you closed on {day}',
      'what time do you open {dayish}',
      'is the clinic open {dayish}',
      'how early do you open',
      // location
      { text: "what's your address", repeat: 2 },
      'what is your address',
      'what is the address',
      'where are you located',
      'where is the clinic',
      'where is your office',
      'how do i get there',
      'how do i find you',
      'can you give me directions',
      'what street are you on',
      'what city are you in',
      "what's the zip code",
      'is there parking',
      'where do i park',
      'do you have parking',
      'is parking free',
      `are you on ${kb.clinic.address.street
        .toLowerCase()
        .replace(/,.*$/, '')
        .replace(/^\d+\s*/, '')}`,
      `are you in ${kb.clinic.address.city.toLowerCase()}`,
      `is that in ${kb.clinic.address.city.toLowerCase()}`,
      "what's your phone number",
      'what is your phone number',
      'can i call you back on this number',
      // services and prices
      'how much is a {service}',
      'how much is {service}',
      'how much does a {service} cost',
      'how much does {service} cost',
      'what is the price of a {service}',
      'what is the price for {service}',
      'what does a {service} cost',
      'how much for {service}',
      'what do you charge for {service}',
      "what's the cost of a {service}",
      'how much would a {service} be',
      "i'm interested in a {service}",
      "i'm interested in {service}",
      'i want to get a {service}',
      "i'd like to get {service}",
      'do you do {service}',
      'do you offer {service}',
      'do you do a {service}',
      'tell me about {service}',
      'what is a {service}',
      'what does a {service} involve',
      'what is the recovery time for a {service}',
      'how long is the recovery for {service}',
      'how long does it take to recover from a {service}',
      'is there any downtime with {service}',
      'what about {service}',
      'and {service}',
      'how much is it',
      'how much does it cost',
      'what are your prices',
      'is it expensive',
      'do you have any specials',
      'what services do you offer',
      'what procedures do you do',
      'what do you offer',
      'is that {price}',
      'did you say {amount}',
      'so about {amount}',
      '{service}',
      'a {service}',
      // policies and FAQ
      'do you take insurance',
      'is it covered by insurance',
      'does insurance cover it',
      'do you accept insurance',
      'do you offer financing',
      'can i pay monthly',
      'do you have a payment plan',
      'do you take credit cards',
      'what is your cancellation policy',
      'is there a cancellation fee',
      'what if i need to cancel',
      'who does the surgery',
      'are your surgeons board certified',
      'who are the doctors',
      'how old do i have to be',
      'is there a minimum age',
      'how do i get started',
      'do i need a consultation first',
      'what is the first step',
      'i have a question about {keyword}',
      'what about {keyword}',
      'tell me about {keyword}',
      // booking
      { text: "i'd like to book an appointment", repeat: 3 },
      { text: 'i want to make an appointment', repeat: 2 },
      "i'd like to book an appointment {when}",
      "i'd like to book an appointment on {day}",
      "i'd like to book an appointment on {day} at {time}",
      'i want to make an appointment for {day}',
      'can i book a consultation',
      'can i book a consultation for {day}',
      'i would like to schedule a consultation',
      'can i schedule a consultation {when}',
      'i want to book a {service}',
      "i'd like to book a consultation for a {service}",
      'do you have anything {when}',
      'do you have anything on {day} {part}',
      'do you have any openings {when}',
      'is {time} available',
      'is {day} at {time} available',
      'can i come in {when}',
      'can i come in at {time}',
      'how about {time}',
      'how about {day} at {time}',
      '{day} at {time}',
      'at {time}',
      '{time}',
      '{day}',
      'on {day}',
      '{day} {part}',
      'in the {part}',
      '{dayish} in the {part}',
      'sometime {when}',
      'next {day}',
      'on {date}',
      '{date}',
      'on the {ordinal}',
      'the {ordinal}',
      '{day} the {ordinal}',
      '{date} at {time}',
      'i need to move my appointment',
      'i need to reschedule my appointment',
      'can i reschedule to {day}',
      'can i move my appointment to {day} at {time}',
      'i need to change my appointment',
      'i need to cancel my appointment',
      'i want to cancel my appointment on {day}',
      'please cancel my appointment',
      'i have an appointment on {day}',
      'i have an appointment on {day} at {time}',
      'anything earlier',
      'anything later',
      'is there something earlier',
      'what times do you have',
      'what is the earliest you have',
      'that time works',
      "that doesn't work for me",
      // names and numbers
      'my name is {first} {last}',
      'my name is {first}',
      'this is {first} {last}',
      'this is {first}',
      "it's {first} {last}",
      '{first} {last}',
      '{first}',
      'my first name is {first}',
      'my last name is {last}',
      'last name {last}',
      'my number is {phone}',
      'my phone number is {phone}',
      "it's {phone}",
      '{phone}',
      'you can reach me at {phone}',
      'call me back at {phone}',
      'can someone call me back',
      'can i speak to a person',
      'can i talk to someone',
      'can i speak to the doctor',
      'transfer me to the front desk',
      // the same requests in looser, chattier phrasing
      'hi {opener}',
      'hello {opener}',
      'yes {opener}',
      'um {opener}',
      'so {opener}',
      'okay {opener}',
      '{opener}',
      "i'm calling to {request}",
      'i was wondering if {clause}',
      'could you tell me {question}',
      'can you tell me {question}',
      'do you know {question}',
      'i wanted to ask {question}',
      'could i {request}',
      'would it be possible to {request}',
      'do you guys do {service}',
      'do you guys offer {service}',
      'what time do you guys open',
      'what time do you guys close',
      'where are you guys located',
      'are you guys open {dayish}',
      'around {time}',
      'at around {time}',
      'maybe around {time}',
      'sometime around {time}',
      '{day} or {day2}',
      '{time} or {time2}',
      'either {day} or {day2}',
      'are you open on {day}s',
      'do you have any appointments {when}',
      'are there any appointments available {when}',
      'what appointments do you have {when}',
      'see you then',
      'see you on {day}',
      'see you {dayish}',
      'talk to you later',
      'will it hurt',
      'how long will it take',
      'how long will the recovery be',
      'when will i be able to go back to work',
      'how much time off work will i need',
      'will there be any bruising or swelling',
      'how long does it take to heal',
      'what should i bring',
      'when should i arrive',
      'should i come in for a consultation first',
      'do you take cash or credit cards',
      'can i pay with a credit card or financing',
      'who would be my surgeon',
      'which doctor will i see',
      "i'm calling about {service}",
      "i'm interested in getting {service}",
      'what is the cost for {service}',
      'how much do you charge for a {service}',
      'what would a {service} cost',
      'is {service} painful',
      // short answers and social
      { text: 'yes', repeat: 4 },
      { text: 'no', repeat: 4 },
      { text: 'yeah', repeat: 2 },
      'yes please',
      'no thank you',
      'no thanks',
      'sure',
      'okay',
      'ok',
      'yep',
      'nope',
      'correct',
      "that's right",
      "that's correct",
      'that works',
      "that's fine",
      'sounds good',
      'perfect',
      'great',
      'alright',
      'of course',
      'not really',
      "i'm not sure",
      'maybe',
      'let me think',
      { text: 'thank you', repeat: 3 },
      { text: 'thanks', repeat: 2 },
      'thank you so much',
      'thanks a lot',
      'thank you very much',
      { text: 'goodbye', repeat: 2 },
      'bye',
      'bye bye',
      'thank you goodbye',
      'thanks bye',
      'have a nice day',
      'have a good day',
      "that's all",
      "that's it",
      "that's all i needed",
      'nothing else',
      'hello',
      'hi',
      'hi there',
      'hey',
      'good morning',
      'good afternoon',
      'how are you',
      'can you hear me',
      'sorry what was that',
      'can you repeat that',
      'say that again',
      'i have a question',
      'i have a few questions',
      'i was wondering',
      'who am i speaking with',
      'are you a robot',
      'are you a real person',
      'what was the price again',
      'one more question',
      'hold on',
      'one second',
      'wait',
    ],
    slots,
  );
  return sentences.map(opts.classes ? normalizeKeepingClasses : normalizeSentence).filter((s) => s.length > 0);
}

/** Lowercase words separated by single spaces; apostrophes kept ("i'd" is a dictionary word), digits spelled out. */
export function normalizeSentence(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/\d+/g, (n) => ` ${n.length > 4 ? digitsToWords(n) : numberToWords(Number(n))} `)
    .replace(/[^a-z' ]+/g, ' ')
    .replace(/(^|\s)'+|'+(?=\s|$)/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** Sentences split into words, ready for the n-gram trainer. */
export function tokenizeCorpus(sentences: readonly string[]): string[][] {
  return sentences.map((s) => s.split(' '));
}
