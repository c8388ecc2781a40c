/**
 * Deepgram Aura text-to-speech as a LiveKit agents TTS, on the official SDK's REST client.
 *
 * synthesize() plays the response body as it arrives: each network chunk is cut into 20 ms frames
 * at once (PcmFramer), so the first frame is out as soon as 20 ms of audio is in, not when the
 * body ends. stream() is the agents' own sentence-by-sentence adapter over synthesize().
 *
 * Cancelling: the SDK (4.11) takes no AbortSignal and ignores a custom fetch, so an abort or a
 * timeout before the response arrives can only stop waiting; the connection is torn down the
 * moment the response lands (its body is cancelled). Once the body is streaming, an abort cancels
 * it at once and the server sees the client go away.
 *
 * Errors: HTTP status → APIStatusError (401/400 final; 429/5xx retried by the base class), no
 * response within connOptions.timeoutMs → APITimeoutError (retried). A body that breaks after
 * audio was already handed out is final: a retry would say the start of the sentence twice.
 */
import type { DeepgramClient, SpeakRestClient } from '@deepgram/sdk';
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  DEFAULT_API_CONNECT_OPTIONS,
  log,
  shortuuid,
  tokenize,
  tts,
  type APIConnectOptions,
} from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { restError } from './errors.ts';
import { PcmFramer, type AudioEncoding } from './pcm-framer.ts';
import { deepgramClient } from './sdk-client.ts';

export interface AuraTTSOptions {
  apiKey: string;
  /** default https://api.deepgram.com */
  baseUrl?: string;
  /** Aura voice model, default 'aura-2-thalia-en' */
  voice?: string;
  /** 'linear16' (default) or 'mulaw' (telephone audio; decoded to 16-bit frames here) */
  encoding?: AudioEncoding;
  /** default 48000 for linear16, 8000 for mulaw */
  sampleRate?: number;
  /** frame length handed to LiveKit */
  frameMs?: number;
}

interface ResolvedOptions {
  voice: string;
  encoding: AudioEncoding;
  sampleRate: number;
  frameSamples: number;
}

const WHAT = 'Deepgram Aura TTS';

export class AuraTTS extends tts.TTS {
  label = 'deepgram.AuraTTS';
  readonly #opts: ResolvedOptions;
  readonly #client: DeepgramClient;
  #adapter: tts.StreamAdapter | undefined;

  constructor(opts: AuraTTSOptions) {
    const encoding = opts.encoding ?? 'linear16';
    const sampleRate = opts.sampleRate ?? (encoding === 'mulaw' ? 8000 : 48000);
    // streaming: false — stream() below is sentence-by-sentence over synthesize(), not a provider stream
    super(sampleRate, 1, { streaming: false });
    this.#opts = {
      voice: opts.voice ?? 'aura-2-thalia-en',
      encoding,
      sampleRate,
      frameSamples: Math.round((sampleRate * (opts.frameMs ?? 20)) / 1000),
    };
    this.#client = deepgramClient(opts.apiKey, opts.baseUrl);
  }

  override get model(): string {
    return this.#opts.voice;
  }

  override get provider(): string {
    return 'deepgram';
  }

  /** for logs and the engine picker, e.g. "deepgram aura-2-thalia-en" */
  get description(): string {
    return `deepgram ${this.#opts.voice}`;
  }

  override synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): AuraChunkedStream {
    return new AuraChunkedStream(this, text, this.#client, this.#opts, connOptions, abortSignal);
  }

  override stream(options?: { connOptions?: APIConnectOptions }): tts.SynthesizeStream {
    // one adapter for the TTS's lifetime: each adapter subscribes to this TTS's events
    this.#adapter ??= new tts.StreamAdapter(this, new tokenize.basic.SentenceTokenizer());
    return this.#adapter.stream(options);
  }

  override async close(): Promise<void> {
    await this.#adapter?.close();
    this.#adapter = undefined;
  }
}

type Read = ReadableStreamReadResult<Uint8Array> | 'aborted' | 'timeout';

export class AuraChunkedStream extends tts.ChunkedStream {
  label = 'deepgram.AuraChunkedStream';
  readonly #owner: AuraTTS;
  readonly #client: DeepgramClient;
  readonly #opts: ResolvedOptions;
  readonly #timeoutMs: number;
  readonly #maxRetry: number;
  #attempt = 0;

  constructor(
    owner: AuraTTS,
    text: string,
    client: DeepgramClient,
    opts: ResolvedOptions,
    connOptions?: APIConnectOptions,
    abortSignal?: AbortSignal,
  ) {
    super(text, owner, connOptions, abortSignal);
    this.#owner = owner;
    this.#client = client;
    this.#opts = opts;
    this.#timeoutMs = connOptions?.timeoutMs ?? DEFAULT_API_CONNECT_OPTIONS.timeoutMs;
    this.#maxRetry = connOptions?.maxRetry ?? DEFAULT_API_CONNECT_OPTIONS.maxRetry;
  }

  /**
   * One attempt. Retryable failures go back to the base class, which retries. A final failure is
   * reported here instead, because agents 1.9.0's ChunkedStream rethrows it from a promise nobody
   * awaits: an unhandled rejection, which crashes any process but the agents job process (that one
   * logs it at debug level). Reported the way the base class would: an 'error' event, not recoverable.
   */
  protected override async run(): Promise<void> {
    const attempt = this.#attempt++;
    try {
      await this.#attemptOnce();
    } catch (err) {
      if (err instanceof APIError && err.retryable && attempt < this.#maxRetry) throw err;
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.#owner.listenerCount('error') > 0) {
        this.#owner.emit('error', {
          type: 'tts_error',
          timestamp: Date.now(),
          label: this.#owner.label,
          error,
          recoverable: false,
        });
      } else {
        log().error({ err: error, tts: this.#owner.label }, 'speech synthesis failed');
      }
    }
  }

  async #attemptOnce(): Promise<void> {
    // Nothing to say is not an error; Deepgram would reject an empty text with a 400.
    if (!this.inputText.trim()) return;
    const body = await this.#request();
    if (!body) return; // aborted before the response arrived
    const reader = body.getReader();
    const requestId = shortuuid('aura_');
    const framer = new PcmFramer(this.#opts.encoding, this.#opts.frameSamples);
    let framesOut = 0;
    let done = false;
    const emit = (samples: Int16Array) => {
      if (this.queue.closed || this.abortSignal.aborted) return;
      const frame = new AudioFrame(samples, this.#opts.sampleRate, 1, samples.length);
      this.queue.put({ requestId, segmentId: requestId, frame, final: false });
      framesOut++;
    };
    try {
      for (;;) {
        let r: Read;
        try {
          r = await this.#read(reader);
        } catch (err) {
          throw new APIConnectionError({
            message: `${WHAT}: audio stream broke after ${framesOut} frames (${String(err)})`,
            options: { retryable: framesOut === 0 },
          });
        }
        if (r === 'aborted') return;
        if (r === 'timeout') {
          throw new APITimeoutError({
            message: `${WHAT}: no audio for ${this.#timeoutMs} ms`,
            options: { retryable: framesOut === 0 },
          });
        }
        if (r.done) break;
        for (const samples of framer.push(r.value)) emit(samples);
      }
      done = true;
      const last = framer.flush();
      if (last) emit(last);
    } finally {
      // cancelling an unfinished body closes the connection; the server sees the client go away
      if (!done) await reader.cancel().catch(() => undefined); // already failed or closed: nothing left to cancel
    }
  }

  /** Sends the request; resolves with the audio body, or undefined when aborted first. */
  async #request(): Promise<ReadableStream<Uint8Array> | undefined> {
    const o = this.#opts;
    const pending = this.#client.speak.request(
      { text: this.inputText },
      { model: o.voice, encoding: o.encoding, sample_rate: o.sampleRate, container: 'none' },
    );
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const outcome = await Promise.race([
      pending.then((client) => ({ client })),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.#timeoutMs))),
      new Promise<'aborted'>((resolve) => {
        onAbort = () => resolve('aborted');
        if (this.abortSignal.aborted) onAbort();
        else this.abortSignal.addEventListener('abort', onAbort, { once: true });
      }),
    ])
      .catch((err: unknown) => {
        throw restError(WHAT, err);
      })
      .finally(() => {
        clearTimeout(timer);
        if (onAbort) this.abortSignal.removeEventListener('abort', onAbort);
      });
    if (typeof outcome === 'object') {
      const body = await outcome.client.getStream();
      if (!body) throw new APIConnectionError({ message: `${WHAT}: response had no body` });
      return body;
    }
    // Abandoned: when (if) the response still arrives, drop its connection instead of downloading audio nobody plays.
    pending.then(abandon, () => undefined); // its failure no longer matters to anyone
    if (outcome === 'timeout')
      throw new APITimeoutError({ message: `${WHAT}: no response within ${this.#timeoutMs} ms` });
    return undefined;
  }

  async #read(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Read> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      return await Promise.race([
        reader.read(),
        new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.#timeoutMs))),
        new Promise<'aborted'>((resolve) => {
          onAbort = () => resolve('aborted');
          if (this.abortSignal.aborted) onAbort();
          else this.abortSignal.addEventListener('abort', onAbort, { once: true });
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onAbort) this.abortSignal.removeEventListener('abort', onAbort);
    }
  }
}

function abandon(client: SpeakRestClient): void {
  void client.result?.body?.cancel().catch(() => undefined); // cancelling is best effort on a response nobody wants
}
