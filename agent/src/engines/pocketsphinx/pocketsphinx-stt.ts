import { type APIConnectOptions, type AudioBuffer, mergeFrames, normalizeLanguage, stt } from '@livekit/agents';
import { basename } from 'node:path';
import type { EndpointerOptions } from '../../core/endpointer.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { DEBIAN_POCKETSPHINX, DECODER_SAMPLE_RATE, type DecoderConfig, PocketsphinxDecoder } from './decoder.ts';
import { buildDomainModel, type DomainModel, type DomainModelOptions } from './domain-model.ts';
import { checkPocketsphinxInstall } from './install-check.ts';
import { PocketsphinxStream, type UtteranceObserver } from './stream.ts';
import { ToDecoderRate } from './to-decoder-rate.ts';

export interface PocketsphinxSTTOptions {
  /** acoustic model directory; default the Debian en-us model */
  hmm?: string;
  /** pronunciation dictionary; default Debian's cmudict-en-us.dict */
  dict?: string;
  /** n-gram model (ARPA or binary); default Debian's general en-us.lm.bin. Ignored when jsgf is set. */
  lm?: string;
  /** JSGF grammar instead of an n-gram model */
  jsgf?: string;
  /** a general n-gram model interpolated with `lm` at decode time; forKnowledgeBase sets it */
  general?: { lm: string; domainWeight: number };
  pocketsphinxLib?: string;
  sphinxbaseLib?: string;
  /** further pocketsphinx flags, e.g. { '-beam': '1e-60' } */
  decoderArgs?: Readonly<Record<string, string>>;
  /** silence after speech that ends an utterance (ms); default 400 */
  endpointingMs?: number;
  /** a partial hypothesis is asked for after every this-many ms of speech; default 200 */
  interimIntervalMs?: number;
  /** fine-tuning of the endpointer (core/endpointer.ts); endpointingMs above wins */
  endpointer?: Omit<EndpointerOptions, 'sampleRate'>;
  /**
   * Keep one decoder loaded ahead of need, so a new stream starts decoding at once instead of
   * after the worker and model load (~150 ms). Default true.
   */
  prewarm?: boolean;
  /** told about every finished streaming utterance (timings for metrics and benchmarks) */
  onUtterance?: UtteranceObserver;
}

/**
 * Offline speech-to-text with CMU pocketsphinx (Debian's 0.8+5prealpha library, through koffi,
 * one decoder per stream in its own worker thread). Endpoints the audio itself, so it works
 * without a separate VAD. Best with a domain language model: see `forKnowledgeBase`.
 */
export class PocketsphinxSTT extends stt.STT {
  label = 'pocketsphinx.STT';
  readonly description = 'pocketsphinx (offline)';
  #config: DecoderConfig;
  #opts: PocketsphinxSTTOptions;
  #spare: PocketsphinxDecoder | undefined;
  #batch: PocketsphinxDecoder | undefined;
  #live = new Set<PocketsphinxDecoder>();
  #closed = false;
  /** the domain model this instance was built with, when made by forKnowledgeBase */
  domainModel: DomainModel | undefined;

  constructor(opts: PocketsphinxSTTOptions = {}) {
    super({ streaming: true, interimResults: true });
    this.#opts = opts;
    this.#config = {
      hmm: opts.hmm ?? DEBIAN_POCKETSPHINX.hmm,
      dict: opts.dict ?? DEBIAN_POCKETSPHINX.dict,
      ...(opts.jsgf !== undefined ? { jsgf: opts.jsgf } : { lm: opts.lm ?? DEBIAN_POCKETSPHINX.lm }),
      ...(opts.general && opts.jsgf === undefined ? { general: opts.general } : {}),
      pocketsphinxLib: opts.pocketsphinxLib,
      sphinxbaseLib: opts.sphinxbaseLib,
      extraArgs: opts.decoderArgs,
    };
    if (opts.prewarm ?? true) this.#spare = this.#newDecoder();
  }

  /**
   * Builds the clinic's language model and dictionary from its knowledge base (a few hundred ms)
   * and returns a recogniser using them.
   */
  static async forKnowledgeBase(
    kb: KnowledgeBase,
    opts: PocketsphinxSTTOptions & { model?: DomainModelOptions } = {},
  ): Promise<PocketsphinxSTT> {
    const { model: modelOpts, ...sttOpts } = opts;
    // a missing library is a clear error here, not a decoder thread that dies at the first call
    checkPocketsphinxInstall(sttOpts);
    const model = await buildDomainModel(kb, {
      ...(sttOpts.sphinxbaseLib ? { sphinxbaseLib: sttOpts.sphinxbaseLib } : {}),
      ...modelOpts,
    });
    const general = model.general ? { lm: model.general.lmPath, domainWeight: model.general.domainWeight } : undefined;
    const engine = new PocketsphinxSTT({ ...sttOpts, lm: model.lmPath, dict: model.dictPath, general });
    engine.domainModel = model;
    return engine;
  }

  override get model(): string {
    return basename(this.#config.lm ?? this.#config.jsgf ?? 'unknown');
  }

  override get provider(): string {
    return 'pocketsphinx';
  }

  /** Decoders (worker threads with a loaded model) not yet freed, the pre-warmed spare included. */
  get liveDecoders(): number {
    return this.#live.size;
  }

  #newDecoder(): PocketsphinxDecoder {
    const d = new PocketsphinxDecoder(this.#config);
    this.#live.add(d);
    void d.exited.then(() => this.#live.delete(d));
    return d;
  }

  /** The spare if it is healthy (and a new spare behind it), else a fresh decoder. */
  #takeDecoder(): PocketsphinxDecoder {
    if (this.#closed) throw new Error('pocketsphinx STT is closed');
    let d = this.#spare;
    this.#spare = undefined;
    if (!d || d.closed) d = this.#newDecoder();
    if (this.#opts.prewarm ?? true) this.#spare = this.#newDecoder();
    return d;
  }

  /** phoneBand: the caller is on a telephone line (8 kHz band), see core/audio/phone-band.ts */
  stream(options?: { connOptions?: APIConnectOptions; phoneBand?: boolean }): PocketsphinxStream {
    const endpointer = {
      ...this.#opts.endpointer,
      ...(this.#opts.endpointingMs !== undefined ? { endpointingMs: this.#opts.endpointingMs } : {}),
    };
    return new PocketsphinxStream(
      this,
      () => this.#takeDecoder(),
      { interimIntervalMs: this.#opts.interimIntervalMs ?? 200, endpointer, phoneBand: options?.phoneBand },
      options?.connOptions,
      this.#opts.onUtterance,
    );
  }

  /** Decodes a whole buffer as one utterance: no endpointing, one FINAL_TRANSCRIPT (text '' if nothing was heard). */
  protected async _recognize(buffer: AudioBuffer, abortSignal?: AbortSignal): Promise<stt.SpeechEvent> {
    abortSignal?.throwIfAborted();
    if (this.#closed) throw new Error('pocketsphinx STT is closed');
    const frame = mergeFrames(buffer);
    const convert = new ToDecoderRate();
    const chunks = [...convert.push(frame), ...convert.flush()];
    convert.close();
    const samples = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      samples.set(c, at);
      at += c.length;
    }
    // one decoder for all non-streaming requests; the worker answers them in turn
    if (!this.#batch || this.#batch.closed) this.#batch = this.#newDecoder();
    const result = await this.#batch.recognize(samples);
    abortSignal?.throwIfAborted();
    return {
      type: stt.SpeechEventType.FINAL_TRANSCRIPT,
      alternatives: [
        {
          language: normalizeLanguage('en'),
          text: result.text,
          startTime: 0,
          endTime: samples.length / DECODER_SAMPLE_RATE,
          confidence: 1,
        },
      ],
    };
  }

  /** Frees the spare and batch decoders. Streams close their own decoders when they end. */
  override async close(): Promise<void> {
    this.#closed = true;
    const idle = [this.#spare, this.#batch].filter((d): d is PocketsphinxDecoder => d !== undefined);
    this.#spare = undefined;
    this.#batch = undefined;
    await Promise.all(idle.map((d) => d.close()));
  }
}
