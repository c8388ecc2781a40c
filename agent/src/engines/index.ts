/**
 * Engine selection: cloud engines where their keys are set, embedded offline ones otherwise. The
 * offline trio is always built: it is what a failing cloud engine falls back on mid-call.
 * Each engine implements the @livekit/agents STT / LLM / TTS interface, so the call code never
 * knows which one it talks to.
 */
import { inference, type VAD } from '@livekit/agents';
import { createRequire } from 'node:module';
import type { Engines, EngineTrio } from './types.ts';
import type { AgentConfig } from '../config.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { createDeepgramEngines } from './deepgram/index.ts';
import { FliteTTS } from './flite/index.ts';
import { createGroqLLM } from './groq/groq-llm.ts';
import { PocketsphinxSTT } from './pocketsphinx/index.ts';
import { PrefetchingLLM } from './prefetch-llm.ts';
import { RulesLLM } from './rules/rules-llm.ts';

export type EngineSet = Engines;

export async function createOfflineEngines(
  kb: KnowledgeBase,
  recogniser: { pocketsphinxLib?: string | undefined; sphinxbaseLib?: string | undefined } = {},
  /**
   * keep a decoder loaded ahead of the next stream (default true). Off for the fallback behind a cloud
   * STT: that spare held 75 MB and 0.6 s of start-up CPU in every job process for a failover that
   * rarely comes; without it the first fallback stream waits for its decoder to load (~150 ms)
   */
  spareDecoder = true,
): Promise<EngineTrio> {
  const stt = await PocketsphinxSTT.forKnowledgeBase(kb, { ...recogniser, prewarm: spareDecoder });
  const llm = new RulesLLM({ kb });
  const tts = new FliteTTS({ voice: 'slt', sampleRate: 48000 });
  return { stt, llm, tts, info: { stt: stt.description, llm: llm.description, tts: tts.description, offline: true } };
}

/**
 * Silero VAD tuned for barge-in: 60 ms of speech starts it (a word's onset), 300 ms of silence ends
 * it (used to time the end of the caller's speech, not to end turns); one threshold both ways, as
 * the ONNX plugin had. It runs in every call, on every 32 ms of the caller's audio, so it runs
 * natively: the library's `inference.VAD` on `@livekit/local-inference` (the same Silero model
 * compiled in, inference on libuv's thread pool) rather than `@livekit/agents-plugin-silero` on
 * onnxruntime-node in the main thread: 4.3 instead of 12.3 CPU-ms per second of audio, and no
 * onnxruntime (about 40 MB) in each job process (README "What a call costs").
 */
export async function loadVad(): Promise<VAD> {
  // Without its native binding the library's VAD would log a warning and hear nothing, which would
  // leave her deaf to barge-in: loading it here makes a missing binary an error at start instead.
  const native = createRequire(import.meta.url)('@livekit/local-inference') as { initVad(): void };
  native.initVad();
  return new inference.VAD({
    minSpeechDuration: 60,
    minSilenceDuration: 300,
    activationThreshold: 0.5,
    deactivationThreshold: 0.5,
  });
}

export async function createEngines(config: AgentConfig, kb: KnowledgeBase): Promise<EngineSet> {
  const [offline, vad] = await Promise.all([
    createOfflineEngines(
      kb,
      { pocketsphinxLib: config.POCKETSPHINX_LIB, sphinxbaseLib: config.SPHINXBASE_LIB },
      // pocketsphinx hears every call without Deepgram, and only a failing Deepgram's calls with it
      !config.DEEPGRAM_API_KEY,
    ),
    loadVad(),
  ]);
  const deepgram = config.DEEPGRAM_API_KEY
    ? createDeepgramEngines({
        apiKey: config.DEEPGRAM_API_KEY,
        baseUrl: config.DEEPGRAM_BASE_URL,
        sttModel: config.DEEPGRAM_STT_MODEL,
        voice: config.DEEPGRAM_VOICE,
        endpointingMs: config.DEEPGRAM_ENDPOINTING_MS,
        keyterms: [kb.clinic.name, ...kb.services.map((s) => s.name)],
      })
    : undefined;
  const groq = config.GROQ_API_KEY
    ? createGroqLLM({ apiKey: config.GROQ_API_KEY, baseURL: config.GROQ_BASE_URL, model: config.GROQ_MODEL })
    : undefined;
  if (!deepgram && !groq) return { ...offline, vad };
  const stt = deepgram?.stt ?? offline.stt;
  const tts = deepgram?.tts ?? offline.tts;
  // a cloud LLM answers the interim words while the STT is still confirming them (see prefetch-llm.ts)
  const prefetching = groq ? new PrefetchingLLM(groq.llm) : undefined;
  const llm = prefetching ?? offline.llm;
  return {
    stt,
    llm,
    ...(prefetching ? { prefetch: prefetching } : {}),
    tts,
    vad,
    info: {
      stt: deepgram?.info.stt ?? offline.info.stt,
      llm: groq?.info ?? offline.info.llm,
      tts: deepgram?.info.tts ?? offline.info.tts,
      offline: false,
    },
    fallback: offline,
  };
}
