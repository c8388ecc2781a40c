/** What the CallSession unit tests put around a call instead of LiveKit, the recogniser and the records API. */
import { type llm, stt, type tts } from '@livekit/agents';
import { defaultAgentLines } from '../../core/agent-lines.ts';
import type { CallRecorder, StateRecord, TurnRecord } from '../../records/types.ts';
import type { CallerAudioHandlers } from '../caller-audio.ts';
import type { CallSessionOptions } from '../call-session.ts';

/** The caller, fed to the session by hand instead of through a room (no VAD: the recogniser's own speech events). */
export function fakeCaller() {
  let h: CallerAudioHandlers | undefined;
  const ev = (type: stt.SpeechEventType, text?: string) =>
    h!.onSpeech({
      type,
      ...(text !== undefined
        ? { alternatives: [{ text, language: 'en', startTime: 0, endTime: 0, confidence: 1 }] }
        : {}),
    } as stt.SpeechEvent);
  const caller = {
    listen: (handlers: CallerAudioHandlers) => {
      h = handlers;
      return { start() {}, close() {} };
    },
    startsSpeaking: () => ev(stt.SpeechEventType.START_OF_SPEECH),
    says: (text: string) => ev(stt.SpeechEventType.FINAL_TRANSCRIPT, text),
    stops: () => ev(stt.SpeechEventType.END_OF_SPEECH),
    /** the recogniser's stream failed for good: what the session hands back to listen with (none: retry the same) */
    recogniserFails: (err: Error) => h!.onSttFailure(err),
    /** a whole utterance: speech starts, its final transcript, speech ends */
    speaks(text: string) {
      caller.startsSpeaking();
      caller.says(text);
      caller.stops();
    },
  };
  return caller;
}

/** A records store that keeps what it is told. */
export function fakeRecorder() {
  const turns: TurnRecord[] = [];
  const stateRecords: StateRecord[] = [];
  const recorder: CallRecorder = {
    start() {},
    turn: (_id, t) => void turns.push(t),
    state: (_id, s) => void stateRecords.push(s),
    end() {},
    flush: async () => 0,
  };
  return {
    recorder,
    turns,
    stateRecords,
    /** the states recorded, in order */
    get states(): string[] {
      return stateRecords.map((s) => s.state);
    },
  };
}

/**
 * A CallSession's options in a unit test: the engines around the test's model and voice, the fixed
 * greeting the tests listen for, the clinic's default lines, no instructions, and a hang-up that does
 * nothing; `rest` adds or replaces what the test is about.
 */
export function sessionOptions(
  o: { llm: llm.LLM; tts: tts.TTS; llmName?: string; clinic?: string },
  rest: Pick<CallSessionOptions, 'callId' | 'room' | 'caller' | 'clock' | 'logger'> & Partial<CallSessionOptions>,
): CallSessionOptions {
  return {
    engines: {
      stt: {} as stt.STT,
      llm: o.llm,
      tts: o.tts,
      info: { stt: 'x', llm: o.llmName ?? 'x', tts: 'flite', offline: true },
    },
    greeting: { text: 'Hello, this is Voxanne.' },
    lines: defaultAgentLines(o.clinic ?? 'Riverside'),
    instructions: '',
    hangUp: async () => {},
    ...rest,
  };
}
