/**
 * window.__voxanne — the page's test hook. A STABLE CONTRACT: the end-to-end tests (real
 * livekit-server + agent + Chromium) read it; change it only together with them, and bump `version`
 * when a field changes meaning.
 *
 * Read it with `page.evaluate(() => window.__voxanne)` or poll one field with
 * `page.waitForFunction(() => window.__voxanne.agentAudio.receivedMs > 1000)`. The object itself
 * stays the same for the page's lifetime; its fields are replaced (never mutated in place), and they
 * are plain JSON. A click on "Talk to Voxanne" resets everything for the new call.
 *
 * Times: `clickAtMs` is performance.now() at the click; every other `…AtMs` / `firstAudibleMs` is
 * milliseconds after that click. `receivedMs` is a duration.
 *
 *   version        1
 *   phase          'idle' | 'starting' | 'waiting-for-agent' | 'in-call' | 'ended' | 'failed'
 *   state          Voxanne's conversation state ('IDLE' | 'LISTENING' | 'PROCESSING' | 'SPEAKING' |
 *                  'INTERRUPTED'), from her data messages or her `voxanne.state` attribute; null until known
 *   stateHistory   [{ state, atMs }] every change of `state`, in order
 *   transcripts    [{ id, speaker: 'user' | 'agent', text, final }] as shown: an interim line is updated in
 *                  place (same speaker and id) until its final version arrives
 *   engines        { stt, llm, tts, offline } as Voxanne announced them, or null
 *   error          { kind, message } shown to the caller, or null. kinds: 'unsupported' | 'mic-denied' |
 *                  'mic-missing' | 'mic-failed' | 'server-unreachable' | 'agent-unavailable' | 'call-dropped' |
 *                  'unexpected'
 *   room, identity the LiveKit room and caller identity of this call (null before the token request)
 *   agentIdentity  Voxanne's participant identity once she has joined, else null
 *   agentAudio     measured on the RECEIVED agent track with Web Audio (AnalyserNode, read every 50 ms):
 *                  { receivedMs: ms with RMS > threshold, rms: latest RMS (0..1), peakRms,
 *                    firstAudibleMs: click → first audible agent audio (null: none yet), threshold }
 *   vad            on-device voice activity detection on the caller's microphone:
 *                  { status: 'off' | 'loading' | 'ready' | 'failed' | 'stopped', readyAtMs, error, speaking }
 *                  ('stopped' after the call; readyAtMs stays set if it ever became ready)
 *   vadEvents      [{ type: 'start' | 'end' | 'misfire', atMs }] speech starts and ends seen by that VAD
 *   metrics [{ turn, voiceToVoiceMs, sttFinalDelayMs, endOfTurnDelayMs, llmTtftMs, ttsTtfbMs, engines }] per answered
 *                  turn, as Voxanne measured them
 *   ducked         true while the agent's playback is lowered because the caller is speaking
 *   vadPrefetched  true once the page has fetched the VAD's files into the HTTP cache (after load, before any call;
 *                  kept across calls)
 *   timeline       where the time from the click to her greeting goes, each ms after the click (null: not yet):
 *                  { micMs: microphone open, tokenMs: token received, connectedMs: joined the LiveKit room,
 *                    agentJoinedMs: Voxanne seen in the room, trackSubscribedMs: her audio track subscribed,
 *                    firstSampleMs: her first audible sample (|x| > AUDIBLE_SAMPLE) on the received track,
 *                    dated to the sample within the analyser's window }
 *   connectionWarmed true once the page has warmed its way to LiveKit (room.prepareConnection) after load; kept across
 *   calls
 *   mic            { echoCancellation, noiseSuppression, autoGainControl } as the browser applies them to the
 *                  microphone (MediaStreamTrack.getSettings()), null before the microphone is open
 */
import type { ConversationState, EnginesInfo, TurnMetricsMessage } from '@voxanne/contracts/protocol';
import { AUDIBLE_RMS, SILENT_PRESENCE, type AudioPresence } from './audio-level.ts';
import type { CallModel, CallPhase, TranscriptLine } from './call-model.ts';
import type { MicProcessing } from './call-session.ts';
import type { VadStatus } from './local-vad.ts';
import type { PlainError } from './plain-errors.ts';

export interface VoxanneHook {
  version: 1;
  phase: CallPhase;
  state: ConversationState | null;
  stateHistory: readonly { state: ConversationState; atMs: number }[];
  transcripts: readonly TranscriptLine[];
  engines: EnginesInfo | null;
  metrics: readonly TurnMetricsMessage[];
  error: PlainError | null;
  room: string | null;
  identity: string | null;
  agentIdentity: string | null;
  clickAtMs: number | null;
  agentAudio: AudioPresence & { threshold: number };
  vad: { status: VadStatus; readyAtMs: number | null; error: string | null; speaking: boolean };
  vadEvents: readonly { type: 'start' | 'end' | 'misfire'; atMs: number }[];
  ducked: boolean;
  mic: MicProcessing | null;
  vadPrefetched: boolean;
  connectionWarmed: boolean;
  timeline: CallTimeline;
}

export const TIMELINE_STEPS = [
  'micMs',
  'tokenMs',
  'connectedMs',
  'agentJoinedMs',
  'trackSubscribedMs',
  'firstSampleMs',
] as const;
export type TimelineStep = (typeof TIMELINE_STEPS)[number];
export type CallTimeline = Record<TimelineStep, number | null>;

declare global {
  interface Window {
    __voxanne: VoxanneHook;
  }
}

function fresh(clickAtMs: number | null): VoxanneHook {
  return {
    version: 1,
    phase: 'idle',
    state: null,
    stateHistory: [],
    transcripts: [],
    engines: null,
    metrics: [],
    error: null,
    room: null,
    identity: null,
    agentIdentity: null,
    clickAtMs,
    agentAudio: { ...SILENT_PRESENCE, threshold: AUDIBLE_RMS },
    vad: { status: 'off', readyAtMs: null, error: null, speaking: false },
    vadEvents: [],
    ducked: false,
    mic: null,
    vadPrefetched: false,
    connectionWarmed: false,
    timeline: {
      micMs: null,
      tokenMs: null,
      connectedMs: null,
      agentJoinedMs: null,
      trackSubscribedMs: null,
      firstSampleMs: null,
    },
  };
}

export function installHook(): VoxanneHook {
  window.__voxanne = fresh(null);
  return window.__voxanne;
}

export function resetHook(hook: VoxanneHook, clickAtMs: number): void {
  Object.assign(hook, fresh(clickAtMs), { vadPrefetched: hook.vadPrefetched, connectionWarmed: hook.connectionWarmed });
}

/** Records the first time a step of the call was reached. */
export function markStep(hook: VoxanneHook, step: TimelineStep, atMs = sinceClick(hook)): void {
  if (hook.timeline[step] === null) hook.timeline = { ...hook.timeline, [step]: Math.round(atMs) };
}

/** Milliseconds since the click of the current call. */
export function sinceClick(hook: VoxanneHook): number {
  return hook.clickAtMs === null ? 0 : Math.round(performance.now() - hook.clickAtMs);
}

export function mirrorModel(hook: VoxanneHook, m: CallModel): void {
  hook.phase = m.phase;
  if (m.agentState !== hook.state && m.agentState !== null) {
    hook.stateHistory = [...hook.stateHistory, { state: m.agentState, atMs: sinceClick(hook) }];
  }
  hook.state = m.agentState;
  hook.transcripts = m.transcripts;
  hook.engines = m.engines;
  hook.metrics = m.metrics;
  hook.error = m.error;
}
