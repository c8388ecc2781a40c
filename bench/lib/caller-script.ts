/**
 * One benchmark call, as a caller would make it: wait for the greeting, ask a short question, ask
 * one with a long answer and talk over that answer, hear the reply to the interruption, hang up.
 * Every figure is taken from the audio as the caller receives it (SimCaller), never from the agent.
 */
import type { SimCaller } from '../../test/support/sim-caller.ts';
import { AUDIBLE_RMS, spokenText, type SpokenText } from '../../test/support/speech.ts';
import type { BenchTranscriber } from './bench-transcriber.ts';

/** Loudness (int16 RMS over 10 ms) above which a frame counts as speech, hers or the caller's. */
const AUDIBLE = AUDIBLE_RMS;
/** her audio counts as stopped once it stays quiet this long (longer than any pause between her sentences) */
const STOPPED_QUIET_MS = 600;

export interface CallFigures {
  greetingMs?: number;
  v2vMs: number[];
  bargeInMs: number[];
  problems: string[];
}

export type Utterance = SpokenText;

export const utterance = (text: string, trailingSilenceMs: number): Promise<Utterance> =>
  spokenText(text, { trailingSilenceMs });

export interface Script {
  question: Utterance;
  longQuestion: Utterance;
  interruption: Utterance;
  /** how much of her long answer the caller hears before talking over it */
  listenBeforeBargeInMs: number;
}

export async function defaultScript(): Promise<Script> {
  // phrases whose internal pauses are all under the STT's 100 ms endpointing, so each is one utterance
  return {
    question: await utterance('What are your opening hours?', 1500),
    longQuestion: await utterance('Tell me about the BBL.', 0),
    interruption: await utterance('Where are you located?', 1500),
    listenBeforeBargeInMs: 1200,
  };
}

/** Plays an utterance; returns when its first and last audible samples reached the caller's track. */
async function say(
  c: SimCaller,
  stt: BenchTranscriber,
  u: Utterance,
  signal?: AbortSignal,
): Promise<{ onset: number; end: number }> {
  stt.expect(u.text);
  const played = c.play(u.pcm, signal);
  const startMs = performance.now();
  await played;
  return { onset: startMs + u.onsetMs, end: startMs + u.endMs };
}

export async function runCall(c: SimCaller, stt: BenchTranscriber, s: Script): Promise<CallFigures> {
  const out: CallFigures = { v2vMs: [], bargeInMs: [], problems: [] };
  // greeting: from joining the room to the first audible frame of her voice
  await c.waitFor(() => c.firstAudibleAfter(c.joinedAtMs, AUDIBLE) !== undefined, 15_000, 'the greeting');
  out.greetingMs = c.firstAudibleAfter(c.joinedAtMs, AUDIBLE)! - c.joinedAtMs;
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
  return out;
}
