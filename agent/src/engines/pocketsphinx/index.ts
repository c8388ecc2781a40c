// The embedded offline speech-to-text engine (pocketsphinx through koffi, a worker thread per stream).
export { callerSentences, normalizeSentence, tokenizeCorpus } from './corpus.ts';
export {
  DEBIAN_POCKETSPHINX,
  DECODER_SAMPLE_RATE,
  type DecoderConfig,
  DecoderError,
  PocketsphinxDecoder,
  type UtteranceResult,
} from './decoder.ts';
export {
  buildDomainModel,
  type DomainModel,
  type DomainModelOptions,
  MissingPronunciationError,
} from './domain-model.ts';
export { CLINIC_PRONUNCIATIONS } from './lexicon.ts';
export { type Line, PocketsphinxSTT, type PocketsphinxSTTOptions } from './pocketsphinx-stt.ts';
export { PocketsphinxStream, type StreamTiming, type UtteranceObserver, type UtteranceTiming } from './stream.ts';
