import type { tts } from '@livekit/agents';
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
