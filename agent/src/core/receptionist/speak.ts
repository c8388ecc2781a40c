/**
 * Sentences she says, built only from knowledge-base fields, written for a TTS engine: numbers as
 * words, contractions, short sentences. Fixed lines that later turns recognise (the callback
 * question) are exported so understanding and speaking cannot drift apart.
 */
import type { KnowledgeBase, Service } from '@voxanne/contracts/knowledge-base';
import {
  houseNumberToWords,
  digitsToWords,
  numberToWords,
  phoneNumberToWords,
  priceRangeToWords,
} from '../text/number-words.ts';
import { DESCRIPTION_VERBS } from './cues.ts';
import { joinAnd } from './hours.ts';

export const LINES = {
  callbackQuestion: 'Would you like the front desk to call you back?',
  detailsQuestion: "What's your name and the best number to reach you?",
  anythingElse: 'Anything else I can help with?',
  /** the booking system cannot be reached (issue 17): a message instead of a booking */
  takeMessage:
    "I'm sorry, I can't reach our booking system just now. I'll take a message and the front desk will call you back.",
  callAgainLater: 'Please call us again a little later.',
  unclear: "Sorry, I didn't catch that. Could you say it again?",
  clarifyService: 'Sure. Which procedure are you asking about?',
  ack: 'Okay. What can I help you with?',
} as const;

export function capitalize(s: string): string {
  return s ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** Free KB text made speakable: digits become words, semicolons become sentence breaks. */
export function speakable(text: string): string {
  const spelled = text.replace(/\d+/g, (d) => numberToWords(Number(d)));
  return spelled
    .split(/\s*;\s*/)
    .map((part) => capitalize(part.trim()))
    .join('. ')
    .replace(/([^.!?])$/, '$1.');
}

function isPlural(name: string): boolean {
  const last = name.split(' ').at(-1)!;
  return last.endsWith('s') && !last.endsWith('ss');
}

/**
 * The service name with the article English wants: "a facelift", "a tummy tuck", but
 * "liposuction", "rhinoplasty", "dermal fillers", "Botox". A heuristic on the name's shape,
 * because the knowledge base stores bare names.
 */
export function serviceNoun(s: Service): string {
  const words = s.name.split(' ');
  const last = words.at(-1)!.toLowerCase();
  const properNoun = words.length === 1 && /^[A-Z]/.test(s.name);
  const countNounAtion = words.length === 1 && last.endsWith('ation'); // "a consultation"
  const mass = /(plasty|suction|tion|sion|ment|ing|ery)$/.test(last) && !countNounAtion;
  if (properNoun || mass || isPlural(s.name)) return s.name;
  return `${/^[aeiou]/i.test(s.name) ? 'an' : 'a'} ${s.name}`;
}

/** "priced per area" in a description becomes ", per area" after a price. */
function priceUnit(s: Service): string {
  const m = /priced per ([a-z ]+?)(?:[;,.]|$)/i.exec(s.description);
  return m ? `, per ${m[1]!.trim()}` : '';
}

export function describeService(s: Service): string {
  const noun = capitalize(serviceNoun(s));
  const desc = s.description.replace(/,?\s*priced per [a-z ]+?(?=[;,.]|$)/i, '').trim();
  const first = desc.split(' ')[0]!.toLowerCase();
  const early = desc.split(' ').slice(0, 4);
  if (DESCRIPTION_VERBS.has(first)) return speakable(`${noun} ${desc}`);
  if (early.includes('is') || early.includes('are')) return speakable(`In ${serviceNoun(s)}, ${desc}`);
  return speakable(`${noun} ${isPlural(s.name) ? 'involve' : 'involves'} ${desc}`);
}

export function servicePrice(s: Service): string {
  const verb = isPlural(s.name) ? 'cost' : 'costs';
  return `${capitalize(serviceNoun(s))} ${verb} ${priceRangeToWords(s.price.min, s.price.max)}${priceUnit(s)}.`;
}

export function serviceRecovery(s: Service): string {
  const r = s.recovery.trim();
  if (/^none$/i.test(r)) return `There's no recovery time with ${serviceNoun(s)}.`;
  if (/^no\b/i.test(r)) return speakable(`There's ${r} with ${serviceNoun(s)}`);
  return speakable(`Recovery from ${serviceNoun(s)} is ${r}`);
}

/** The services in sentences of at most twelve words: "We offer a, b, and c. We also offer d and e." */
export function listServices(kb: KnowledgeBase): string {
  const groups: string[][] = [[]];
  const words = (names: string[], lead: string) => `${lead} ${joinAnd(names)}.`.split(' ').length;
  for (const s of kb.services) {
    const g = groups.at(-1)!;
    const lead = groups.length === 1 ? 'We offer' : 'We also offer';
    if (g.length > 0 && words([...g, s.name], lead) > 12) groups.push([s.name]);
    else g.push(s.name);
  }
  const sentences = groups.map((g, i) => `${i === 0 ? 'We offer' : 'We also offer'} ${joinAnd(g)}.`);
  return `${sentences.join(' ')} Which would you like to know more about?`;
}

/** "1200 Harbor Boulevard, Suite 300" → "twelve hundred Harbor Boulevard, Suite three hundred". */
export function streetForSpeech(street: string): string {
  return street.replace(/^\d+/, (d) => houseNumberToWords(Number(d))).replace(/\d+/g, (d) => numberToWords(Number(d)));
}

export function addressLine(kb: KnowledgeBase): string {
  const a = kb.clinic.address;
  return `We're at ${streetForSpeech(a.street)}, in ${a.city}.`;
}

export function postcodeLine(kb: KnowledgeBase): string {
  const code = kb.clinic.address.postcode;
  const spoken = /^\d+$/.test(code) ? digitsToWords(code) : code;
  return `Our zip code is ${spoken}.`;
}

export function phoneLine(kb: KnowledgeBase): string {
  return `Our number is ${phoneNumberToWords(kb.clinic.phone)}.`;
}
