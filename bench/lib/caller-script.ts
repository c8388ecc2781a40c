/**
 * One benchmark call, as a caller would make it: wait for the greeting, ask a short question, ask
 * one with a long answer and talk over that answer, hear the reply to the interruption, then some
 * hesitant questions (pauses of 300–900 ms inside them), hang up.
 * Every figure is taken from the audio as the caller receives it (SimCaller), never from the agent.
 */
import type { SimCaller } from '../../test/support/sim-caller.ts';
import { AUDIBLE_RMS, concat, silence, spokenText, type SpokenText } from '../../test/support/speech.ts';
import type { BenchTranscriber } from './bench-transcriber.ts';

/**
 * What the script tells the STT fake before each utterance; `ready`, when there, is awaited first
 * (the load generator's callers take turns to bind their STT connection: load-routing.ts).
 */
export type ScriptTranscriber = Pick<BenchTranscriber, 'expect' | 'expectParts'> & { ready?(): Promise<void> };
import type { CallerMarks } from './timeline.ts';

/** Loudness (int16 RMS over 10 ms) above which a frame counts as speech, hers or the caller's. */
const AUDIBLE = AUDIBLE_RMS;
/** her audio counts as stopped once it stays quiet this long (longer than any pause between her sentences) */
const STOPPED_QUIET_MS = 600;

export interface HesitantFigures {
  text: string;
  /** she started speaking before the caller had finished */
  premature: boolean;
  /** end of the caller's last word → her first audio, when she waited for it */
  v2vMs?: number;
}

export interface CallFigures {
  greetingMs?: number;
  v2vMs: number[];
  bargeInMs: number[];
  hesitant?: HesitantFigures[];
  problems: string[];
  /** the caller's marks (epoch ms), to set beside the agent's log (timeline.ts) */
  marks?: CallerMarks;
}

export type Utterance = SpokenText;

export const utterance = (text: string, trailingSilenceMs: number): Promise<Utterance> =>
  spokenText(text, { trailingSilenceMs });

/** A question said with pauses: its parts (each fluent) and the silences between them. */
export interface Hesitant {
  text: string;
  pcm: Int16Array;
  /** each part's words and where its audible voice starts and ends in pcm (ms) */
  parts: { text: string; startMs: number; onsetMs: number; endMs: number }[];
}

export interface Script {
  question: Utterance;
  longQuestion: Utterance;
  interruption: Utterance;
  /** how much of her long answer the caller hears before talking over it */
  listenBeforeBargeInMs: number;
  /** call i of a run with k hesitant questions a call says hesitant[(k·i + j) mod n], j < k */
  hesitant: Hesitant[];
}

/**
 * What hesitant callers say: fillers, a list read out, phone numbers in groups, clauses left open
 * (on a preposition, an article, a possessive, "is"), pauses of 300–900 ms. Each part is fluent (no
 * pause inside longer than the STT's endpointing); the pause after it is silence of the given length
 * between the voice of one part and the next. Calls take them in turn (runCall), so a run of n
 * hesitant questions says each about n / 12 times.
 */
export const HESITANT: ReadonlyArray<ReadonlyArray<string | number>> = [
  ["I'd like to book um", 700, 'a consultation for next week.'],
  ['I want to know about botox and', 500, 'fillers and', 800, 'lip injections.'],
  ['My number is five five five', 600, 'one two three', 400, 'four five six seven.'],
  ['I was wondering if', 900, 'you take new patients?'],
  ['So uh', 300, 'how much is a consultation?'],
  ['Can I come in on', 600, 'Thursday afternoon?'],
  ['Um', 500, 'do you have anything on Saturday?'],
  ['I need to cancel my', 600, 'appointment on Friday.'],
  ['The best number to reach me is', 500, 'five five five', 300, 'two zero one', 400, 'nine eight seven six.'],
  ['I have a question about the', 800, 'uh', 500, 'laser hair removal.'],
  ['My name is', 700, 'Maria Lopez.'],
  ['Do you take um', 500, 'insurance or', 700, 'only cash?'],
];

/** quieter than this (int16 RMS over 10 ms; -38 dBFS, the STT fake's voicing threshold) is a gap */
const GAP_RMS = 413;
/** longest gap left inside a part: under the 100 ms endpointing, so a part is one transcript */
const MAX_GAP_MS = 80;

/**
 * flite pauses up to 140 ms between spoken digits ("five five five"), which a 100 ms endpointing ends
 * an utterance on; a caller reading a group says it in one breath. Gaps inside the voice are cut to
 * MAX_GAP_MS, so each part is fluent and only the scripted pauses are pauses.
 */
function fluent(u: SpokenText): SpokenText {
  const win = 480; // 10 ms at 48 kHz
  const keep: Int16Array[] = [];
  let quiet = 0;
  let voiced = false;
  for (let i = 0; i < u.pcm.length; i += win) {
    const w = u.pcm.subarray(i, Math.min(u.pcm.length, i + win));
    let sum = 0;
    for (const x of w) sum += x * x;
    const loud = Math.sqrt(sum / w.length) > GAP_RMS;
    quiet = loud ? 0 : quiet + 10;
    voiced ||= loud;
    if (!voiced || loud || quiet <= MAX_GAP_MS || i >= (u.endMs / 10) * win) keep.push(w);
  }
  const pcm = concat(...keep);
  const cut = (u.pcm.length - pcm.length) / 48;
  return { ...u, pcm, endMs: u.endMs - cut };
}

/** Says a hesitant question with the project's voice: one PCM, silences of exactly the pauses given. */
/** after a hesitant question: room for the STT's endpointing and her answer's start, then the next one */
const HESITANT_TRAILING_MS = 700;
/** her answer to a hesitant question is over once she is quiet this long (each is one short sentence) */
const HESITANT_QUIET_MS = 700;

export async function hesitant(
  spec: ReadonlyArray<string | number>,
  trailingSilenceMs = HESITANT_TRAILING_MS,
): Promise<Hesitant> {
  const pcms: Int16Array[] = [];
  const parts: Hesitant['parts'] = [];
  let atMs = 0;
  for (let i = 0; i < spec.length; i += 2) {
    const part = fluent(await spokenText(String(spec[i])));
    const pauseMs = i + 1 < spec.length ? Number(spec[i + 1]) : undefined;
    parts.push({ text: part.text, startMs: atMs, onsetMs: atMs + part.onsetMs, endMs: atMs + part.endMs });
    // from this part's last audible frame to the next part's first: exactly the pause
    const partMs = (part.pcm.length / 48000) * 1000;
    pcms.push(part.pcm);
    atMs += partMs;
    if (pauseMs === undefined) break;
    const next = fluent(await spokenText(String(spec[i + 2])));
    const gap = Math.max(0, pauseMs - (partMs - part.endMs) - next.onsetMs);
    pcms.push(silence(gap));
    atMs += gap;
  }
  pcms.push(silence(trailingSilenceMs));
  return { text: parts.map((p) => p.text).join(' '), pcm: concat(...pcms), parts };
}

export async function defaultScript(): Promise<Script> {
  // phrases whose internal pauses are all under the STT's 100 ms endpointing, so each is one utterance
  return {
    question: await utterance('What are your opening hours?', 1500),
    longQuestion: await utterance('Tell me about the BBL.', 0),
    interruption: await utterance('Where are you located?', 1500),
    listenBeforeBargeInMs: 1200,
    hesitant: await Promise.all(HESITANT.map((h) => hesitant(h))),
  };
}

/** Plays an utterance; returns when its first and last audible samples reached the caller's track. */
async function say(
  c: SimCaller,
  stt: ScriptTranscriber,
  u: Utterance,
  signal?: AbortSignal,
): Promise<{ onset: number; end: number }> {
  await stt.ready?.();
  stt.expect(u.text, u.onsetMs, u.endMs);
  const played = c.play(u.pcm, signal);
  const startMs = performance.now();
  await played;
  return { onset: startMs + u.onsetMs, end: startMs + u.endMs };
}

/**
 * Plays a hesitant question; the STT fake is told its words and where they end (a final at a pause
 * carries the words said so far). Returns when the first part's voice began and the last ended.
 */
async function sayHesitant(c: SimCaller, stt: ScriptTranscriber, h: Hesitant): Promise<{ onset: number; end: number }> {
  await stt.ready?.();
  stt.expectParts(h.parts);
  const startMs = performance.now();
  await c.play(h.pcm);
  return { onset: startMs + h.parts[0]!.onsetMs, end: startMs + h.parts.at(-1)!.endMs };
}

/**
 * One call. `index` is the call's number in its run and `hesitantPerCall` how many hesitant questions
 * each call of the run says: the run walks through the set in order, so over a run every one is said.
 * The figures go into `into` (when given) as they are taken, so a caller that catches a failure
 * part-way still has what was measured before it (the greeting she heard, the answers she gave).
 */
export async function runCall(
  c: SimCaller,
  stt: ScriptTranscriber,
  s: Script,
  index = 0,
  hesitantPerCall = 2,
  into?: CallFigures,
): Promise<CallFigures> {
  const epoch = (perfMs: number) => performance.timeOrigin + perfMs;
  const marks: CallerMarks = { joined: epoch(c.joinedAtMs), end: Infinity };
  const out: CallFigures = Object.assign(into ?? { v2vMs: [], bargeInMs: [], problems: [] }, {
    hesitant: [],
    marks,
  });
  // greeting: from joining the room to the first audible frame of her voice
  await c.waitFor(() => c.firstAudibleAfter(c.joinedAtMs, AUDIBLE) !== undefined, 15_000, 'the greeting');
  out.greetingMs = c.firstAudibleAfter(c.joinedAtMs, AUDIBLE)! - c.joinedAtMs;
  marks.greetingHeard = epoch(c.firstAudibleAfter(c.joinedAtMs, AUDIBLE)!);
  if (c.heard[0]) marks.firstFrame = epoch(c.heard[0].atMs);
  await c.waitQuiet(800, 30_000);

  // a short question: end of the caller's speech → first audible frame of her answer
  const q = await say(c, stt, s.question);
  await c.waitFor(() => c.firstAudibleAfter(q.end, AUDIBLE) !== undefined, 15_000, 'an answer');
  out.v2vMs.push(c.firstAudibleAfter(q.end, AUDIBLE)! - q.end);
  await c.waitQuiet(1000, 30_000);

  // a question with a long answer, talked over once she is well into it
  const lq = await say(c, stt, s.longQuestion);
  await c.waitFor(() => c.firstAudibleAfter(lq.end, AUDIBLE) !== undefined, 15_000, 'the long answer');
  const answerAt = c.firstAudibleAfter(lq.end, AUDIBLE)!;
  out.v2vMs.push(answerAt - lq.end);
  await c.waitFor(
    () => c.audibleMs(answerAt, AUDIBLE) >= s.listenBeforeBargeInMs,
    15_000,
    'her long answer to be heard',
  );

  const bi = await say(c, stt, s.interruption);
  const stopped = c.silentFrom(bi.onset, STOPPED_QUIET_MS, AUDIBLE);
  marks.bargeInOnset = epoch(bi.onset);
  if (stopped !== undefined) marks.bargeInStopped = epoch(stopped);
  if (stopped === undefined) {
    out.problems.push('she did not stop when talked over');
  } else {
    out.bargeInMs.push(Math.max(0, stopped - bi.onset));
    if (stopped < bi.end) {
      await c.waitFor(
        () => c.firstAudibleAfter(bi.end, AUDIBLE) !== undefined,
        15_000,
        'the answer to the interruption',
      );
      out.v2vMs.push(c.firstAudibleAfter(bi.end, AUDIBLE)! - bi.end);
    } else out.problems.push('she was still talking when the caller finished the interruption');
  }
  await c.waitQuiet(1000, 30_000);

  // hesitant questions: did she start before the caller had finished, and how fast after the end
  for (let j = 0; j < hesitantPerCall; j++) {
    const h = s.hesitant[(hesitantPerCall * index + j) % s.hesitant.length]!;
    const said = await sayHesitant(c, stt, h);
    const first = c.firstAudibleAfter(said.onset, AUDIBLE);
    const premature = first !== undefined && first < said.end;
    await c.waitFor(
      () => c.firstAudibleAfter(said.end, AUDIBLE) !== undefined,
      15_000,
      'the answer to a hesitant question',
    );
    out.hesitant!.push({
      text: h.text,
      premature,
      ...(premature ? {} : { v2vMs: c.firstAudibleAfter(said.end, AUDIBLE)! - said.end }),
    });
    await c.waitQuiet(HESITANT_QUIET_MS, 30_000);
  }
  marks.end = epoch(performance.now());
  return out;
}
