import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { DUCK_CONFIRM_MS } from './duck-rule.ts';
import { PlaybackGate } from './playback-gate.ts';
import {
  DEFAULT_SIM_TIMING,
  simulateCall,
  TICK_MS,
  type CallerSpeech,
  type Gate,
  type SimResult,
  type SimTiming,
} from './testing/turn-sim.ts';

/**
 * Issue 10, point 3: callers talk at every moment of her speech. For each of her utterances below,
 * the caller starts talking at every onset from 2000 ms before its end to 1000 ms after, in 10 ms
 * steps, once with a backchannel and once with a real question. After the caller's final words she
 * must start speaking within the budget (an answer, her resumed reply, or asking again), and answer
 * real words; she never talks twice at once, her paused voice never outlives her SPEAKING state, no
 * state hangs, and the watchdog is never needed.
 */

/** from the caller's final transcript to her voice (thinking time, or the false-interruption wait) */
const BUDGET_MS = 2000;
const ONSETS = Array.from({ length: (1000 - -2000) / TICK_MS + 1 }, (_, i) => -2000 + i * TICK_MS);
/** the longest a PROCESSING / INTERRUPTED state may honestly last in the simulation (the slow model thinks 1500 ms) */
const MAX_PROCESSING_MS = 2000;
const MAX_INTERRUPTED_MS = 500;

const SPEECH = {
  backchannel: { durationMs: 300, text: 'uh huh' },
  question: { durationMs: 1600, text: 'what time do you close on saturday' },
  /** not speech at all: the duck pauses her and must let her play on */
  click: { durationMs: 40, text: '', speech: false },
} as const;
type Kind = keyof typeof SPEECH;

interface Scenario {
  name: string;
  /** what the caller says before the swept speech */
  before: CallerSpeech[];
  timing?: Partial<SimTiming>;
}

const QUESTION_AT = 5000;
const SCENARIOS: Scenario[] = [
  { name: 'her greeting', before: [] },
  { name: 'a one-sentence answer', before: [{ atMs: QUESTION_AT, durationMs: 1000, text: 'what are your hours' }] },
  {
    name: 'a multi-sentence answer',
    before: [{ atMs: QUESTION_AT, durationMs: 1200, text: 'tell me about the facelift' }],
  },
  {
    name: 'a resumed answer',
    before: [
      { atMs: QUESTION_AT, durationMs: 1200, text: 'tell me about the facelift' },
      // "uh-huh" over the middle of her answer: a barge-in, then she picks up from that sentence
      { atMs: QUESTION_AT + 1200 + 800 + 2500, durationMs: 300, text: 'uh huh' },
    ],
  },
  {
    // a slow model and a three-word answer: the early onsets land while she is still thinking, so
    // the caller's words supersede the answer being prepared, or arrive while she speaks over them
    name: 'a short answer from a slow model',
    before: [{ atMs: QUESTION_AT, durationMs: 1000, text: 'do you take insurance' }],
    timing: { answerMs: 1500, prefetchedAnswerMs: 1500 },
  },
  {
    // the offline recogniser on a busy machine: the final comes 2.3 s after the speech and no interim
    // shows the words first, so a barge-in's false-interruption wait (1 s) runs out and she resumes
    // before the words are known; they must cut the resume short and be answered at once
    name: 'her greeting, a slow final transcript with no interims',
    before: [],
    timing: { sttFinalMs: 2300, interims: false },
  },
  {
    // the same slow final, but interims show the words: no resume at all, she waits for the final
    name: 'her greeting, a slow final transcript after interim words',
    before: [],
    timing: { sttFinalMs: 1200 },
  },
];

/** The end of the utterance to sweep around, from a run with no swept speech; and how long it is heard. */
function reference(s: Scenario, gate: () => Gate): { end: number; turn: number; heardMs: number } {
  const run = simulateCall({
    speeches: s.before,
    untilMs: 25_000,
    gate: gate(),
    ...(s.timing ? { timing: s.timing } : {}),
  });
  // her silence prompts and goodbye come later, on their own; the swept utterance is the one before them
  const last = run.jobs
    .filter((j) => !(j.job.source === 'agent' && (j.job.line.kind === 'prompt' || j.job.line.kind === 'goodbye')))
    .at(-1)!;
  const heard = run.audible.filter((a) => a.turn === last.job.turn);
  assert.ok(heard.length, `${s.name}: the reference utterance was heard`);
  return { end: heard.at(-1)!.atMs + TICK_MS, turn: last.job.turn, heardMs: heard.length * TICK_MS };
}

interface Checked {
  problems: string[];
  /** from the caller's last word to her voice */
  answerMs: number | undefined;
}

function check(
  run: SimResult,
  speech: CallerSpeech,
  kind: Kind,
  timing: SimTiming,
  ref: { end: number; turn: number; heardMs: number },
): Checked {
  const problems = [...run.violations];
  if (run.watchdog) problems.push(`the watchdog had to step in ${run.watchdog}×`);
  for (let i = 0; i < run.states.length; i++) {
    const s = run.states[i]!;
    const until = run.states[i + 1]?.atMs ?? run.endMs;
    const limit = s.to === 'PROCESSING' ? MAX_PROCESSING_MS : s.to === 'INTERRUPTED' ? MAX_INTERRUPTED_MS : Infinity;
    if (until - s.atMs > limit) problems.push(`stuck in ${s.to} from ${s.atMs} ms to ${until} ms`);
  }
  if (kind === 'click') {
    // a false alarm costs a short gap, never a word, and never the rest of the call
    const heard = run.audible.filter((a) => a.turn === ref.turn);
    if (heard.length * TICK_MS !== ref.heardMs)
      problems.push(`${heard.length * TICK_MS} of ${ref.heardMs} ms of her utterance heard`);
    for (let i = 1; i < heard.length; i++) {
      if (heard[i]!.atMs - heard[i - 1]!.atMs > DUCK_CONFIRM_MS + 3 * TICK_MS)
        problems.push(`a ${heard[i]!.atMs - heard[i - 1]!.atMs} ms gap in her utterance at ${heard[i - 1]!.atMs} ms`);
    }
    return { problems, answerMs: undefined };
  }
  const words = kind === 'question';
  // an "uh-huh" heard over her voice (its VAD start well inside
  // her reference utterance) is no request, however late its final
  const vadStart = speech.atMs + timing.vadStartMs;
  // 100 ms: the output queue at either edge
  const overHer = vadStart >= ref.end - ref.heardMs + 100 && vadStart < ref.end - 100;
  if (!words && overHer && run.jobs.some((j) => j.job.source === 'user' && j.job.userText.includes(speech.text)))
    problems.push(`"${speech.text}" over her was answered as a request`);
  const spokeEnd = speech.atMs + speech.durationMs;
  const finalAt = spokeEnd + timing.sttFinalMs;
  const next = run.audible.find((a) => a.atMs >= finalAt);
  if (!next || next.atMs - finalAt > BUDGET_MS)
    problems.push(`silent for more than ${BUDGET_MS} ms after the caller's final words (at ${finalAt} ms)`);
  if (words) {
    const job = run.jobs.find(
      (j) => j.atMs >= spokeEnd && j.job.source === 'user' && j.job.userText.includes(speech.text),
    );
    const first = job && run.firstAudio.find((f) => f.turn === job.job.turn);
    if (!first) problems.push('her answer to the words never played');
    else {
      // time she spent finishing what she was saying when the words came does not count against her;
      // a line she took up after the caller fell silent (a resume) is no excuse
      const before = new Set(run.jobs.filter((j) => j.atMs < spokeEnd).map((j) => j.job.turn));
      const busy =
        run.audible.filter((a) => a.atMs >= finalAt && a.atMs < first.atMs && before.has(a.turn)).length * TICK_MS;
      if (first.atMs - finalAt - busy > BUDGET_MS)
        problems.push(
          `answered ${first.atMs - finalAt} ms after the final words (${busy} ms of it finishing her reply)`,
        );
    }
  }
  return { problems, answerMs: next ? next.atMs - spokeEnd : undefined };
}

interface SweepResult {
  onsets: number;
  failures: Array<{ onset: number; problems: string[] }>;
  worstAnswerMs: number;
  answers: number[];
}

function sweep(s: Scenario, kind: Kind, gate: () => Gate): SweepResult {
  const ref = reference(s, gate);
  const end = ref.end;
  const out: SweepResult = { onsets: 0, failures: [], worstAnswerMs: 0, answers: [] };
  for (const onset of ONSETS) {
    const speech: CallerSpeech = { atMs: end + onset, ...SPEECH[kind] };
    const run = simulateCall({
      speeches: [...s.before, speech],
      untilMs: speech.atMs + speech.durationMs + 9000,
      gate: gate(),
      ...(s.timing ? { timing: s.timing } : {}),
    });
    const c = check(run, speech, kind, { ...DEFAULT_SIM_TIMING, ...s.timing }, ref);
    out.onsets++;
    if (c.problems.length) out.failures.push({ onset, problems: c.problems });
    if (c.answerMs !== undefined) {
      out.answers.push(c.answerMs);
      out.worstAnswerMs = Math.max(out.worstAnswerMs, c.answerMs);
    }
  }
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};

describe('timing sweep: a caller may start talking at any moment around the end of her speech', () => {
  for (const s of SCENARIOS) {
    for (const kind of ['backchannel', 'question', 'click'] as const) {
      const outcome = kind === 'click' ? 'costs her no word' : 'is answered';
      it(`${s.name}, ${kind}: every onset from −2000 to +1000 ms ${outcome}`, () => {
        const r = sweep(s, kind, () => new PlaybackGate());
        assert.ok(r.onsets >= 300, `${r.onsets} onsets`);
        const first = r.failures.slice(0, 5).map((f) => `  ${f.onset} ms: ${f.problems.join('; ')}`);
        assert.deepEqual(first, [], `${r.failures.length} of ${r.onsets} onsets failed:\n${first.join('\n')}`);
        if (kind === 'click') return;
        console.log(
          `# sweep ${s.name}, ${kind}: ${r.onsets} onsets; caller's last word → her voice p50/p95/p99/max ` +
            `${pct(r.answers, 50)}/${pct(r.answers, 95)}/${pct(r.answers, 99)}/${r.worstAnswerMs} ms`,
        );
      });
    }
  }
});

/**
 * The output rules before issue 10's fix, as a gate: begin() kept the generation and any pause;
 * a resume lifted whatever pause there was; and the end of the source's playout wait ended a reply
 * even when a pause had emptied the queue.
 */
class LegacyGate implements Gate {
  #generation = 0;
  #paused = false;
  get generation(): number {
    return this.#generation;
  }
  get paused(): boolean {
    return this.#paused;
  }
  begin(): number {
    return this.#generation;
  }
  stop(): void {
    this.#generation++;
    this.#paused = false;
  }
  pause(): number | undefined {
    if (this.#paused) return undefined;
    this.#paused = true;
    return this.#generation;
  }
  resume(): boolean {
    const was = this.#paused;
    this.#paused = false;
    return was;
  }
  verdict(token: number): 'write' | 'wait' | 'refuse' {
    if (token !== this.#generation) return 'refuse';
    return this.#paused ? 'wait' : 'write';
  }
  drained(): boolean {
    return true;
  }
}

describe('the sweep catches the issue-10 hang', () => {
  it('on the old output rules, a caller starting just before the end of her greeting is never answered', () => {
    const r = sweep(SCENARIOS[0]!, 'question', () => new LegacyGate());
    assert.ok(r.failures.length > 0, 'the sweep finds the hang');
    const hung = r.failures.filter((f) => f.problems.some((p) => p.startsWith('stuck in PROCESSING')));
    assert.ok(hung.length > 0, `stuck in PROCESSING at some onset: ${JSON.stringify(r.failures.slice(0, 3))}`);
    // the hang needs the duck to land in the last 200 ms the output queue holds, before her voice ends
    for (const f of hung) assert.ok(f.onset < 0 && f.onset > -250, `hang at ${f.onset} ms`);
    console.log(
      `# old rules: ${r.failures.length} of ${r.onsets} onsets fail, hung at ` +
        `${hung[0]!.onset}…${hung.at(-1)!.onset} ms`,
    );
  });
});
