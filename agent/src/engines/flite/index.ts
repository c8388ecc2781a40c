// The embedded offline TTS engine (flite compiled to WASI, run in a worker thread).
export { FLITE_VOICES, type FliteVoice, FlitePool, sharedFlitePool } from './flite-pool.ts';
export { FliteSynthesizeStream } from './flite-stream.ts';
export { FliteChunkedStream, FliteTTS, type FliteTTSOptions } from './flite-tts.ts';
export { FRAME_MS, type SynthesizeFn } from './speech-frames.ts';
export { FLITE_VOICE_RATES, type Speech, synthesize, type SynthesizeOptions } from './synthesize.ts';
export { synthesizeToWav, type WavFileOptions } from './wav-file.ts';
