import type { llm, tts } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { AsyncQueue } from '../core/async-queue.ts';
import { SentenceChunker } from '../core/sentence-chunker.ts';
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
}

export interface SpeakResult {
  /** text whose audio was queued in full */
  spoken: string;
  audioStarted: boolean;
  /** false when the signal stopped it */
  completed: boolean;
}

/** LLM output as plain text deltas. */
export async function* llmText(model: llm.LLM, chatCtx: llm.ChatContext, signal: AbortSignal): AsyncIterable<string> {
  const stream = model.chat({ chatCtx });
  const onAbort = () => stream.close();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of stream) {
      if (signal.aborted) return;
      const delta = chunk.delta?.content;
      if (delta) yield delta;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stream.close();
  }
}

/**
 * Chunks text as it streams in and starts synthesising each chunk at once, so chunk N+1 is being
 * synthesised while chunk N plays. Synthesis requests are issued in order; the TTS decides how
 * many run at the same time.
 */
export function synthesizeChunks(text: AsyncIterable<string>, engine: tts.TTS, signal: AbortSignal): AsyncQueue<SpeechChunk> {
  const out = new AsyncQueue<SpeechChunk>();
  const chunker = new SentenceChunker();
  const emit = (chunks: string[]) => {
    for (const t of chunks) {
      if (signal.aborted) return;
      const stream = engine.synthesize(t, undefined, signal);
      out.push({ text: t, audio: frames(stream), cancel: () => stream.close() });
    }
  };
  void (async () => {
    for await (const delta of text) emit(chunker.push(delta));
    emit(chunker.flush());
  })().then(
    () => out.close(),
    (err: unknown) => out.fail(err), // the player sees it after the chunks already queued
  );
  return out;
}

async function* frames(stream: tts.ChunkedStream): AsyncIterable<AudioFrame> {
  for await (const audio of stream) yield audio.frame;
}

/** Plays chunks in order until they end or the signal fires. */
export async function playChunks(
  chunks: AsyncIterable<SpeechChunk>,
  out: AudioOut,
  cb: SpeakCallbacks,
  signal: AbortSignal,
): Promise<SpeakResult> {
  const token = out.begin();
  let spoken = '';
  let audioStarted = false;
  for await (const chunk of chunks) {
    if (signal.aborted) {
      chunk.cancel();
      continue; // drain so every pending synthesis is released
    }
    cb.onChunk(spoken ? `${spoken} ${chunk.text}` : chunk.text);
    let played = true;
    for await (const frame of chunk.audio) {
      if (signal.aborted || !(await out.write(token, frame))) {
        played = false;
        chunk.cancel();
        break;
      }
      if (!audioStarted) {
        audioStarted = true;
        cb.onFirstAudio();
      }
    }
    if (played) spoken = spoken ? `${spoken} ${chunk.text}` : chunk.text;
  }
  if (signal.aborted) return { spoken, audioStarted, completed: false };
  await out.drain();
  return { spoken, audioStarted, completed: !signal.aborted };
}
