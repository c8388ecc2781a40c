/**
 * Cloud speech through Deepgram: nova-3 streaming STT and Aura-2 TTS, for the engine picker.
 * Configuration comes in as parameters (parse it from the environment once, at start-up).
 */
import { AuraTTS } from './aura-tts.ts';
import { DeepgramSTT } from './deepgram-stt.ts';
import type { AudioEncoding } from './pcm-framer.ts';

export { AuraChunkedStream, AuraTTS, type AuraTTSOptions } from './aura-tts.ts';
export { DeepgramSpeechStream, DeepgramSTT, type DeepgramSTTOptions } from './deepgram-stt.ts';
export { DEFAULT_BASE_URL } from './sdk-client.ts';
export type { AudioEncoding } from './pcm-framer.ts';

export interface DeepgramEnginesConfig {
  apiKey: string;
  /** default https://api.deepgram.com; a proxy or the local fake in tests */
  baseUrl?: string;
  /** 'nova-3' (default) or 'nova-2' */
  sttModel?: string;
  /** Aura voice, default 'aura-2-thalia-en' */
  voice?: string;
  /**
   * The caller's audio rate for STT: 16000 (default), or 8000 for phone audio — which also makes
   * the voice μ-law at 8 kHz, unless ttsEncoding/ttsSampleRate say otherwise.
   */
  sampleRate?: number;
  ttsEncoding?: AudioEncoding;
  ttsSampleRate?: number;
  /** favoured words (clinic and doctor names) */
  keyterms?: string[];
  /** trailing silence (ms) after which Deepgram ends an utterance; DeepgramSTT's default otherwise */
  endpointingMs?: number;
}

export interface DeepgramEngines {
  stt: DeepgramSTT;
  tts: AuraTTS;
  /** human-readable names, e.g. { stt: 'deepgram nova-3', tts: 'deepgram aura-2-thalia-en' } */
  info: { stt: string; tts: string };
}

export function createDeepgramEngines(cfg: DeepgramEnginesConfig): DeepgramEngines {
  const sampleRate = cfg.sampleRate ?? 16000;
  const phone = sampleRate === 8000;
  const ttsEncoding = cfg.ttsEncoding ?? (phone ? 'mulaw' : 'linear16');
  const stt = new DeepgramSTT({
    apiKey: cfg.apiKey,
    baseUrl: cfg.baseUrl,
    model: cfg.sttModel ?? 'nova-3',
    sampleRate,
    keyterms: cfg.keyterms ?? [],
    ...(cfg.endpointingMs !== undefined ? { endpointingMs: cfg.endpointingMs } : {}),
  });
  const tts = new AuraTTS({
    apiKey: cfg.apiKey,
    baseUrl: cfg.baseUrl,
    voice: cfg.voice ?? 'aura-2-thalia-en',
    encoding: ttsEncoding,
    sampleRate: cfg.ttsSampleRate ?? (ttsEncoding === 'mulaw' ? 8000 : 48000),
  });
  return { stt, tts, info: { stt: stt.description, tts: tts.description } };
}
