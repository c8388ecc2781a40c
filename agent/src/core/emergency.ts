/**
 * The emergency layer, before any model: a caller's turn that names a medical emergency ("chest
 * pain", "I can't breathe", the clinic's own words) is answered with one fixed line telling them to
 * hang up and dial the emergency number of the clinic's country, and never reaches the LLM, the
 * rules brain or a prefetch. Matching is literal on normalized words (no fuzzy matching: an
 * emergency line said to "chess pain" costs a sentence; a missed one is what this layer exists to
 * prevent, so the list errs towards more phrases, not looser ones). Pure.
 */
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { findPhrase, normalize, tokenize } from './receptionist/text-match.ts';

/** Said by callers in trouble; the clinic adds its own in the knowledge base (emergency.words). */
export const EMERGENCY_PHRASES = [
  'chest pain',
  'chest pains',
  'pain in my chest',
  'heart attack',
  'cant breathe',
  'can not breathe',
  'cannot breathe',
  'couldnt breathe',
  'not breathing',
  'trouble breathing',
  'struggling to breathe',
  'bleeding a lot',
  'bleeding heavily',
  'bleeding badly',
  'wont stop bleeding',
  'severe bleeding',
  'suicidal',
  'kill myself',
  'end my life',
  'want to die',
  'overdose',
  'overdosed',
  'unconscious',
  'passed out',
  'having a stroke',
  'seizure',
  'anaphylaxis',
  'throat is closing',
] as const;

/**
 * Emergency numbers by ISO 3166-1 country. Countries not listed get 112, the number every GSM phone
 * connects to emergency services with; a clinic whose number differs sets emergency.number.
 */
const NUMBERS: Readonly<Record<string, string>> = {
  US: '911',
  CA: '911',
  MX: '911',
  GB: '999',
  IE: '112',
  AU: '000',
  NZ: '111',
  IN: '112',
  JP: '119',
  ZA: '112',
};

const DIGIT_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] as const;

export interface EmergencyRule {
  /** the emergency phrase the words contain, or undefined */
  match(text: string): string | undefined;
  /** the one line she says to it, always the same */
  line: string;
  /** the number in the line, as digits ("911") */
  number: string;
  /** on a phone call, who to transfer to once she has said the line */
  onCall?: string;
}

export function emergencyNumber(kb: KnowledgeBase): string {
  return kb.emergency?.number ?? NUMBERS[kb.clinic.country ?? 'US'] ?? '112';
}

/** "911" → "nine one one": said digit by digit, as people say it (the humanizer would say "nine hundred eleven") */
export function digitsAsWords(digits: string): string {
  return [...digits].map((d) => DIGIT_WORDS[Number(d)] ?? d).join(' ');
}

export function emergencyLine(num: string): string {
  return `This sounds like an emergency. Please hang up now and dial ${digitsAsWords(num)}.`;
}

export function emergencyRule(kb: KnowledgeBase): EmergencyRule {
  const phrases = [...EMERGENCY_PHRASES, ...(kb.emergency?.words ?? []).map(normalize)].filter(Boolean);
  const num = emergencyNumber(kb);
  return {
    match(text) {
      const tokens = tokenize(text);
      if (tokens.length === 0) return undefined;
      return phrases.find((p) => findPhrase(tokens, p, false) !== undefined);
    },
    line: emergencyLine(num),
    number: num,
    ...(kb.emergency?.onCall ? { onCall: kb.emergency.onCall } : {}),
  };
}
