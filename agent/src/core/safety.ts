/**
 * The output side of prompt-injection safety: whatever a caller talked the model into, a reply
 * that recites her instructions or talks about them is not spoken. A sentence leaks when most of
 * its words come in runs found in the rules part of the prompt; phrases she says in normal
 * answers (her fixed lines) are not counted, so "I can have the front desk call you back" passes.
 * Pure.
 */
import { ASK } from './receptionist/booking-flow.ts';
import { LINES } from './receptionist/speak.ts';
import { normalize } from './receptionist/text-match.ts';

/** words per run compared */
const RUN = 4;
/** share of a sentence's words inside rule runs that makes it a recital */
const COVERAGE = 0.75;

const META =
  /\b(system prompt|my (?:instructions|rules|prompt)|i (?:was|am|have been) (?:told|instructed|programmed) to|developer mode|as an ai language model|jailbreak)\b/i;

function runsOf(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + RUN <= words.length; i++) out.push(words.slice(i, i + RUN).join(' '));
  return out;
}

const wordsOf = (text: string) => normalize(text).split(' ').filter(Boolean);

/** A predicate: true for a sentence that leaks or discusses her instructions. */
export function instructionLeakGuard(rules: readonly string[]): (sentence: string) => boolean {
  const everyday = new Set(
    [
      ...Object.values(LINES),
      ...Object.values(ASK),
      'offer a callback from the front desk',
      'call you back from the front desk',
    ].flatMap((l) => runsOf(wordsOf(l))),
  );
  const known = new Set(rules.flatMap((r) => runsOf(wordsOf(r))).filter((r) => !everyday.has(r)));
  return (sentence) => {
    if (META.test(sentence)) return true;
    const w = wordsOf(sentence);
    if (w.length < RUN) return false;
    const covered = new Array<boolean>(w.length).fill(false);
    runsOf(w).forEach((r, i) => {
      if (known.has(r)) for (let k = i; k < i + RUN; k++) covered[k] = true;
    });
    return covered.filter(Boolean).length / w.length >= COVERAGE;
  };
}
