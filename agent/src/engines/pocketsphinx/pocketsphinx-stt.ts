import { type APIConnectOptions, type AudioBuffer, mergeFrames, normalizeLanguage, stt } from '@livekit/agents';
import { basename } from 'node:path';
import type { EndpointerOptions } from '../../core/endpointer.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { DEBIAN_POCKETSPHINX, DECODER_SAMPLE_RATE, type DecoderConfig, PocketsphinxDecoder } from './decoder.ts';
import { buildDomainModel, type DomainModel, type DomainModelOptions } from './domain-model.ts';
import { checkPocketsphinxInstall } from './install-check.ts';
import { phoneFeatParams } from './phone-cmn.ts';
import { PocketsphinxStream, type UtteranceObserver } from './stream.ts';
import { ToDecoderRate } from './to-decoder-rate.ts';

/** The kind of line a stream's audio came over: a phone line is 8 kHz narrowband. */
export type Line = 'wideband' | 'phone';

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
  /**
   * Telephone streams (`stream({ phoneBand: true })`: SIP and Twilio callers, an 8 kHz line) decode with
   * their own interpolation: `general` for them, or false for `lm` alone. Default: as wideband streams.
   * forKnowledgeBase sets it from the model's phoneDomainWeight.
   */
  phone?: { general: { lm: string; domainWeight: number } | false };
  pocketsphinxLib?: string;
  sphinxbaseLib?: string;
  /** further pocketsphinx flags, e.g. { '-beam': '1e-60' } */
  decoderArgs?: Readonly<Record<string, string>>;
  /**
   * Where files derived from the model go (a phone line's feat.params, see phone-cmn.ts); default the domain
   * models' cache (DEFAULT_MODEL_CACHE_DIR). forKnowledgeBase passes its model.cacheDir.
   */
  cacheDir?: string;
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
 * Decoder flags of phone lines (8 kHz callers) beside their starting mean (phone-cmn.ts): each frame is scored
 * against the 8 best Gaussians of each codebook, not pocketsphinx's default 4. Narrowband audio lies far from
 * what the wideband model was trained on, and the 4 nearest Gaussians miss too often. Chosen on the domain and
 * fresh sets (`npm run bench:stt -- --phone --pace fast`, idle machine, two runs each: 17.9% → 17.0% over the two
 * sets); the held-out set run afterwards: 23.9% → 21.8%, all three 20.1% → 18.2%. 16 cost more CPU for 0.1 point;
 * wider beams or no cap on HMMs per frame, nothing. The decoder's CPU per second of audio: 0.089 → 0.111 (p50).
 * Web callers keep the defaults. `decoderArgs` still win (the bench's `--decoder-args=-topn=4` compares).
 */
export const PHONE_DECODER_ARGS: Readonly<Record<string, string>> = { '-topn': '8' };

/**
 * Offline speech-to-text with CMU pocketsphinx (Debian's 0.8+5prealpha library, through koffi,
 * one decoder per stream in its own worker thread). Endpoints the audio itself, so it works
 * without a separate VAD. Best with a domain language model: see `forKnowledgeBase`.
 */
export class PocketsphinxSTT extends stt.STT {
  label = 'pocketsphinx.STT';
  readonly description = 'pocketsphinx (offline)';
  /**
   * decoder settings per kind of line: the stream's audio band chooses (see `stream`); the phone line's
   * starting-mean flags are added when its first decoder is made (#decoderConfig)
   */
  #configs: Record<Line, DecoderConfig>;
  #phoneFeatParams: Record<string, string> | undefined;
  #opts: PocketsphinxSTTOptions;
  /** a loaded decoder waiting per line; the phone one only once a phone stream has been opened */
  #spares: Partial<Record<Line, PocketsphinxDecoder>> = {};
  #batch: PocketsphinxDecoder | undefined;
  #live = new Set<PocketsphinxDecoder>();
  #closed = false;
  /** the domain model this instance was built with, when made by forKnowledgeBase */
  domainModel: DomainModel | undefined;

  constructor(opts: PocketsphinxSTTOptions = {}) {
    super({ streaming: true, interimResults: true });
    this.#opts = opts;
    const base: DecoderConfig = {
      hmm: opts.hmm ?? DEBIAN_POCKETSPHINX.hmm,
      dict: opts.dict ?? DEBIAN_POCKETSPHINX.dict,
      ...(opts.jsgf !== undefined ? { jsgf: opts.jsgf } : { lm: opts.lm ?? DEBIAN_POCKETSPHINX.lm }),
      pocketsphinxLib: opts.pocketsphinxLib,
      sphinxbaseLib: opts.sphinxbaseLib,
      extraArgs: opts.decoderArgs,
    };
    const mixed = (general: PocketsphinxSTTOptions['general'] | false | undefined): DecoderConfig =>
      general && opts.jsgf === undefined ? { ...base, general } : base;
    const phone = mixed(opts.phone ? opts.phone.general : opts.general);
    this.#configs = { wideband: mixed(opts.general), phone };
    if (opts.prewarm ?? true) this.#spares.wideband = this.#newDecoder('wideband');
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
    const g = model.general;
    const general = g ? { lm: g.lmPath, domainWeight: g.domainWeight } : undefined;
    // a phone weight of 1 is the clinic's model alone
    const phone = {
      general: g && g.phoneDomainWeight < 1 ? { lm: g.lmPath, domainWeight: g.phoneDomainWeight } : (false as const),
    };
    const engine = new PocketsphinxSTT({
      ...(modelOpts?.cacheDir !== undefined ? { cacheDir: modelOpts.cacheDir } : {}),
      ...sttOpts,
      lm: model.lmPath,
      dict: model.dictPath,
      general,
      phone,
    });
    engine.domainModel = model;
    return engine;
  }

  override get model(): string {
    const c = this.#configs.wideband;
    return basename(c.lm ?? c.jsgf ?? 'unknown');
  }

  override get provider(): string {
    return 'pocketsphinx';
  }

  /** Decoders (worker threads with a loaded model) not yet freed, the pre-warmed spare included. */
  get liveDecoders(): number {
    return this.#live.size;
  }

  /** The language-model interpolation a stream on this line decodes with (undefined: the clinic's model alone). */
  interpolation(line: Line): { lm: string; domainWeight: number } | undefined {
    return this.#configs[line].general;
  }

  /**
   * The pocketsphinx flags a stream on this line decodes with beyond the model and dictionary: a phone line's
   * PHONE_DECODER_ARGS and its starting mean (phone-cmn.ts), then `decoderArgs`.
   */
  lineFlags(line: Line): Readonly<Record<string, string>> {
    const c = this.#configs[line];
    if (line === 'wideband') return { ...c.extraArgs };
    // written to disk once, and only by an engine that opens a phone stream (or asks)
    this.#phoneFeatParams ??= phoneFeatParams(c.hmm, this.#opts.cacheDir);
    return { ...PHONE_DECODER_ARGS, ...this.#phoneFeatParams, ...c.extraArgs };
  }

  #decoderConfig(line: Line): DecoderConfig {
    return { ...this.#configs[line], extraArgs: this.lineFlags(line) };
  }

  #newDecoder(line: Line): PocketsphinxDecoder {
    const d = new PocketsphinxDecoder(this.#decoderConfig(line));
    this.#live.add(d);
    void d.exited.then(() => this.#live.delete(d));
    return d;
  }

  /** The line's spare if it is healthy (and a new spare behind it), else a fresh decoder. */
  #takeDecoder(line: Line): PocketsphinxDecoder {
    if (this.#closed) throw new Error('pocketsphinx STT is closed');
    let d = this.#spares[line];
    this.#spares[line] = undefined;
    if (!d || d.closed) d = this.#newDecoder(line);
    if (this.#opts.prewarm ?? true) this.#spares[line] = this.#newDecoder(line);
    return d;
  }

  /**
   * phoneBand: the caller is on a telephone line (8 kHz band: SIP, Twilio). Such a stream gets the
   * phone-band fill (core/audio/phone-band.ts) and the telephone decoder settings (`phone`). The line,
   * not the frames' rate, decides: a SIP caller's track reaches the agent at 48 kHz like anyone's.
   */
  stream(options?: { connOptions?: APIConnectOptions; phoneBand?: boolean }): PocketsphinxStream {
    const line: Line = options?.phoneBand ? 'phone' : 'wideband';
    const endpointer = {
      ...this.#opts.endpointer,
      ...(this.#opts.endpointingMs !== undefined ? { endpointingMs: this.#opts.endpointingMs } : {}),
    };
    return new PocketsphinxStream(
      this,
      () => this.#takeDecoder(line),
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
    if (!this.#batch || this.#batch.closed) this.#batch = this.#newDecoder('wideband');
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
    const idle = [this.#spares.wideband, this.#spares.phone, this.#batch].filter(
      (d): d is PocketsphinxDecoder => d !== undefined,
    );
    this.#spares = {};
    this.#batch = undefined;
    await Promise.all(idle.map((d) => d.close()));
  }
}
