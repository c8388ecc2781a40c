/**
 * The caller's timing sweep on a whole stack (issue 10): the caller starts talking at a chosen offset
 * around the end of her greeting, and again around the end of her answer, and we time how long she
 * takes to answer. Shared by test/timing-sweep.test.ts and the bench's `sweep`.
 *
 * Where her utterance ends is predicted from what the caller actually receives: calibration calls
 * first measure, for the greeting and the first answer, how long after her SPEAKING state message the
 * last audible frame of it arrives; in a sweep call the end is then that utterance's SPEAKING message
 * plus that length. (Not her first audible frame: the caller's subscription to her track can come up
 * after she has started the greeting, so its first frames may never arrive.) Both utterances are fixed
 * audio (same text, same voice). A loaded machine can put a gap into
 * her audio (the job process late to feed its track), which only ever lengthens an utterance, so
 * the shortest of a few calibration calls is taken. Where the caller did not cut her short, her real
 * end is measured and reported next to the prediction.
 * Times are performance.now() milliseconds in this process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SimCaller } from './sim-caller.ts';
import { AUDIBLE_RMS, concat, silence, spokenText, type SpokenText } from './speech.ts';

/** the onsets of the issue, in ms relative to the end of her utterance (negative: she is still talking) */
export const SWEEP_OFFSETS_MS = [-1500, -800, -600, -450, -400, -300, -150, 0, 200] as const;
/** every offset must be answered within this long after the caller's last word (a behaviour bound) */
export const ANSWER_BOUND_MS = 3000;
/** how long we wait for an answer before calling it missing (long enough to measure a late one) */
const ANSWER_WAIT_MS = 15_000;
const GREETING_WAIT_MS = 40_000;
const AUDIBLE = AUDIBLE_RMS;
/** her utterance is over once she stays quiet this long (longer than her pauses between sentences) */
const END_QUIET_MS = 700;

export type Around = 'greeting' | 'answer';

export type SpokenLine = SpokenText;

export const spokenLine = (text: string): Promise<SpokenLine> => spokenText(text);

export interface SweepScript {
  /** asked around the end of her greeting */
  first: SpokenLine;
  /** asked around the end of her answer to `first` */
  second: SpokenLine;
  isFirstAnswer(text: string): boolean;
  isSecondAnswer(text: string): boolean;
}

/**
 * Questions the offline recogniser understands when flite says them (as in agent-robustness). The
 * first has the short answer: every call sits through it to its end, so it sets the sweep's cost.
 */
export async function sweepScript(): Promise<SweepScript> {
  return {
    // The answer swept around is the address: one sentence of about 4.7 s, so the onset 1500 ms before its end
    // lies well after the caller has heard it begin (and her first text of it), and every call sits through
    // it once. (The hours' answer, swept around until session 9, is 12.2 s: 7.5 s more per call, 11 calls.)
    // The hours are the second question: only the start of that answer is waited for.
    first: await spokenLine('Where are you located?'),
    second: await spokenLine('What are your opening hours?'),
    isFirstAnswer: (t) => /harbor/i.test(t),
    isSecondAnswer: (t) => /monday/i.test(t) && /eight/i.test(t),
  };
}

export interface Calibration {
  /** her greeting's SPEAKING state message → its last audible frame, at the caller */
  greetingMs: number;
  /** the same for her answer to the first question */
  answerMs: number;
  /** the first words she sent for that answer: a sweep call's answer must be the same to be predicted */
  answerStart: string;
}

/** Where one of her replies starts at the caller. */
interface Heard {
  /** arrival of the SPEAKING state message that began it */
  speakingAt: number;
  /** first audible frame of the reply */
  audioAt: number;
  /** the first transcript she sent for it (what she started to say: its first sentence) */
  firstText: string;
}

/** Her reply that begins after `afterMs`: the first SPEAKING state to arrive later, and its audio. */
async function replyAfter(c: SimCaller, afterMs: number, timeoutMs: number): Promise<Heard | undefined> {
  const speakingIdx = () =>
    c.messages.findIndex((m) => m.atMs >= afterMs && m.msg.type === 'state' && m.msg.state === 'SPEAKING');
  try {
    await c.waitFor(() => speakingIdx() >= 0, timeoutMs, 'her reply (SPEAKING)');
  } catch {
    return undefined;
  }
  const si = speakingIdx();
  // she went PROCESSING before any audio of this reply was written: its audio is the first audible frame after that
  let from = afterMs;
  for (let i = si; i >= 0; i--) {
    const m = c.messages[i]!;
    if (m.msg.type === 'state' && m.msg.state === 'PROCESSING') {
      from = Math.max(from, m.atMs);
      break;
    }
  }
  // Her live transcript of a sentence goes out as the sentence starts, before the SPEAKING state of its first
  // audio: the reply's first text is the first agent transcript of a new id (a new turn) after the caller's
  // last word. (After SPEAKING came only the next sentence's, which made the caller wait a whole sentence,
  // the address answer's whole 5 s, to know what she was saying.)
  const earlier = new Set(
    c.messages.flatMap((m) =>
      m.atMs < afterMs && m.msg.type === 'transcript' && m.msg.speaker === 'agent' ? [m.msg.id] : [],
    ),
  );
  const textAt = () =>
    c.messages.find(
      (m) => m.atMs >= afterMs && m.msg.type === 'transcript' && m.msg.speaker === 'agent' && !earlier.has(m.msg.id),
    );
  await c.waitFor(
    () => c.firstAudibleAfter(from, AUDIBLE) !== undefined && textAt() !== undefined,
    10_000,
    'the audio and text of her reply',
  );
  const t = textAt()!.msg;
  return {
    speakingAt: c.messages[si]!.atMs,
    audioAt: c.firstAudibleAfter(from, AUDIBLE)!,
    firstText: t.type === 'transcript' ? t.text : '',
  };
}

/** The greeting: its SPEAKING state message, once its audio is heard too. */
async function greetingStart(c: SimCaller): Promise<{ speakingAt: number; audioAt: number }> {
  const speaking = () => c.messages.find((m) => m.msg.type === 'state' && m.msg.state === 'SPEAKING');
  await c.waitFor(() => speaking() !== undefined, GREETING_WAIT_MS, 'her greeting (SPEAKING)');
  const speakingAt = speaking()!.atMs;
  await c.waitFor(() => c.firstAudibleAfter(c.joinedAtMs, AUDIBLE) !== undefined, GREETING_WAIT_MS, 'the greeting');
  return { speakingAt, audioAt: c.firstAudibleAfter(c.joinedAtMs, AUDIBLE)! };
}

/** Last audible frame (end of it) of her voice from `fromMs` on, once she has been quiet END_QUIET_MS. */
async function endOfVoice(c: SimCaller, fromMs: number, timeoutMs = 30_000): Promise<number> {
  await c.waitFor(
    () => c.silentFrom(fromMs, END_QUIET_MS, AUDIBLE) !== undefined,
    timeoutMs,
    'the end of her utterance',
  );
  return c.silentFrom(fromMs, END_QUIET_MS, AUDIBLE)!;
}

/**
 * The caller's microphone: `line` starting so its first audible sample leaves at `onsetAt`, then a bed
 * of silence (an open microphone; the recogniser needs it to find the end of the words) until stop().
 */
async function speakAt(
  c: SimCaller,
  line: SpokenLine,
  onsetAt: number,
): Promise<{ onsetAt: number; lastWordAt: number; stop(): Promise<void> }> {
  const wait = onsetAt - line.onsetMs - performance.now();
  if (wait > 0) await sleep(wait);
  const abort = new AbortController();
  const startAt = performance.now(); // play() hands the first frame over at once: its queue is empty
  const playing = c.play(concat(line.pcm, silence(60_000)), abort.signal);
  return {
    onsetAt: startAt + line.onsetMs,
    lastWordAt: startAt + line.endMs,
    stop: async () => {
      abort.abort();
      await playing;
    },
  };
}

/** two: a gap in her audio on a loaded machine lengthens one call's measure, rarely both */
export const CALIBRATION_CALLS = 2;

/**
 * The sweep's calibration: CALIBRATION_CALLS calls one after another, each from `join` and left
 * through `leave` whatever happens, combined into the calibration the onsets are placed by. `all`
 * holds each call's own measure, in order.
 */
export async function calibrateCalls(
  script: SweepScript,
  join: () => Promise<SimCaller>,
  leave: (c: SimCaller) => Promise<void>,
  each?: (k: Calibration, i: number) => void,
): Promise<{ all: Calibration[]; cal: Calibration }> {
  const all: Calibration[] = [];
  for (let i = 0; i < CALIBRATION_CALLS; i++) {
    const c = await join();
    try {
      all.push(await calibrate(c, script));
      each?.(all[i]!, i);
    } finally {
      await leave(c);
    }
  }
  return { all, cal: combineCalibrations(all) };
}

/** The calibration of several calls: the shortest length of each (a gap only ever adds to one). */
export function combineCalibrations(all: readonly Calibration[]): Calibration {
  if (all.length === 0) throw new Error('no calibration call');
  const starts = new Set(all.map((c) => c.answerStart));
  if (starts.size > 1) throw new Error(`calibration: her answer differed between calls: ${[...starts].join(' | ')}`);
  return {
    greetingMs: Math.min(...all.map((c) => c.greetingMs)),
    answerMs: Math.min(...all.map((c) => c.answerMs)),
    answerStart: all[0]!.answerStart,
  };
}

/**
 * The end of an utterance she was not interrupted in: its last audible frame, found after her state left
 * SPEAKING. A quiet run inside it (a busy machine late with the next sentence's audio: the address answer
 * was once measured as its first clause, 1.6 s) is not taken for its end.
 */
async function endOfUtterance(c: SimCaller, speakingAt: number, audioAt: number): Promise<number> {
  await c.waitFor(() => leftSpeakingAt(c, speakingAt) !== undefined, 30_000, 'her state to leave SPEAKING');
  return endOfVoice(c, voiceEndsAfter(c, speakingAt, audioAt)!);
}

/** when her state message left SPEAKING after the one at `speakingAt` (her end, or the caller cutting in) */
const leftSpeakingAt = (c: SimCaller, speakingAt: number): number | undefined =>
  c.messages.find((m) => m.atMs > speakingAt && m.msg.type === 'state' && m.msg.state !== 'SPEAKING')?.atMs;

/**
 * Where to look for the end of her voice: her audio and her state message travel apart, and the last of
 * her voice is at most 500 ms before the message. Undefined while she is still SPEAKING.
 */
function voiceEndsAfter(c: SimCaller, speakingAt: number, audioAt: number): number | undefined {
  const left = leftSpeakingAt(c, speakingAt);
  return left === undefined ? undefined : Math.max(audioAt, left - 500);
}

/** A calibration call: hears the greeting out, asks the first question after it, hears the answer out. */
export async function calibrate(c: SimCaller, s: SweepScript): Promise<Calibration> {
  const g = await greetingStart(c);
  const gEnd = await endOfUtterance(c, g.speakingAt, g.audioAt);
  const q = await speakAt(c, s.first, gEnd + 500);
  try {
    const a = await replyAfter(c, q.lastWordAt, ANSWER_WAIT_MS);
    if (!a) throw new Error('calibration: no answer to the first question');
    if (!s.isFirstAnswer(a.firstText)) throw new Error(`calibration: unexpected answer "${a.firstText}"`);
    const aEnd = await endOfUtterance(c, a.speakingAt, a.audioAt);
    return { greetingMs: gEnd - g.speakingAt, answerMs: aEnd - a.speakingAt, answerStart: a.firstText };
  } finally {
    await q.stop();
  }
}

export interface OnsetResult {
  around: Around;
  /** the offset asked for */
  offsetMs: number;
  /** where her utterance was predicted to end at the caller */
  predictedEndAt: number;
  /** where her voice stopped at the caller: her own end, or where the caller's words cut her short */
  voiceStoppedAt?: number;
  onsetAt: number;
  lastWordAt: number;
  /** caller's last word → her answer's first audio at the caller; undefined: no answer came */
  answerMs?: number;
  answerText?: string;
  problem?: string;
}

/**
 * One call at one offset: the caller's first question around the
 * end of the greeting, the second around the end of the answer.
 */
export async function sweepCall(
  c: SimCaller,
  s: SweepScript,
  cal: Calibration,
  offsetMs: number,
): Promise<OnsetResult[]> {
  const out: OnsetResult[] = [];
  const g = await greetingStart(c);
  const first = await onsetAround(
    c,
    'greeting',
    g.speakingAt,
    g.audioAt,
    cal.greetingMs,
    offsetMs,
    s.first,
    s.isFirstAnswer,
  );
  out.push(first.result);
  if (!first.reply) return out;
  if (first.reply.firstText !== cal.answerStart) {
    out.push({
      ...first.result,
      around: 'answer',
      answerMs: undefined,
      answerText: undefined,
      problem:
        `her answer began "${first.reply.firstText}", not as calibrated ` +
        `("${cal.answerStart}"): its end cannot be predicted`,
    });
    return out;
  }
  const second = await onsetAround(
    c,
    'answer',
    first.reply.speakingAt,
    first.reply.audioAt,
    cal.answerMs,
    offsetMs,
    s.second,
    s.isSecondAnswer,
  );
  out.push(second.result);
  return out;
}

async function onsetAround(
  c: SimCaller,
  around: Around,
  /** her SPEAKING message, which her length is counted from, and her first audible frame */
  speakingAt: number,
  audioAt: number,
  lengthMs: number,
  offsetMs: number,
  line: SpokenLine,
  isAnswer: (t: string) => boolean,
): Promise<{ result: OnsetResult; reply?: Heard }> {
  const predictedEndAt = speakingAt + lengthMs;
  const q = await speakAt(c, line, predictedEndAt + offsetMs);
  try {
    const reply = await replyAfter(c, q.lastWordAt, ANSWER_WAIT_MS);
    // her voice's end (or where the caller cut it): a quiet run inside her utterance on a busy machine (seen:
    // 4.6 s before her end, in the greeting) is not it
    const from = voiceEndsAfter(c, speakingAt, audioAt);
    const stop = from === undefined ? undefined : c.silentFrom(from, END_QUIET_MS, AUDIBLE);
    const result: OnsetResult = {
      around,
      offsetMs,
      predictedEndAt,
      ...(stop !== undefined ? { voiceStoppedAt: stop } : {}),
      onsetAt: q.onsetAt,
      lastWordAt: q.lastWordAt,
    };
    if (!reply)
      return {
        result: {
          ...result,
          problem: `no answer within ${ANSWER_WAIT_MS} ms of her last word; states ${statesSince(c, q.onsetAt - 3000)}`,
        },
      };
    result.answerMs = reply.audioAt - q.lastWordAt;
    result.answerText = reply.firstText;
    if (!isAnswer(reply.firstText)) result.problem = `she answered "${reply.firstText}"`;
    return { result, reply };
  } finally {
    await q.stop();
  }
}

export function statesSince(c: SimCaller, sinceMs: number): string {
  return c.messages
    .flatMap((m) =>
      m.atMs >= sinceMs && m.msg.type === 'state' ? [`${m.msg.state}@${Math.round(m.atMs - sinceMs)}`] : [],
    )
    .join(' > ');
}

/** One line per result, for logs and diagnostics. */
export function describeResult(r: OnsetResult): string {
  const placed = Math.round(r.onsetAt - r.predictedEndAt);
  const measured =
    r.voiceStoppedAt === undefined ? '' : `, her voice stopped at ${Math.round(r.voiceStoppedAt - r.predictedEndAt)}`;
  const answer = r.answerMs === undefined ? 'NO ANSWER' : `answered ${Math.round(r.answerMs)} ms after her last word`;
  return `${r.around} ${r.offsetMs} ms (placed at ${placed}${measured}): ${answer}${r.problem ? `; ${r.problem}` : ''}`;
}
