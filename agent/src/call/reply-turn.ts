import type { llm } from '@livekit/agents';
import type { AgentLines } from '../core/agent-lines.ts';
import type { LineKind } from '../core/turn-core.ts';
import { splitHeard, type PlayedChunk } from '../core/heard-text.ts';
import type { TurnMarks } from '../core/turn-metrics.ts';
import { errorKind, type CallMetric } from '../core/call-metrics.ts';
import type { AudioOut } from './audio-out.ts';
import type { EngineTrio, Engines } from '../engines/types.ts';
import type { Logger } from './logger.ts';
import { llmText, type ReplyTools } from './llm-text.ts';
import {
  cannedChunks,
  playChunks,
  synthesizeChunks,
  type CannedSentence,
  type SpeakResult,
  type SpeechChunk,
  type TextShaper,
} from './reply.ts';

export interface AgentLine {
  kind: LineKind;
  text: string;
  /** audio made in advance (the greeting), sentence by sentence; their texts make up `text` */
  audio?: CannedSentence[];
}

/** What to say in one reply. */
export interface ReplyRequest {
  turn: number;
  /** set for a line she says by herself; otherwise she answers userText */
  line?: AgentLine | undefined;
  userText?: string | undefined;
  /** the watchdog abandoned the first try: apologise and answer with the embedded engines at once */
  recover?: boolean;
  /** userText is answered with exactly this line and no model sees it (an emergency, core/emergency.ts) */
  fixed?: string | undefined;
  /** shapes text for the voice (the humanizer): 'answer' for a reply to the caller, 'line' for her own lines */
  shaper?(kind: 'answer' | 'line'): TextShaper;
}

/** What every reply of a call uses; the same for the whole call. */
export interface ReplyContext {
  /** the conversation so far plus the caller's words, as the model reads it */
  chat: { chatFor(userText: string): llm.ChatContext };
  engines: Engines;
  lines: AgentLines;
  out: AudioOut;
  log: Logger;
  /** appointment tools the model may call while answering */
  tools?: ReplyTools | undefined;
  /** a provider failure and the move to the fallback, for the worker's metrics */
  onCallMetric?(m: CallMetric): void;
  /**
   * Of a stopped utterance with `playedMs` gone out of her source, how much the caller heard, when a
   * far end buffers her voice (a Twilio Media Stream: core/phone/far-end-playout.ts). Absent: all of it.
   */
  heardOf?(playedMs: number, turn: number): Promise<number>;
}

/** What the reply reports while it runs. */
export interface ReplyEvents {
  mark(k: keyof TurnMarks): void;
  /** 'first_audio': the first frame reached her voice; 'frame': another one did (she is not stalled) */
  progress(p: 'first_audio' | 'frame'): void;
  /** the text queued so far, for her live transcript */
  text(spokenSoFar: string): void;
}

export interface ReplyOutcome {
  /** everything whose audio was queued */
  spoken: string;
  /** what the caller heard (all of `spoken` unless she was cut off) */
  heard: string;
  /** from the sentence she was cut off in to the end of what was prepared: what a resume says */
  unheard: string;
  engines: { llm: string; tts: string };
  /** tool calls made while answering and their outputs, in order (they belong in the history) */
  toolItems: Array<llm.FunctionCall | llm.FunctionCallOutput>;
}

/**
 * One reply, start to end: text (a fixed line or the LLM's answer) → sentence chunks → TTS → her
 * track. If a provider fails, the caller hears a short apology and the embedded engines answer
 * this turn instead; the call goes on either way.
 */
export async function runReply(
  req: ReplyRequest,
  ctx: ReplyContext,
  on: ReplyEvents,
  signal: AbortSignal,
): Promise<ReplyOutcome> {
  const d: Deps = { ...req, ...ctx, on, signal };
  const token = d.out.begin();
  const primary: EngineTrio = d.engines;
  let used = { llm: primary.info.llm, tts: primary.info.tts };
  const toolItems: ReplyOutcome['toolItems'] = [];
  if (d.recover) {
    const fallback = d.engines.fallback ?? primary;
    const result = await attempt(d, fallback, token, true, toolItems);
    if (result.error !== undefined) d.log.error({ err: result.error, turn: d.turn }, 'fallback failed too');
    return {
      ...describe(result, await heardMs(d, token)),
      engines: { llm: fallback.info.llm, tts: fallback.info.tts },
      toolItems,
    };
  }
  let result = await attempt(d, primary, token, false, toolItems);
  if (result.error !== undefined && !d.signal.aborted) {
    const fallback = d.engines.fallback ?? primary;
    const failure = {
      stage: 'reply',
      provider: `${primary.info.llm}+${primary.info.tts}`,
      error: errorKind(result.error),
    } as const;
    d.onCallMetric?.({ kind: 'provider_error', ...failure });
    if (fallback !== primary) d.onCallMetric?.({ kind: 'fallback', ...failure });
    d.log.warn(
      { err: result.error, turn: d.turn, fallbackLlm: fallback.info.llm, fallbackTts: fallback.info.tts },
      'provider failed mid-reply; apologising and answering with the fallback',
    );
    used = { llm: fallback.info.llm, tts: fallback.info.tts };
    const second = await attempt(d, fallback, token, true, toolItems);
    result = {
      ...second,
      played: [...result.played, ...second.played],
      audioStarted: result.audioStarted || second.audioStarted,
    };
    if (second.error !== undefined) d.log.error({ err: second.error, turn: d.turn }, 'fallback failed too');
  }
  return { ...describe(result, await heardMs(d, token)), engines: used, toolItems };
}

/** how much of a stopped utterance the caller heard (undefined: it was not stopped) */
async function heardMs(d: Deps, token: number): Promise<number | undefined> {
  const played = d.out.playedMsAtStop(token);
  return played === undefined || !d.heardOf ? played : d.heardOf(played, d.turn);
}

type Deps = ReplyRequest & ReplyContext & { on: ReplyEvents; signal: AbortSignal };

async function attempt(
  d: Deps,
  e: EngineTrio,
  token: number,
  apologise: boolean,
  toolItems: ReplyOutcome['toolItems'],
): Promise<SpeakResult> {
  // the apology is requested first so the TTS makes it first
  const apology = apologise
    ? synthesizeChunks(once(d.lines.apology), e.tts, d.signal, undefined, d.shaper?.('line'))
    : undefined;
  let chunks: AsyncIterable<SpeechChunk>;
  const markTts = () => d.on.mark('ttsStartMs');
  if (d.line?.audio && !apologise) {
    chunks = cannedChunks(d.line.audio);
  } else if (d.line) {
    chunks = synthesizeChunks(once(d.line.text), e.tts, d.signal, markTts, d.shaper?.('line'));
  } else if (d.fixed !== undefined) {
    // word for word: not even the humanizer reshapes it
    chunks = synthesizeChunks(once(d.fixed), e.tts, d.signal, markTts);
  } else {
    const chat = d.chat.chatFor(d.userText ?? '');
    d.on.mark('llmStartMs');
    const text = llmText(
      e.llm,
      chat,
      d.signal,
      () => d.on.mark('llmFirstTokenMs'),
      d.tools,
      (items) => toolItems.push(...items),
    );
    chunks = synthesizeChunks(text, e.tts, d.signal, markTts, d.shaper?.('answer'));
  }
  if (apology) chunks = prepend(apology, chunks);
  return playChunks(
    chunks,
    d.out,
    token,
    { onFirstAudio: () => d.on.progress('first_audio'), onChunk: d.on.text, onFrame: () => d.on.progress('frame') },
    d.signal,
  );
}

function describe(r: SpeakResult, playedMs: number | undefined): Omit<ReplyOutcome, 'engines' | 'toolItems'> {
  const spoken = r.played.map((c) => c.text).join(' ');
  if (playedMs === undefined) return { spoken, heard: spoken, unheard: '' };
  const { heard } = splitHeard(r.played, playedMs);
  const cut = cutIndex(r.played, playedMs);
  const unheard = [...r.played.slice(cut).map((c) => c.text), ...r.skipped].join(' ');
  return { spoken, heard, unheard };
}

/** index of the chunk that was playing when she was stopped */
function cutIndex(played: readonly PlayedChunk[], playedMs: number): number {
  let t = 0;
  for (let i = 0; i < played.length; i++) {
    t += played[i]!.durationMs;
    if (t > playedMs) return i;
  }
  return played.length;
}

async function* once(text: string): AsyncIterable<string> {
  yield text;
}

async function* prepend<T>(first: AsyncIterable<T>, rest: AsyncIterable<T>): AsyncIterable<T> {
  yield* first;
  yield* rest;
}
