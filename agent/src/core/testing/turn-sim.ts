import { defaultAgentLines } from '../agent-lines.ts';
import { ManualClock } from '../clock.ts';
import type { PlaybackGate } from '../playback-gate.ts';
import type { ConversationState } from '@voxanne/contracts/protocol';
import { TurnCore, type ReplyJob, type TurnEffect } from '../turn-core.ts';

/**
 * A whole call in simulated time, for the core's timing sweep: the real TurnCore (state machine,
 * turn policy, duck, speculation, supersede, resume, watchdog) and the real PlaybackGate, with
 * everything around them simulated on a ManualClock in 10 ms ticks:
 * - her voice: a 200 ms output queue with AudioOut's write/pause/resume/stop/drain rules over the
 *   gate, and rtc-node's AudioSource quirk that clearing the queue ends a pending playout wait;
 * - her replies: thinking time, then sentence audio written as fast as the queue takes it;
 * - the caller: loudness per 10 ms frame, a VAD start and end, interim and final transcripts.
 * Test support only (no node: imports, like the rest of core).
 */

export const TICK_MS = 10;
const QUEUE_MS = 200;
/** a spoken word lasts this long in her voice */
const WORD_MS = 250;
const LOUD = 20000;
const QUIET = 30;

/**
 * What the simulated AudioOut needs of the gate (PlaybackGate, or a model of older code to prove the sweep catches it).
 */
export type Gate = Pick<
  PlaybackGate,
  'begin' | 'stop' | 'pause' | 'resume' | 'verdict' | 'drained' | 'paused' | 'generation'
>;

export interface SimTiming {
  /** caller speech start → VAD start of speech */
  vadStartMs: number;
  /** caller speech end → VAD end of speech */
  vadEndMs: number;
  /** caller speech end → final transcript */
  sttFinalMs: number;
  /** her answer: turn start → first audio ready (LLM + TTS) */
  answerMs: number;
  /** her answer when the words were prefetched while the caller paused */
  prefetchedAnswerMs: number;
  /** one of her own lines: → first audio ready (TTS) */
  lineMs: number;
  /** false: the recogniser gives no interim words, only the final (the offline one, on a busy machine) */
  interims: boolean;
}

export const DEFAULT_SIM_TIMING: SimTiming = {
  vadStartMs: 100,
  vadEndMs: 300,
  sttFinalMs: 450,
  answerMs: 350,
  prefetchedAnswerMs: 150,
  lineMs: 120,
  interims: true,
};

/** One thing the caller says: when, for how long, and the words (interims grow to the final words). */
export interface CallerSpeech {
  atMs: number;
  durationMs: number;
  text: string;
  /** false: a click or a door, loud but no speech: the VAD and the recogniser stay quiet */
  speech?: boolean;
}

export const GREETING = 'Hello, thanks for calling Riverside Clinic. This is Voxanne. How can I help you today?';
export const ONE_SENTENCE = 'We are open Monday to Friday from eight in the morning to six in the evening.';
export const MULTI_SENTENCE =
  'A facelift consultation with our surgeon is free of charge. The procedure ' +
  'itself costs from ten thousand dollars. Most people are back at work after about two weeks.';
export const OTHER_ANSWER = 'On Saturdays we close at two in the afternoon.';
export const SHORT_ANSWER = 'Yes, we do.';

/** the offline brain of the simulation */
export function simAnswer(userText: string): string {
  if (/hours/.test(userText)) return ONE_SENTENCE;
  if (/facelift/.test(userText)) return MULTI_SENTENCE;
  if (/^do you take insurance$/.test(userText)) return SHORT_ANSWER;
  return OTHER_ANSWER;
}

export const sentences = (text: string): string[] => text.match(/[^.!?]+[.!?]+/g)?.map((s) => s.trim()) ?? [text];
const wordsMs = (text: string) => text.split(/\s+/).filter(Boolean).length * WORD_MS;

interface Chunk {
  text: string;
  ms: number;
}

interface SimReply {
  job: ReplyJob;
  token: number;
  readyAt: number;
  chunks: Chunk[];
  /** next chunk to write and how much of it is written */
  chunk: number;
  writtenInChunk: number;
  /** ms of each chunk actually heard */
  heard: number[];
  audioStarted: boolean;
  aborted: boolean;
  phase: 'thinking' | 'writing' | 'drain_gate' | 'drain_playout' | 'done';
  playoutMark: number;
}

interface Frame {
  token: number;
  reply: SimReply;
  chunk: number;
}

export interface SimEvent {
  atMs: number;
  what: string;
}

export interface SimResult {
  /** every tick at which her voice was heard, with the turn it belonged to */
  audible: Array<{ atMs: number; turn: number }>;
  states: Array<{ atMs: number; from: ConversationState; to: ConversationState }>;
  jobs: Array<{ atMs: number; job: ReplyJob }>;
  /** when a reply's first frame went out */
  firstAudio: Array<{ atMs: number; turn: number }>;
  watchdog: number;
  /** broken invariants seen while running (the sweep's assertions read these and the timeline) */
  violations: string[];
  events: SimEvent[];
  finalState: ConversationState;
  endMs: number;
}

/**
 * Runs one call: her greeting at 0, then the caller's speeches, until `untilMs`.
 */
export function simulateCall(o: {
  speeches: CallerSpeech[];
  untilMs: number;
  gate: Gate;
  timing?: Partial<SimTiming>;
}): SimResult {
  const t: SimTiming = { ...DEFAULT_SIM_TIMING, ...o.timing };
  const clock = new ManualClock(0);
  const gate = o.gate;
  const result: SimResult = {
    audible: [],
    states: [],
    jobs: [],
    firstAudio: [],
    watchdog: 0,
    violations: [],
    events: [],
    finalState: 'IDLE',
    endMs: o.untilMs,
  };
  const now = () => clock.now();
  const log = (what: string) => result.events.push({ atMs: now(), what });

  // her voice: AudioOut over the gate, with a simulated AudioSource
  let queue: Frame[] = [];
  let stash: Frame[] = [];
  /** bumped whenever the source's queue empties (played out or cleared): ends a pending playout wait */
  let playoutReleases = 0;
  const clearQueue = () => {
    if (queue.length) playoutReleases++;
    queue = [];
  };
  const replies = new Map<number, SimReply>();
  let prefetched: string | undefined;
  const soon: Array<() => void> = [];

  const perform = (e: TurnEffect): void => {
    switch (e.type) {
      case 'state_changed':
        result.states.push({ atMs: now(), from: e.from, to: e.to });
        break;
      case 'start_reply': {
        result.jobs.push({ atMs: now(), job: e.job });
        // runReply: out.begin() first, synchronously
        const token = gate.begin();
        stash = [];
        const job = e.job;
        let text: string;
        let readyAt: number;
        if (job.source === 'agent') {
          text = job.line.text;
          readyAt = now() + (job.line.kind === 'greeting' ? 0 : t.lineMs);
        } else {
          text = simAnswer(job.userText);
          readyAt = now() + (job.recover ? t.lineMs : prefetched === job.userText ? t.prefetchedAnswerMs : t.answerMs);
        }
        // the greeting's audio is made in advance sentence by sentence, so it is chunked like any reply
        const chunks = sentences(text).map((s) => ({ text: s, ms: wordsMs(s) }));
        replies.set(job.turn, {
          job,
          token,
          readyAt,
          chunks,
          chunk: 0,
          writtenInChunk: 0,
          heard: chunks.map(() => 0),
          audioStarted: false,
          aborted: false,
          phase: 'thinking',
          playoutMark: 0,
        });
        log(`start_reply ${job.turn} ${job.source === 'agent' ? job.line.kind : 'answer'}`);
        break;
      }
      case 'stop_audio':
        gate.stop();
        clearQueue();
        stash = [];
        log('stop_audio');
        break;
      case 'cancel_reply': {
        const r = replies.get(e.turn);
        if (r) r.aborted = true;
        log(`cancel_reply ${e.turn}`);
        break;
      }
      case 'duck': {
        const generation = gate.pause();
        if (generation === undefined) break;
        // AudioOut.pause: what was queued and not heard is kept for the resume
        stash = queue.filter((f) => f.token === generation);
        clearQueue();
        core.ducked(generation);
        log(`duck ${generation}`);
        break;
      }
      case 'unduck':
        // AudioOut.resume(generation): only that generation's own pause
        if (gate.verdict(e.generation) !== 'wait') break;
        queue.push(...stash);
        stash = [];
        gate.resume(e.generation);
        log(`unduck ${e.generation}`);
        break;
      case 'prefetch':
        prefetched = e.userText;
        break;
      case 'take_turn_soon':
        soon.push(() => core.takeTurn());
        break;
      case 'watchdog':
        result.watchdog++;
        log(`watchdog ${e.stuck.reason} ${e.recovery}`);
        break;
      case 'handed_off':
      case 'end_call':
        break;
    }
  };
  const core = new TurnCore({ clock, perform, lines: defaultAgentLines('Riverside'), speculate: true });
  const drainSoon = () => {
    while (soon.length) soon.shift()!();
  };

  const finish = (r: SimReply, aborted: boolean) => {
    r.phase = 'done';
    // heard/unheard as runReply's describe(): from the chunk she was cut off in to the end
    let unheard: string | undefined;
    if (aborted) {
      const cut = r.heard.findIndex((ms, i) => ms < r.chunks[i]!.ms);
      unheard =
        cut < 0
          ? ''
          : r.chunks
              .slice(cut)
              .map((c) => c.text)
              .join(' ');
    }
    core.replyEnded(r.job.turn, { audioStarted: r.audioStarted, aborted, unheard });
    drainSoon();
  };

  const stepReply = (r: SimReply) => {
    if (r.phase === 'done') return;
    if (r.aborted) return finish(r, true); // the signal: every stage stops at its next step
    if (r.phase === 'thinking') {
      if (now() < r.readyAt) return;
      r.phase = 'writing';
    }
    if (r.phase === 'writing') {
      for (;;) {
        if (r.chunk >= r.chunks.length) {
          r.phase = 'drain_gate';
          break;
        }
        const v = gate.verdict(r.token);
        if (v === 'wait') return;
        if (v === 'refuse') {
          // write() refused: playChunks gives up this chunk and moves on
          r.chunk++;
          r.writtenInChunk = 0;
          continue;
        }
        if (queue.length * TICK_MS >= QUEUE_MS) return; // captureFrame waits for room
        queue.push({ token: r.token, reply: r, chunk: r.chunk });
        r.writtenInChunk += TICK_MS;
        if (r.writtenInChunk >= r.chunks[r.chunk]!.ms) {
          r.chunk++;
          r.writtenInChunk = 0;
        }
        if (!r.audioStarted) {
          r.audioStarted = true;
          core.replyAudio(r.job.turn);
          drainSoon();
          if (r.aborted) return finish(r, true);
        } else core.replyProgress(r.job.turn);
      }
    }
    // AudioOut.drain(token): wait out a pause, wait for the source's playout, and again if a pause emptied it
    for (;;) {
      if (r.phase === 'drain_gate') {
        const v = gate.verdict(r.token);
        if (v === 'wait') return;
        if (v === 'refuse') return finish(r, false);
        if (!queue.length) {
          // nothing captured since the last release: waitForPlayout() returns at once
          if (gate.drained(r.token)) return finish(r, false);
          continue;
        }
        r.phase = 'drain_playout';
        r.playoutMark = playoutReleases;
      }
      if (r.phase === 'drain_playout') {
        if (playoutReleases === r.playoutMark) return;
        if (gate.drained(r.token)) return finish(r, false);
        r.phase = 'drain_gate';
      }
    }
  };

  // the caller, as frames and recogniser events
  interface Timed {
    atMs: number;
    run: () => void;
  }
  const timeline: Timed[] = [];
  const loudUntil: Array<[number, number]> = [];
  for (const s of o.speeches) {
    const end = s.atMs + s.durationMs;
    loudUntil.push([s.atMs, end]);
    if (s.speech === false) continue;
    timeline.push({ atMs: s.atMs + t.vadStartMs, run: () => (log('vad start'), core.speechStarted()) });
    const words = s.text.split(' ');
    for (let k = 1; t.interims && k <= words.length; k++) {
      const at = s.atMs + Math.round((s.durationMs * k) / words.length) - TICK_MS;
      timeline.push({ atMs: at, run: () => core.interim(words.slice(0, k).join(' ')) });
    }
    timeline.push({ atMs: end + t.vadEndMs, run: () => (log('vad end'), core.speechEnded()) });
    timeline.push({ atMs: end + t.sttFinalMs, run: () => (log(`final "${s.text}"`), core.finalTranscript(s.text)) });
  }
  timeline.sort((a, b) => a.atMs - b.atMs);

  core.start({ kind: 'greeting', text: GREETING });
  drainSoon();
  let next = 0;
  for (let at = 0; at < o.untilMs; at += TICK_MS) {
    // 1. the caller's frame and whatever the recogniser says now
    const loud = loudUntil.some(([a, b]) => at >= a && at < b);
    core.level(loud ? LOUD : QUIET, gate.paused);
    drainSoon();
    while (next < timeline.length && timeline[next]!.atMs <= at) {
      timeline[next++]!.run();
      drainSoon();
    }
    // 2. her replies write and finish
    for (const r of [...replies.values()]) stepReply(r);
    // 3. 10 ms of her voice goes out
    const frame = queue.shift();
    if (frame) {
      if (!queue.length) playoutReleases++;
      frame.reply.heard[frame.chunk]! += TICK_MS;
      result.audible.push({ atMs: at, turn: frame.reply.job.turn });
      if (frame.reply.heard.reduce((a, b) => a + b, 0) === TICK_MS)
        result.firstAudio.push({ atMs: at, turn: frame.reply.job.turn });
    }
    for (const r of [...replies.values()]) stepReply(r);
    // 4. what must hold at every moment
    const tokens = new Set(queue.map((f) => f.token));
    if (tokens.size > 1) result.violations.push(`${at} ms: two replies queued at once (${[...tokens].join(', ')})`);
    const active = [...replies.values()].filter(
      (r) => r.phase !== 'done' && !r.aborted && r.token === gate.generation && r.phase !== 'thinking',
    );
    if (active.length > 1) result.violations.push(`${at} ms: two replies writing at once`);
    if (gate.paused && core.state !== 'SPEAKING')
      result.violations.push(`${at} ms: her voice is paused in ${core.state}`);
    // 5. time moves on: the core's timers (policy, duck, watchdog)
    clock.advance(TICK_MS);
    drainSoon();
  }
  result.finalState = core.state;
  return result;
}
