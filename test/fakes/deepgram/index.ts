export { startFakeDeepgram, type FakeDeepgram, type FakeDeepgramOptions } from './fake-deepgram.ts';
export { ScriptedTranscriber } from './script.ts';
export { DEFAULT_VAD, type VadOptions } from './energy-vad.ts';
export { mulawDecode, mulawEncode } from './g711.ts';
export {
  bytesToPcm,
  concatPcm,
  noise,
  pcmToBytes,
  silence,
  speechLike,
  DEFAULT_SPEECH_LIKE,
  type SpeechLikeOptions,
} from './speech-signal.ts';
export {
  DEFAULT_PROFILE,
  type Endpoint,
  type Fault,
  type JsonMessage,
  type LatencyProfile,
  type ListenRecord,
  type SpeakHold,
  type SpeakOutcome,
  type SpeakRecord,
  type SpeechSegment,
  type Synthesizer,
  type Transcriber,
} from './types.ts';
