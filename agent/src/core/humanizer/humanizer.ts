/**
 * The humanizer: every reply passes through here on its way to the voice, as whole text or as
 * streamed chunks. It applies the customer's rules for Aura-2 — numbers as words, contractions,
 * clean punctuation, sentences of at most twelve words, two to four sentences and under two
 * hundred words a reply, the caller's name once known, fillers rare — without changing what is
 * said. Pure: state lives in a ReplyHumanizer, one per reply.
 */
import { addressCaller, removeName, splitOpener } from './direct-address.ts';
import { contract } from './contractions.ts';
import { limitFillers, removeHesitations } from './fillers.ts';
import { expandAbbreviations, fixSpacing, stripMarkup } from './punctuation.ts';
import { countWords, isInterjection, scanSentences, shortenSentence, splitSentences } from './sentences.ts';
import { speakNumbers } from './spoken-numbers.ts';

export const MAX_SENTENCES = 4;
export const MAX_WORDS = 199;
/** words without a sentence end after which the text so far is spoken anyway */
const RUNAWAY_WORDS = 30;

export interface HumanizeOptions {
  /**
   * 'answer' (a reply to the caller) follows every rule; 'line' (a prompt, goodbye or apology she
   * says by herself) is cleaned and shortened but not padded or addressed.
   */
  kind?: 'answer' | 'line';
  /** the caller's first name, when she should use it in this reply */
  callerName?: string;
  /** the caller gave their name in the turn being answered */
  nameJustGiven?: boolean;
  /** the caller's name, used too recently to say again: a model's "Sure, Sarah!" loses the name */
  suppressName?: string;
  /** said when an answer would otherwise be a single statement */
  followUp?: string;
  /** short acknowledgements that can open a reply that starts with a question; rotated by `seed` */
  acknowledgements?: readonly string[];
  /** picks the acknowledgement (the turn number), so replies don't all open alike */
  seed?: number;
  /** true for a sentence that must not be spoken (core/safety.ts: a leak of her instructions) */
  guard?: (sentence: string) => boolean;
  /** said once in place of guarded sentences */
  deflection?: string;
}

const DEFAULT_FOLLOW_UP = 'Anything else I can help with?';
const DEFAULT_ACKS = ['Sure.', 'Okay.', 'Alright.'] as const;

/** Sentence-level clean-up that needs no context: the order matters (markup before numbers). */
export function normalizeSentenceText(text: string): string {
  let t = stripMarkup(text);
  t = expandAbbreviations(t);
  t = removeHesitations(t);
  t = speakNumbers(t);
  t = contract(t);
  return fixSpacing(t);
}

function capitalizeFirst(s: string): string {
  const i = s.search(/[A-Za-z]/);
  return i < 0 ? s : s.slice(0, i) + s[i]!.toUpperCase() + s.slice(i + 1);
}

function ensureEnd(s: string): string {
  return /[.!?]["')]?$/.test(s) ? s : `${s.replace(/[,;:\s]+$/, '')}.`;
}

const isQuestion = (s: string): boolean => /\?["')]?$/.test(s);
const isFarewell = (s: string): boolean =>
  /\b(?:goodbye|bye|have a (?:great|good|nice|lovely) (?:day|one|evening|afternoon)|take care)\b/i.test(s);

/**
 * One reply, streamed: push() the chunks as they come (clauses or sentences), flush() at the end.
 * Each call returns the text ready for TTS, in whole sentences. A sentence is held until it ends
 * so it can be counted and cut; after three sentences the rest is held until the end so that a
 * closing question survives the four-sentence limit.
 */
export class ReplyHumanizer {
  readonly #o: Required<Omit<HumanizeOptions, 'callerName' | 'guard' | 'suppressName'>> & {
    callerName?: string;
    suppressName?: string;
    guard?: (s: string) => boolean;
  };
  #deflected = false;
  #buf = '';
  #emitted: string[] = [];
  /** whole source sentences (each maybe cut into pieces) held back after the first three */
  #held: string[][] = [];
  #words = 0;
  #fillers = 0;
  #addressed = false;
  #started = false;

  constructor(opts: HumanizeOptions = {}) {
    this.#o = {
      kind: opts.kind ?? 'answer',
      nameJustGiven: opts.nameJustGiven ?? false,
      followUp: opts.followUp ?? DEFAULT_FOLLOW_UP,
      acknowledgements: opts.acknowledgements ?? DEFAULT_ACKS,
      seed: opts.seed ?? 0,
      deflection: opts.deflection ?? 'I can only help with questions about the clinic.',
      ...(opts.callerName ? { callerName: opts.callerName } : {}),
      ...(opts.guard ? { guard: opts.guard } : {}),
      ...(opts.suppressName && !opts.callerName ? { suppressName: opts.suppressName } : {}),
    };
  }

  /** whether this reply addressed the caller by name */
  get usedName(): boolean {
    return this.#addressed;
  }

  /** everything emitted so far */
  get text(): string {
    return this.#emitted.join(' ');
  }

  push(chunk: string): string[] {
    this.#buf += chunk;
    const scanned = scanSentences(this.#buf);
    let complete = scanned.sentences;
    let rest = scanned.rest;
    // a model that never ends its sentence still gets heard: a runaway fragment is taken as it is
    if (countWords(rest) > RUNAWAY_WORDS) {
      complete = [...complete, rest.trim()];
      rest = '';
    }
    this.#buf = rest;
    return this.#take(complete);
  }

  flush(): string[] {
    const rest = this.#buf.trim();
    this.#buf = '';
    const out = rest ? this.#take([rest]) : [];
    // the held overflow: keep a closing question if there was one, else what fits in order
    if (this.#held.length > 0) {
      const question = [...this.#held].reverse().find((g) => isQuestion(g.at(-1)!));
      const order = question ? [question] : this.#held;
      for (const g of order) {
        // a question cut in two goes whole, or as its first part when that is a question itself
        if (g === question && this.#content() + g.length > MAX_SENTENCES) {
          if (isQuestion(g[0]!)) out.push(...this.#emit([g[0]!], true));
          continue;
        }
        out.push(...this.#emit(g, true));
      }
      this.#held = [];
    }
    if (this.#o.kind === 'answer' && this.#emitted.length === 1) {
      const only = this.#emitted[0]!;
      if (!isQuestion(only) && !isFarewell(only)) out.push(...this.#emit([this.#o.followUp], true));
    }
    return out;
  }

  #take(raw: string[]): string[] {
    const groups: string[][] = [];
    for (const r of raw) {
      if (this.#o.guard?.(r)) {
        // a sentence that must not be said is replaced, once, by a plain deflection
        if (!this.#deflected) groups.push([this.#o.deflection]);
        this.#deflected = true;
        continue;
      }
      const clean = normalizeSentenceText(r);
      if (!/[A-Za-z]/.test(clean)) continue;
      const limited = limitFillers(clean, this.#fillers < 1 ? 1 : 0);
      this.#fillers += limited.kept;
      if (!/[A-Za-z]/.test(limited.text)) continue;
      for (const s of splitSentences(limited.text)) {
        const sentence = ensureEnd(capitalizeFirst(s));
        // an answer's opener stands alone ("Sure. What day?"); her own lines are left as written
        for (const piece of this.#o.kind === 'answer' ? splitOpener(sentence) : [sentence])
          groups.push(shortenSentence(piece));
      }
    }
    if (groups.length === 0) return [];
    const hush = this.#o.suppressName;
    if (hush) for (const g of groups) for (let i = 0; i < g.length; i++) g[i] = removeName(g[i]!, hush);
    let scrubFrom = 0;
    if (!this.#started) {
      this.#started = true;
      const opened = this.#opening(groups[0]!);
      groups.splice(0, 1, ...opened);
      scrubFrom = opened.length;
    }
    if (this.#o.callerName) {
      // later sentences: a name already used is not repeated; a first use by the model counts
      const name = this.#o.callerName;
      const re = new RegExp(`\\b${name}\\b`, 'i');
      for (const g of groups.slice(scrubFrom)) {
        for (let i = 0; i < g.length; i++) {
          if (this.#addressed) g[i] = removeName(g[i]!, name);
          else if (re.test(g[i]!)) this.#addressed = true;
        }
      }
    }
    return groups.flatMap((g) => this.#emit(g));
  }

  /** The first sentence group of an answer, with the caller's name or an acknowledgement before a bare question. */
  #opening(first: string[]): string[][] {
    if (this.#o.kind !== 'answer') return [first];
    let out = first;
    if (this.#o.callerName) {
      const r = addressCaller(out, this.#o.callerName, this.#o.nameJustGiven);
      out = r.sentences;
      this.#addressed = r.usedName;
    }
    if (isQuestion(out[0]!)) {
      const acks = this.#o.acknowledgements;
      let ack = acks[Math.abs(this.#o.seed) % acks.length]!;
      if (this.#o.callerName && !this.#addressed) {
        const r = addressCaller([ack], this.#o.callerName, false);
        ack = r.sentences[0]!;
        this.#addressed = r.usedName;
      }
      out = [ack, ...out];
    }
    // interjections go out on their own so the held-back logic sees whole sentences
    const lead = out.filter((s, i) => i < out.length - 1 && isInterjection(s));
    return lead.length ? [...lead.map((s) => [s]), out.slice(lead.length)] : [out];
  }

  /** sentences with content; a bare "Absolutely, Sarah!" is an interjection and does not count */
  #content(): number {
    return this.#emitted.filter((s) => !isInterjection(s)).length;
  }

  /**
   * One source sentence's pieces: out now, held back (an answer
   * keeps its last slot for a closing question), or dropped.
   */
  #emit(group: string[], final = false): string[] {
    const out: string[] = [];
    for (let i = 0; i < group.length; i++) {
      const s = group[i]!;
      const interjection = isInterjection(s);
      if (!final && this.#o.kind === 'answer' && !interjection && this.#content() >= MAX_SENTENCES - 1) {
        this.#held.push(group.slice(i));
        break;
      }
      const n = countWords(s);
      if ((!interjection && this.#content() >= MAX_SENTENCES) || this.#words + n > MAX_WORDS) continue;
      this.#emitted.push(s);
      this.#words += n;
      out.push(s);
    }
    return out;
  }
}

/** A whole reply at once. */
export function humanize(text: string, opts: HumanizeOptions = {}): string {
  const h = new ReplyHumanizer(opts);
  return [...h.push(text), ...h.flush()].join(' ');
}
