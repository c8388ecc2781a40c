/**
 * What the call code needs to know of its engines. These types live here, below call/, so engine
 * selection (engines/index.ts) and the call (call/) both import them without importing each other.
 */
import type { llm, stt, tts, VAD } from '@livekit/agents';
import type { EnginesInfo } from '@voxanne/contracts/protocol';

export interface EngineTrio {
  stt: stt.STT;
  llm: llm.LLM;
  tts: tts.TTS;
  info: EnginesInfo;
}

/** What an LLM's `chat()` is asked with (the framework's own parameter type, named once). */
export type ChatRequest = Parameters<llm.LLM['chat']>[0];

/** An LLM request that may be started before the caller's final words are known (see prefetch-llm.ts). */
export interface LlmPrefetcher {
  prefetch(opts: ChatRequest): void;
  /** forgets the pending guess */
  drop(): void;
  /** requested: guesses sent; used: guesses the final transcript confirmed; dropped: the rest */
  readonly stats: { requested: number; used: number; dropped: number };
}

export interface Engines extends EngineTrio {
  /** voice activity detection on the caller's audio: what makes barge-in instant */
  vad?: VAD;
  /** embedded engines to fall back on when a cloud one fails; absent when already offline */
  fallback?: EngineTrio;
  /** set when `llm` can start answering interim words early (the same object as `llm`) */
  prefetch?: LlmPrefetcher;
}
