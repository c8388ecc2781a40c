import { llm, type tts } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { AsyncQueue } from '../core/async-queue.ts';
import { INTERACTIVE_CONN } from '../core/provider-timing.ts';
import type { PlayedChunk } from '../core/heard-text.ts';
import { SentenceChunker } from '../core/sentence-chunker.ts';
import { watchErrors } from '../engines/engine-errors.ts';
import type { AudioOut } from './audio-out.ts';

export interface SpeechChunk {
  text: string;
  audio: AsyncIterable<AudioFrame>;
  /** releases the synthesis if the chunk is never played */
  cancel(): void;
}

export interface SpeakCallbacks {
  /** the first frame of this reply was handed to the audio source */
  onFirstAudio(): void;
  /** a chunk started playing; `spoken` is everything queued so far */
  onChunk(spoken: string): void;
  /** every frame handed to her voice (the watchdog's sign that she is not stalled) */
  onFrame?(): void;
}

export interface SpeakResult {
  /** chunks whose audio was (at least partly) queued, with how long each lasted */
  played: PlayedChunk[];
  /** text of chunks dropped unplayed because the reply was stopped */
  skipped: string[];
  audioStarted: boolean;
  /** false when the signal stopped it or it failed */
  completed: boolean;
  /** set when the text or audio source failed; what played before it stands */
  error?: unknown;
}

export { INTERACTIVE_CONN };

/** Tools the model may call during a reply, and how to run them. */
export interface ReplyTools {
  toolCtx: llm.ToolContext;
  /** runs one call in the conversation so far; resolves with the output the model reads (JSON text) */
  run(name: string, args: string, chat: llm.ChatContext): Promise<string>;
  /** rounds of tool calls before the model must answer in words; default 4 */
  maxRounds?: number;
}

/** LLM output as plain text deltas; `onFirstToken` marks time to first token. */
export async function* llmText(
  model: llm.LLM,
  chatCtx: llm.ChatContext,
  signal: AbortSignal,
  onFirstToken?: () => void,
  tools?: ReplyTools,
  /** the calls made and their outputs, in order, for the conversation history */
  onToolItems?: (items: Array<llm.FunctionCall | llm.FunctionCallOutput>) => void,
): AsyncIterable<string> {
  let first = true;
  const rounds = tools ? (tools.maxRounds ?? 4) : 0;
  for (let round = 0; ; round++) {
    // the last round offers no tools, so a model stuck calling them still has to speak
    const offer = tools && round < rounds ? tools : undefined;
    const stream = model.chat({
      chatCtx,
      connOptions: INTERACTIVE_CONN,
      ...(offer ? { toolCtx: offer.toolCtx, toolChoice: 'auto' as const } : {}),
    });
    const onAbort = () => stream.close();
    signal.addEventListener('abort', onAbort, { once: true });
    const calls: llm.FunctionCall[] = [];
    try {
      for await (const chunk of watchErrors(model, stream)) {
        if (signal.aborted) return;
        for (const c of chunk.delta?.toolCalls ?? []) calls.push(c);
        const delta = chunk.delta?.content;
        if (!delta) continue;
        if (first) {
          first = false;
          onFirstToken?.();
        }
        yield delta;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.close();
    }
    // A round that ends with no words and no tool calls is a failure even when the provider reported
    // none (an error can be reported before anyone listens, e.g. for a speculative request): the
    // caller would hear nothing at all, so it goes down the apology-and-fallback path instead.
    if (!signal.aborted && first && calls.length === 0)
      throw Object.assign(new Error('the language model ended its answer without saying anything'), {
        name: 'EmptyAnswerError',
      });
    if (calls.length === 0 || !offer || signal.aborted) return;
    // run the calls, add them and their outputs to the conversation, and let the model go on
    const items: Array<llm.FunctionCall | llm.FunctionCallOutput> = [];
    for (const c of calls) {
      const output = await offer.run(c.name, c.args, chatCtx);
      const call = llm.FunctionCall.create({ callId: c.callId, name: c.name, args: c.args });
      items.push(call, llm.FunctionCallOutput.create({ callId: c.callId, name: c.name, output, isError: false }));
    }
    chatCtx.insert(items);
    onToolItems?.(items);
    if (signal.aborted) return;
  }
}

/** Turns streamed reply text into speakable chunks; the humanizer (core/humanizer) is one. */
export interface TextShaper {
  push(delta: string): string[];
  flush(): string[];
}

/**
 * Chunks text as it streams in and starts synthesising each chunk at once, so chunk N+1 is being
 * synthesised while chunk N plays. A failure of the text source reaches the player after the chunks
 * already queued.
 */
export function synthesizeChunks(
  text: AsyncIterable<string>,
  engine: tts.TTS,
  signal: AbortSignal,
  onFirstSynthesis?: () => void,
  /** replaces the plain sentence chunker, e.g. with the humanizer, which yields whole sentences ready for TTS */
  shaper?: TextShaper,
): AsyncQueue<SpeechChunk> {
  const out = new AsyncQueue<SpeechChunk>();
  const chunker: TextShaper = shaper ?? new SentenceChunker();
  let first = true;
  const emit = (chunks: string[]) => {
    for (const t of chunks) {
      if (signal.aborted) return;
      if (first) {
        first = false;
        onFirstSynthesis?.();
      }
      const stream = engine.synthesize(t, INTERACTIVE_CONN, signal);
      out.push({ text: t, audio: frames(engine, stream), cancel: () => stream.close() });
    }
  };
  void (async () => {
    for await (const delta of text) emit(chunker.push(delta));
    emit(chunker.flush());
  })().then(
    () => out.close(),
    (err: unknown) => out.fail(err),
  );
  return out;
}

async function* frames(engine: tts.TTS, stream: tts.ChunkedStream): AsyncIterable<AudioFrame> {
  for await (const audio of watchErrors(engine, stream)) yield audio.frame;
}

/** One sentence of a fixed line, with its audio made in advance. */
export interface CannedSentence {
  text: string;
  audio: AudioFrame[];
}

/**
 * A fixed line with audio made in advance (the greeting), one chunk per sentence: cut off in it,
 * what she did not get to say starts at the sentence she was in, not at the line's first word.
 */
export async function* cannedChunks(sentences: readonly CannedSentence[]): AsyncIterable<SpeechChunk> {
  for (const s of sentences)
    yield {
      text: s.text,
      audio: (async function* () {
        yield* s.audio;
      })(),
      cancel: () => {},
    };
}

/**
 * Plays chunks in order until they end, the signal fires, or a source fails (reported in the
 * result, not thrown, so the caller knows what was already said when it decides what to do next).
 */
export async function playChunks(
  chunks: AsyncIterable<SpeechChunk>,
  out: AudioOut,
  token: number,
  cb: SpeakCallbacks,
  signal: AbortSignal,
): Promise<SpeakResult> {
  const played: PlayedChunk[] = [];
  const skipped: string[] = [];
  let audioStarted = false;
  const spokenText = () => played.map((c) => c.text).join(' ');
  try {
    for await (const chunk of chunks) {
      if (signal.aborted) {
        skipped.push(chunk.text);
        chunk.cancel();
        continue; // drain so every pending synthesis is released
      }
      cb.onChunk(played.length ? `${spokenText()} ${chunk.text}` : chunk.text);
      const entry: PlayedChunk = { text: chunk.text, durationMs: 0 };
      played.push(entry);
      for await (const frame of chunk.audio) {
        if (signal.aborted || !(await out.write(token, frame))) {
          chunk.cancel();
          break;
        }
        entry.durationMs += (frame.samplesPerChannel / frame.sampleRate) * 1000;
        if (!audioStarted) {
          audioStarted = true;
          cb.onFirstAudio();
        } else cb.onFrame?.();
      }
    }
  } catch (error) {
    if (!signal.aborted) return { played, skipped, audioStarted, completed: false, error };
  }
  if (signal.aborted) return { played, skipped, audioStarted, completed: false };
  await out.drain(token);
  return { played, skipped, audioStarted, completed: !signal.aborted };
}
