/**
 * What every benchmark run shares: the customer's provider budget (seeds/000) that the fakes are set
 * to, and the LLM's scripted answers to the caller script's questions.
 */
import { parseAgentConfig } from '../../agent/src/config.ts';
import type { RecordedRequest } from '../../test/fakes/groq/types.ts';

/**
 * STT final 150 ms after speech end (endpointing + finalisation), LLM first token 100 ms, TTS first
 * byte 100 ms. The endpointing is not the bench's: it is what the agent asks Deepgram for by default
 * (DEEPGRAM_ENDPOINTING_MS unset), as a clinic that only sets its keys runs her.
 */
export const BUDGET = {
  // the default only (dev mode lets the parse pass without secrets; nothing else is read)
  endpointingMs: parseAgentConfig({ VOXANNE_DEV: '1' }).DEEPGRAM_ENDPOINTING_MS,
  sttFinalMs: 50,
  llmFirstTokenMs: 100,
  ttsFirstByteMs: 100,
} as const;
export const PROVIDER_BUDGET_MS =
  BUDGET.endpointingMs + BUDGET.sttFinalMs + BUDGET.llmFirstTokenMs + BUDGET.ttsFirstByteMs;
/** tokens per second after the first (Groq's fast models stream far faster than she speaks) */
export const LLM_TOKENS_PER_SECOND = 700;

// short answers where nothing is measured past their first audio, so a run spends its time on questions
const REPLIES: [RegExp, string][] = [
  [/hours/i, "We're open Monday to Friday from eight a m to five p m, and Saturday mornings."],
  [
    /BBL/i,
    'Our Brazilian butt lift moves fat from the waist or thighs to shape the buttocks. ' +
      'It costs eight thousand to twelve thousand dollars, depending on your plan. ' +
      'Recovery takes about two weeks, and most people go back to desk work after ten days. ' +
      'Every procedure starts with a consultation with one of our board certified surgeons. ' +
      'Would you like the front desk to call you back about a consultation?',
  ],
  [/located/i, "We're on Harbor Boulevard in San Diego."],
  // the hesitant callers' questions (caller-script.ts HESITANT), answered in one short sentence
  [/number/i, 'Thank you, I have your number.'],
  [/new patients/i, 'Yes, we welcome new patients.'],
  [/botox|fillers|injections/i, 'Botox starts at three hundred dollars.'],
  [/thursday|saturday/i, 'Yes, we have openings then.'],
  [/cancel/i, "I'll let the front desk know."],
  [/laser/i, 'Laser hair removal starts at two hundred dollars.'],
  [/name is/i, 'Nice to meet you, Maria.'],
  [/insurance|cash/i, 'We take cash and cards.'],
  [/consultation|book/i, 'A consultation is free.'],
];

/** The Groq fake's responder: the scripted answer to the caller's last message. */
export function scriptedAnswer(req: RecordedRequest): { content: string } {
  const last = String(req.messages.at(-1)?.content ?? '');
  return {
    content: REPLIES.find(([re]) => re.test(last))?.[1] ?? "Sorry, I didn't catch that. Could you say it again?",
  };
}
