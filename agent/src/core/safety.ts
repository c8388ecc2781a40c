/**
 * The output side of prompt-injection safety: whatever a caller talked the model into, a reply
 * that repeats her instructions or talks about them is not spoken. Instructions are compared by
 * overlapping word runs, so a correct answer that shares a fact with the prompt still passes.
 * Pure.
 */
import { normalize } from './receptionist/text-match.ts';

/** word runs this long shared with the rules mean they are being recited */
const RUN = 6;

const META = /\b(system prompt|my (?:instructions|rules|prompt)|i (?:was|am|have been) (?:told|instructed|programmed) to|developer mode|as an ai language model|jailbreak)\b/i;

function runs(text: string): Set<string> {
  const w = normalize(text).split(' ').filter(Boolean);
  const out = new Set<string>();
  for (let i = 0; i + RUN <= w.length; i++) out.add(w.slice(i, i + RUN).join(' '));
  return out;
}

/** A predicate: true for a sentence that leaks or discusses her instructions. */
export function instructionLeakGuard(rules: readonly string[]): (sentence: string) => boolean {
  const known = runs(rules.join(' '));
  return (sentence) => {
    if (META.test(sentence)) return true;
    for (const r of runs(sentence)) if (known.has(r)) return true;
    return false;
  };
}

export const SAFE_DEFLECTION = "I can only help with questions about the clinic.";
