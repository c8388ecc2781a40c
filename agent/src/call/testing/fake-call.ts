/** What the CallSession unit tests put around a call instead of LiveKit, the recogniser and the records API. */
import { stt } from '@livekit/agents';
import type { CallRecorder, StateRecord, TurnRecord } from '../../records/types.ts';
import type { CallerAudioHandlers } from '../caller-audio.ts';

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
