/**
 * The customer's seven naturalness validations for one reply, plus "no invented facts" against
 * the knowledge base. Each check returns pass/fail with a reason. The rules are the humanizer's
 * own (agent/src/core/humanizer), read back from the text she would say:
 *
 * - short sentences: at most twelve words; a phone number read digit by digit counts as one word
 * - numbers as words: no digits, "$" or "%"
 * - contractions: no "we are", "do not"… where speech contracts
 * - punctuation spacing: no space before a mark, one after, no doubled marks
 * - response length: two to four sentences and under two hundred words; a bare acknowledgement
 *   ("Absolutely, Sarah!") opens a reply and is not counted among the four
 * - direct address: once the caller gave a name, the next reply uses it; never twice; set off by a comma
 * - filler frequency: no "um"/"uh", at most one soft filler ("well", "you know") per reply
 * - no invented facts: every price, time and day is in the knowledge base or a tool result,
 *   and no procedure the clinic doesn't offer is offered
 */
import {
  addressProblems,
  countWords,
  findFillers,
  spacingProblems,
  splitSentences,
  uncontracted,
} from '../agent/src/core/humanizer/index.ts';
import { isInterjection, spokenWordCount } from '../agent/src/core/humanizer/sentences.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { spokenNumbers, spokenTimes } from './spoken-values.ts';

export interface CheckResult {
  check: string;
  pass: boolean;
  detail: string;
}

export interface ReplyContext {
  kb: KnowledgeBase;
  /** the caller's first name, once given */
  callerName?: string;
  /** the caller gave the name in this very turn */
  nameJustGiven: boolean;
  /** ISO slot times and other facts the tools returned in this conversation so far */
  toolFacts: { times: Set<string>; numbers: Set<number> };
}

export const CHECK_NAMES = [
  'Short Sentences',
  'Numbers as Words',
  'Contractions',
  'Punctuation Spacing',
  'Response Length',
  'Direct Address',
  'Filler Frequency',
  'No Invented Facts',
] as const;

/** Procedures a cosmetic clinic might be asked about; offering one that isn't in the knowledge base is invented. */
const OTHER_PROCEDURES = [
  'hair transplant',
  'laser hair removal',
  'coolsculpting',
  'eyelid surgery',
  'blepharoplasty',
  'mommy makeover',
  'chemical peel',
  'microneedling',
  'hydrafacial',
  'breast reduction',
  'thread lift',
  'kybella',
  'tattoo removal',
  'lasik',
  'veneers',
  'teeth whitening',
];
const NEGATION = /\b(?:don't|do not|doesn't|isn't|not|no|can't|cannot|aren't|unfortunately|not sure)\b/i;

function kbNumbers(kb: KnowledgeBase): Set<number> {
  const n = new Set<number>();
  for (const s of kb.services) {
    n.add(s.price.min);
    n.add(s.price.max);
    for (const v of spokenNumbers(`${s.recovery} ${s.description}`)) n.add(v);
  }
  for (const a of [...kb.policies, ...kb.faq]) for (const v of spokenNumbers(a.answer)) n.add(v);
  for (const m of kb.clinic.address.street.matchAll(/\d+/g)) {
    const v = Number(m[0]);
    n.add(v);
    // "twelve hundred" is read back as 12 and 100 or 1200
    if (v >= 1000) {
      n.add(Math.floor(v / 100));
      n.add(v % 100);
    }
  }
  return n;
}

function kbTimes(kb: KnowledgeBase): Set<string> {
  const t = new Set<string>();
  for (const d of Object.values(kb.hours))
    if (d !== 'closed') {
      t.add(d.open);
      t.add(d.close);
    }
  return t;
}

export function checkReply(reply: string, ctx: ReplyContext): CheckResult[] {
  const sentences = splitSentences(reply);
  const results: CheckResult[] = [];
  const add = (check: string, pass: boolean, detail: string) => results.push({ check, pass, detail });

  const long = sentences.filter((s) => spokenWordCount(s) > 12);
  add(
    'Short Sentences',
    long.length === 0,
    long.length ? `over twelve words: "${long[0]}"` : 'all sentences twelve words or fewer',
  );

  const digits = reply.match(/[\d$%]+/g);
  add(
    'Numbers as Words',
    !digits,
    digits ? `digits or symbols left: ${digits.slice(0, 3).join(', ')}` : 'all numbers written as words',
  );

  const unc = uncontracted(reply);
  add('Contractions', unc.length === 0, unc.length ? `uncontracted: "${unc[0]}"` : 'natural contractions');

  const sp = spacingProblems(reply);
  add('Punctuation Spacing', sp.length === 0, sp.length ? sp.join('; ') : 'punctuation spacing correct');

  const content = sentences.filter((s) => !isInterjection(s)).length;
  const words = countWords(reply);
  const lengthOk = sentences.length >= 2 && content <= 4 && words < 200;
  add('Response Length', lengthOk, `${sentences.length} sentences (${content} with content), ${words} words`);

  let addressOk = true;
  let addressDetail = 'no name known';
  if (ctx.callerName) {
    const problems = addressProblems(reply, ctx.callerName);
    const used = new RegExp(`\\b${ctx.callerName}\\b`).test(reply);
    if (ctx.nameJustGiven && !used) problems.push(`did not use "${ctx.callerName}" right after it was given`);
    addressOk = problems.length === 0;
    addressDetail = problems.length
      ? problems.join('; ')
      : used
        ? `addressed ${ctx.callerName} correctly`
        : 'name not needed in this reply';
  }
  add('Direct Address', addressOk, addressDetail);

  const fillers = findFillers(reply);
  const hesitation = fillers.some((f) => /^(?:um+|uh+|uhm|erm?|hmm+|mm+)$/i.test(f));
  add(
    'Filler Frequency',
    fillers.length <= 1 && !hesitation,
    `${fillers.length} filler${fillers.length === 1 ? '' : 's'}`,
  );

  const allowedNumbers = new Set([...kbNumbers(ctx.kb), ...ctx.toolFacts.numbers]);
  const allowedTimes = new Set([...kbTimes(ctx.kb), ...ctx.toolFacts.times]);
  const invented: string[] = [];
  for (const v of spokenNumbers(reply, { skipTimes: true, skipDigitRuns: true })) {
    if (v > 4 && !allowedNumbers.has(v)) invented.push(String(v));
  }
  for (const t of spokenTimes(reply)) if (!allowedTimes.has(t)) invented.push(`time ${t}`);
  const lower = reply.toLowerCase();
  for (const p of OTHER_PROCEDURES) {
    if (!lower.includes(p)) continue;
    const sentence = sentences.find((s) => s.toLowerCase().includes(p)) ?? '';
    if (!NEGATION.test(sentence)) invented.push(`offers "${p}"`);
  }
  add(
    'No Invented Facts',
    invented.length === 0,
    invented.length ? `not in the knowledge base: ${invented.join(', ')}` : 'every fact is in the knowledge base',
  );
  return results;
}
