/**
 * What the page shows, as a pure reducer: the call's phase, Voxanne's conversation state, the
 * transcript and the engines. call-session.ts turns LiveKit and microphone happenings into CallEvents;
 * view.ts draws the model; the test hook mirrors it.
 */
import {
  CONVERSATION_STATES,
  type AgentMessage,
  type ConversationState,
  type EnginesInfo,
  type TurnMetricsMessage,
  type Speaker,
} from '@voxanne/contracts/protocol';
import { plainError, type ErrorKind, type PlainError } from './plain-errors.ts';

export const CALL_PHASES = ['idle', 'starting', 'waiting-for-agent', 'in-call', 'ended', 'failed'] as const;
export type CallPhase = (typeof CALL_PHASES)[number];

export interface TranscriptLine {
  id: string;
  speaker: Speaker;
  text: string;
  final: boolean;
}

export interface CallModel {
  phase: CallPhase;
  /** Voxanne's conversation state; null until she reports one */
  agentState: ConversationState | null;
  transcripts: readonly TranscriptLine[];
  engines: EnginesInfo | null;
  error: PlainError | null;
  /** on-device VAD: the caller is talking */
  userSpeaking: boolean;
  reconnecting: boolean;
  /** the browser blocked playback; the page must offer a button to start audio */
  audioBlocked: boolean;
  /** per-turn latency Voxanne reported, oldest first */
  metrics: readonly TurnMetricsMessage[];
}

export type CallEvent =
  | { type: 'start' }
  | { type: 'connected' }
  | { type: 'agent-joined' }
  | { type: 'agent-message'; message: AgentMessage }
  | { type: 'agent-state'; state: ConversationState }
  | { type: 'engines'; engines: EnginesInfo }
  | { type: 'user-speaking'; speaking: boolean }
  | { type: 'reconnecting' }
  | { type: 'reconnected' }
  | { type: 'audio-blocked'; blocked: boolean }
  | { type: 'failed'; kind: ErrorKind }
  /** Voxanne or the server ended the call */
  | { type: 'ended' }
  /** the caller pressed Hang up */
  | { type: 'hung-up' };

export const INITIAL_MODEL: CallModel = {
  phase: 'idle',
  agentState: null,
  transcripts: [],
  engines: null,
  error: null,
  userSpeaking: false,
  reconnecting: false,
  audioBlocked: false,
  metrics: [],
};

const ACTIVE: readonly CallPhase[] = ['starting', 'waiting-for-agent', 'in-call'];
export const isActive = (phase: CallPhase): boolean => ACTIVE.includes(phase);

export function reduceCall(m: CallModel, e: CallEvent): CallModel {
  if (e.type === 'start') {
    return isActive(m.phase) ? m : { ...INITIAL_MODEL, phase: 'starting' };
  }
  // Back to the start, but what was said stays readable until the next call.
  if (e.type === 'hung-up') return { ...INITIAL_MODEL, transcripts: m.transcripts };
  // After the call is over, late events from its teardown must not change what the caller sees.
  if (!isActive(m.phase)) return m;

  switch (e.type) {
    case 'connected':
      return m.phase === 'starting' ? { ...m, phase: 'waiting-for-agent' } : m;
    case 'agent-joined':
      return { ...m, phase: 'in-call' };
    case 'agent-state':
      return { ...m, agentState: e.state };
    case 'engines':
      return { ...m, engines: e.engines };
    case 'agent-message':
      return applyMessage(m, e.message);
    case 'user-speaking':
      return { ...m, userSpeaking: e.speaking };
    case 'reconnecting':
      return { ...m, reconnecting: true };
    case 'reconnected':
      return { ...m, reconnecting: false };
    case 'audio-blocked':
      return { ...m, audioBlocked: e.blocked };
    case 'failed':
      return {
        ...m,
        phase: 'failed',
        error: plainError(e.kind),
        userSpeaking: false,
        reconnecting: false,
        audioBlocked: false,
      };
    case 'ended':
      return { ...m, phase: 'ended', userSpeaking: false, reconnecting: false, audioBlocked: false };
  }
}

function applyMessage(m: CallModel, msg: AgentMessage): CallModel {
  switch (msg.type) {
    case 'state':
      return { ...m, agentState: msg.state };
    case 'engines':
      return { ...m, engines: msg.engines };
    case 'transcript':
      return { ...m, transcripts: upsertTranscript(m.transcripts, msg) };
    case 'metrics':
      return { ...m, metrics: [...m.metrics, msg.metrics] };
  }
}

/**
 * Interim text replaces the line with the same speaker and id in place; a final line is fixed and a
 * late interim for it (reordering, retransmission) is ignored. New ids append.
 */
export function upsertTranscript(lines: readonly TranscriptLine[], t: TranscriptLine): readonly TranscriptLine[] {
  const i = lines.findIndex((l) => l.id === t.id && l.speaker === t.speaker);
  const line: TranscriptLine = { id: t.id, speaker: t.speaker, text: t.text, final: t.final };
  if (i < 0) return [...lines, line];
  if (lines[i]!.final) return lines;
  return lines.map((l, j) => (j === i ? line : l));
}

/** The agent's `voxanne.state` attribute; anything unknown is treated as absent. */
export function parseStateAttribute(value: string | undefined): ConversationState | null {
  return value !== undefined && (CONVERSATION_STATES as readonly string[]).includes(value)
    ? (value as ConversationState)
    : null;
}

/** The agent's `voxanne.engines` attribute: the EnginesInfo as JSON. Malformed means "not announced yet". */
export function parseEnginesAttribute(value: string | undefined): EnginesInfo | null {
  if (!value) return null;
  let e: unknown;
  try {
    e = JSON.parse(value);
  } catch {
    return null; // see above: a malformed attribute is not the caller's problem, the data message will follow
  }
  if (typeof e !== 'object' || e === null) return null;
  const o = e as Record<string, unknown>;
  return typeof o.stt === 'string' &&
    typeof o.llm === 'string' &&
    typeof o.tts === 'string' &&
    typeof o.offline === 'boolean'
    ? { stt: o.stt, llm: o.llm, tts: o.tts, offline: o.offline }
    : null;
}

export const STATE_LABELS: Readonly<Record<ConversationState, string>> = {
  IDLE: 'Ready when you are',
  LISTENING: 'Listening…',
  PROCESSING: 'Thinking…',
  SPEAKING: 'Speaking',
  INTERRUPTED: 'Go ahead — listening',
};

/** The one-line status under the button. */
export function statusLabel(m: CallModel): string {
  switch (m.phase) {
    case 'idle':
      return 'Press the button and speak as you would on the phone.';
    case 'starting':
      return 'Connecting…';
    case 'waiting-for-agent':
      return 'Waiting for Voxanne to pick up…';
    case 'in-call':
      if (m.reconnecting) return 'Reconnecting…';
      return m.agentState ? STATE_LABELS[m.agentState] : 'Voxanne is joining…';
    case 'ended':
      return 'Call ended';
    case 'failed':
      return 'Call not connected';
  }
}

/** The engines as the agent names them (its names already say "(offline)" where that applies). */
export function enginesLines(e: EnginesInfo): string[] {
  const lines = [`Speech recognition: ${e.stt}`, `Language model: ${e.llm}`, `Voice: ${e.tts}`];
  return e.offline ? [...lines, 'Everything runs on this machine; no cloud service is used'] : lines;
}
