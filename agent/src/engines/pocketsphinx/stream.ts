import { type APIConnectOptions, normalizeLanguage, stt } from '@livekit/agents';
import { PhoneBandFill } from '../../core/audio/phone-band.ts';
import { recognisedWords } from '../../core/text/recognised-words.ts';
import { Endpointer, type EndpointerEvent, type EndpointerOptions } from '../../core/endpointer.ts';
import { DECODER_SAMPLE_RATE, type PocketsphinxDecoder } from './decoder.ts';
import { ToDecoderRate } from './to-decoder-rate.ts';

export interface StreamTiming {
  /** ms of partial hypotheses: one is asked for after this much speech audio; default 200 */
  interimIntervalMs: number;
  endpointer: Omit<EndpointerOptions, 'sampleRate'>;
  /** telephone audio: the decoder (not the endpointer) gets the empty top band filled, see core/audio/phone-band.ts */
  phoneBand?: boolean;
}

/** Called for every finished utterance, for metrics and benchmarks. */
export type UtteranceObserver = (u: UtteranceTiming, stream: PocketsphinxStream) => void;

export interface UtteranceTiming {
  text: string;
  /** audio clock, ms since the stream began */
  startMs: number;
  endMs: number;
  /** ms the decoder spent on this utterance */
  decodeMs: number;
  /** CPU ms its thread used for it */
  cpuMs: number;
  /** ms of audio it decoded (pre-roll and trailing silence included) */
  audioMs: number;
  /** wall time (performance.now()) when the endpoint was detected and when the final was ready */
  endpointAt: number;
  finalAt: number;
}

const LANGUAGE = normalizeLanguage('en');

/**
 * A streaming recognition session: endpoints the caller's audio itself (core/endpointer), feeds
 * each utterance to its own pocketsphinx decoder, and emits START_OF_SPEECH, INTERIM_TRANSCRIPT
 * (when the partial hypothesis changes), FINAL_TRANSCRIPT (only when something was recognised)
 * and END_OF_SPEECH, then RECOGNITION_USAGE. Events leave in that order: each waits for the ones
 * before it, since answers from the decoder arrive later than the endpointer's decisions.
 */
export class PocketsphinxStream extends stt.SpeechStream {
  label = 'pocketsphinx.SpeechStream';
  #getDecoder: () => PocketsphinxDecoder;
  #timing: StreamTiming;
  #observer: UtteranceObserver | undefined;
  #chain: Promise<void> = Promise.resolve();
  #failure: unknown;
  /** the utterance being fed; the chain's work captures its own, as it runs behind the audio */
  #utterance: { startMs: number; lastInterim: string } = { startMs: 0, lastInterim: '' };
  #sinceInterimMs = 0;
  readonly #bandFill: PhoneBandFill | undefined;
  #markFinished!: () => void;
  /** Settles once the stream has stopped and freed its decoder (after endInput() or close()). */
  readonly finished: Promise<void> = new Promise((resolve) => (this.#markFinished = resolve));

  constructor(
    sttImpl: stt.STT,
    getDecoder: () => PocketsphinxDecoder,
    timing: StreamTiming,
    connOptions?: APIConnectOptions,
    observer?: UtteranceObserver,
  ) {
    // no sample rate for the base class: it can only resample mono, so conversion happens in run()
    super(sttImpl, undefined, connOptions);
    this.#getDecoder = getDecoder;
    this.#timing = timing;
    this.#bandFill = timing.phoneBand ? new PhoneBandFill() : undefined;
    this.#observer = observer;
  }

  #emit(ev: stt.SpeechEvent): void {
    if (!this.queue.closed) this.queue.put(ev);
  }

  /** Runs `work` after everything queued before it; the first failure stops the rest. */
  #then(work: () => Promise<void> | void): void {
    this.#chain = this.#chain
      .then(() => (this.#failure === undefined ? work() : undefined))
      .catch((err: unknown) => {
        this.#failure ??= err;
      });
  }

  #data(text: string, startMs: number, endMs: number): stt.SpeechData {
    return {
      language: LANGUAGE,
      text,
      startTime: this.startTimeOffset + startMs / 1000,
      endTime: this.startTimeOffset + endMs / 1000,
      confidence: 1,
    };
  }

  #handle(decoder: PocketsphinxDecoder, events: EndpointerEvent[], ep: Endpointer): void {
    for (const e of events) {
      if (e.type === 'speech_start') {
        this.#utterance = { startMs: e.atMs, lastInterim: '' };
        this.#sinceInterimMs = 0;
        decoder.startUtterance();
        decoder.process(this.#bandFill?.fill(e.audio) ?? e.audio);
        this.#then(() => this.#emit({ type: stt.SpeechEventType.START_OF_SPEECH }));
      } else if (e.type === 'audio') {
        // measured before process(), which transfers (detaches) the samples
        this.#sinceInterimMs += (e.audio.length * 1000) / DECODER_SAMPLE_RATE;
        decoder.process(this.#bandFill?.fill(e.audio) ?? e.audio);
        if (this.#sinceInterimMs >= this.#timing.interimIntervalMs && ep.inSpeech) {
          this.#sinceInterimMs = 0;
          this.#interim(decoder, ep.positionMs);
        }
      } else {
        this.#final(decoder, this.#utterance.startMs, e.atMs);
      }
    }
  }

  #interim(decoder: PocketsphinxDecoder, atMs: number): void {
    const partial = decoder.partial();
    partial.catch(() => {}); // awaited below, in order; this only keeps an early rejection from counting as unhandled
    const utterance = this.#utterance;
    this.#then(async () => {
      const text = recognisedWords(await partial);
      if (!text || text === utterance.lastInterim) return;
      utterance.lastInterim = text;
      this.#emit({
        type: stt.SpeechEventType.INTERIM_TRANSCRIPT,
        alternatives: [this.#data(text, utterance.startMs, atMs)],
      });
    });
  }

  #final(decoder: PocketsphinxDecoder, startMs: number, endMs: number): void {
    const endpointAt = performance.now();
    const result = decoder.endUtterance();
    result.catch(() => {}); // as in #interim
    this.#then(async () => {
      const r = await result;
      const finalAt = performance.now();
      // noise, a cough, a breath: the decoder found no words, so there is no final, only the end
      const text = recognisedWords(r.text);
      if (text)
        this.#emit({ type: stt.SpeechEventType.FINAL_TRANSCRIPT, alternatives: [this.#data(text, startMs, endMs)] });
      this.#emit({ type: stt.SpeechEventType.END_OF_SPEECH });
      const audioMs = (r.samples * 1000) / DECODER_SAMPLE_RATE;
      this.#observer?.(
        { text, startMs, endMs, decodeMs: r.decodeMs, cpuMs: r.cpuMs, audioMs, endpointAt, finalAt },
        this,
      );
    });
  }

  #reportUsage(totalMs: number): void {
    this.#then(() => {
      if (totalMs <= 0) return;
      this.#emit({ type: stt.SpeechEventType.RECOGNITION_USAGE, recognitionUsage: { audioDuration: totalMs / 1000 } });
    });
  }

  protected async run(): Promise<void> {
    try {
      await this.#run();
    } finally {
      this.#markFinished();
    }
  }

  async #run(): Promise<void> {
    if (this.abortSignal.aborted) return;
    const decoder = this.#getDecoder();
    const convert = new ToDecoderRate();
    const ep = new Endpointer({ sampleRate: DECODER_SAMPLE_RATE, ...this.#timing.endpointer });
    let heardMs = 0;
    try {
      // a model that does not load should fail the stream now, not at the caller's first word
      await decoder.ready;
      for await (const item of this.input) {
        if (this.abortSignal.aborted) break;
        if (this.#failure !== undefined) throw this.#failure;
        if (item === PocketsphinxStream.FLUSH_SENTINEL) {
          this.#handle(decoder, ep.flush(), ep);
          continue;
        }
        for (const chunk of convert.push(item)) {
          heardMs += (chunk.length * 1000) / DECODER_SAMPLE_RATE;
          this.#handle(decoder, ep.push(chunk), ep);
        }
      }
      if (!this.abortSignal.aborted) {
        for (const chunk of convert.flush()) this.#handle(decoder, ep.push(chunk), ep);
        this.#handle(decoder, ep.flush(), ep);
        this.#reportUsage(heardMs);
        await this.#chain;
        if (this.#failure !== undefined) throw this.#failure;
      }
    } finally {
      convert.close();
      // closing first settles any answer still owed, so the chain cannot hang after close()
      await decoder.close();
      // after close() the answers are unwanted and their rejections are not failures
      await this.#chain;
    }
  }
}
