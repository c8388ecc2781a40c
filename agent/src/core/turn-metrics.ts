import type { TurnMetricsMessage } from '@voxanne/contracts/protocol';

/**
 * Per-turn latency, from timestamps the call records as things happen (call-relative ms).
 * Voice-to-voice is measured from the end of the caller's speech to her first audio frame leaving
 * the agent; the network to the caller comes on top (the benchmark measures that at the caller).
 */
export interface TurnMarks {
  /** the caller stopped speaking (VAD end of speech, back-dated by the silence it needed) */
  speechEndMs?: number;
  /** the final transcript arrived */
  sttFinalMs?: number;
  /** the turn was handed to the LLM */
  turnEndMs?: number;
  llmStartMs?: number;
  llmFirstTokenMs?: number;
  ttsStartMs?: number;
  ttsFirstAudioMs?: number;
  /** first frame handed to the outgoing track */
  firstAudioOutMs?: number;
}

/** The same shape the room protocol carries, so what is measured is what is published. */
export type TurnMetrics = TurnMetricsMessage;

const diff = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined ? null : Math.max(0, Math.round(b - a));

export function computeTurnMetrics(turn: number, m: TurnMarks, engines: TurnMetrics['engines']): TurnMetrics {
  return {
    turn,
    sttFinalDelayMs: diff(m.speechEndMs, m.sttFinalMs),
    endOfTurnDelayMs: diff(m.speechEndMs, m.turnEndMs),
    llmTtftMs: diff(m.llmStartMs, m.llmFirstTokenMs),
    ttsTtfbMs: diff(m.ttsStartMs, m.ttsFirstAudioMs),
    voiceToVoiceMs: diff(m.speechEndMs, m.firstAudioOutMs),
    engines,
  };
}
