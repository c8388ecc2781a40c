/**
 * Deepgram streaming speech-to-text (nova-3, or nova-2 by setting) as a LiveKit agents STT, on the
 * official SDK's live client.
 *
 * Retries live in one place, the agents base class: run() is one connection; when it fails with a
 * retryable APIError the base waits and calls run() again (bounded by connOptions.maxRetry, reset
 * by every final transcript). What this file adds so that a retry loses nothing:
 * - audio frames not yet taken from the input stay queued (the pending read survives the attempt);
 * - audio Deepgram has not finalized is replayed to the new connection (ReplayBuffer), so the
 *   words being spoken when the socket dropped are still transcribed;
 * - the speaking state survives, so the consumer sees one START/END pair per utterance.
 * A rejected handshake is a typed status error: 401/403/400 end the stream at once, 429/5xx retry.
 */
import type { DeepgramClient, LiveSchema } from '@deepgram/sdk';
import { APITimeoutError, DEFAULT_API_CONNECT_OPTIONS, log, stt, type APIConnectOptions } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import { closeError } from './errors.ts';
import { LiveConnection, type CloseInfo } from './live-connection.ts';
import { isResults, LiveTranscript } from './live-events.ts';
import { ReplayBuffer } from './replay-buffer.ts';
import { deepgramClient } from './sdk-client.ts';

export interface DeepgramSTTOptions {
  apiKey: string;
  /** default https://api.deepgram.com */
  baseUrl?: string;
  /** 'nova-3' (default) or 'nova-2' */
  model?: string;
  /** audio sent to Deepgram, Hz; frames at other rates are resampled. 16000 (8000 for phone audio) */
  sampleRate?: number;
  /**
   * trailing silence that ends an utterance (Deepgram `endpointing`); false turns endpointing off. Default 100
   * (whether the caller is done is the turn core's decision: core/end-of-turn.ts)
   */
  endpointingMs?: number | false;
  /** word gap after which Deepgram sends UtteranceEnd (needs interim results; at least 1000). Default 1000 */
  utteranceEndMs?: number | undefined;
  interimResults?: boolean;
  language?: string;
  /** words to favour: `keyterm` on nova-3, `keywords` on older models */
  keyterms?: string[];
  punctuate?: boolean;
  smartFormat?: boolean;
  /** with no audio to send for this long, a KeepAlive goes instead (Deepgram hangs up after 10 s) */
  keepAliveIntervalMs?: number;
  /** audio sent but not a single message back for this long: the connection is dead, reconnect */
  serverSilenceTimeoutMs?: number;
  /** most unfinalized audio kept for replay after a reconnect */
  maxReplayMs?: number;
  /** default connection options for stream() */
  connOptions?: Partial<APIConnectOptions>;
}

type ResolvedOptions = Required<Omit<DeepgramSTTOptions, 'baseUrl' | 'utteranceEndMs' | 'connOptions'>> & {
  utteranceEndMs: number | undefined;
  connOptions: APIConnectOptions;
};

const WHAT = 'Deepgram live transcription';

export class DeepgramSTT extends stt.STT {
  label = 'deepgram.STT';
  readonly #opts: ResolvedOptions;
  readonly #client: DeepgramClient;

  constructor(opts: DeepgramSTTOptions) {
    const interimResults = opts.interimResults ?? true;
    super({ streaming: true, interimResults });
    this.#opts = {
      apiKey: opts.apiKey,
      model: opts.model ?? 'nova-3',
      sampleRate: opts.sampleRate ?? 16000,
      endpointingMs: opts.endpointingMs ?? 100,
      utteranceEndMs: 'utteranceEndMs' in opts ? opts.utteranceEndMs : 1000,
      interimResults,
      language: opts.language ?? 'en-US',
      keyterms: opts.keyterms ?? [],
      punctuate: opts.punctuate ?? true,
      smartFormat: opts.smartFormat ?? true,
      keepAliveIntervalMs: opts.keepAliveIntervalMs ?? 4000,
      serverSilenceTimeoutMs: opts.serverSilenceTimeoutMs ?? 10_000,
      maxReplayMs: opts.maxReplayMs ?? 10_000,
      connOptions: {
        ...DEFAULT_API_CONNECT_OPTIONS,
        maxRetry: 4,
        retryIntervalMs: 1000,
        timeoutMs: 5000,
        ...opts.connOptions,
      },
    };
    this.#client = deepgramClient(opts.apiKey, opts.baseUrl);
  }

  override get model(): string {
    return this.#opts.model;
  }

  override get provider(): string {
    return 'deepgram';
  }

  /** for logs and the engine picker, e.g. "deepgram nova-3" */
  get description(): string {
    return `deepgram ${this.#opts.model}`;
  }

  get sampleRate(): number {
    return this.#opts.sampleRate;
  }

  /** The query Deepgram gets: 16-bit mono PCM at sampleRate, VAD events on so speech starts are prompt. */
  liveSchema(): LiveSchema {
    const o = this.#opts;
    const schema: LiveSchema = {
      model: o.model,
      language: o.language,
      encoding: 'linear16',
      sample_rate: o.sampleRate,
      channels: 1,
      interim_results: o.interimResults,
      punctuate: o.punctuate,
      smart_format: o.smartFormat,
      endpointing: o.endpointingMs,
      vad_events: true,
    };
    if (o.interimResults && o.utteranceEndMs !== undefined) schema.utterance_end_ms = o.utteranceEndMs;
    if (o.keyterms.length) {
      if (o.model.startsWith('nova-3')) schema.keyterm = o.keyterms;
      else schema.keywords = o.keyterms;
    }
    return schema;
  }

  protected override async _recognize(): Promise<stt.SpeechEvent> {
    throw new Error('DeepgramSTT transcribes streams only: use stream()');
  }

  override stream(options?: { connOptions?: APIConnectOptions }): DeepgramSpeechStream {
    return new DeepgramSpeechStream(this, this.#client, this.#opts, options?.connOptions ?? this.#opts.connOptions);
  }
}

// the only symbol on the input is the base class's (protected) FLUSH_SENTINEL
type Input = IteratorResult<AudioFrame | symbol>;
type PumpEvent =
  { kind: 'input'; r: Input } | { kind: 'closed'; c: CloseInfo } | { kind: 'abort' } | { kind: 'stalled' };

function timer(ms: number): { promise: Promise<void>; cancel(): void } {
  let handle: NodeJS.Timeout | undefined;
  const promise = new Promise<void>((resolve) => (handle = setTimeout(resolve, ms)));
  return { promise, cancel: () => clearTimeout(handle) };
}

/**
 * Audio goes to Deepgram in 20 ms messages, two of the call's 10 ms frames each: Deepgram asks for
 * 20–100 ms per message, and every message is a WebSocket frame, a socket write and the SDK's work on
 * the job's main thread (half of its Deepgram cost at 10 ms). The words reach it at most 10 ms later.
 */
const MESSAGE_MS = 20;

/**
 * 16-bit mono PCM bytes of a frame (linear16 is little-endian, as Int16Array is on every platform Node
 * runs on); a mono frame's own bytes, not a copy: the caller copies them into the next message.
 */
function monoBytes(frame: AudioFrame): Uint8Array {
  if (frame.channels === 1)
    return new Uint8Array(frame.data.buffer, frame.data.byteOffset, frame.samplesPerChannel * 2);
  const mono = new Int16Array(frame.samplesPerChannel);
  for (let i = 0; i < mono.length; i++) {
    let sum = 0;
    for (let c = 0; c < frame.channels; c++) sum += frame.data[i * frame.channels + c]!;
    mono[i] = Math.round(sum / frame.channels);
  }
  return new Uint8Array(mono.buffer);
}

export class DeepgramSpeechStream extends stt.SpeechStream {
  label = 'deepgram.SpeechStream';
  readonly #dg: DeepgramClient;
  readonly #schema: LiveSchema;
  readonly #opts: ResolvedOptions;
  readonly #connOptions: APIConnectOptions;
  readonly #transcript: LiveTranscript;
  readonly #replay: ReplayBuffer;
  readonly #bytesPerSecond: number;
  readonly #aborted: Promise<void>;
  readonly #logger = log().child({ stt: 'deepgram' });
  #pendingInput: Promise<Input> | undefined;
  #unansweredSince: number | undefined;
  #audioSinceKeepAlive = false;
  #requestId = '';
  /** the caller's audio making up the next message (MESSAGE_MS) */
  #message: Uint8Array;
  #messageFill = 0;

  constructor(owner: DeepgramSTT, dg: DeepgramClient, opts: ResolvedOptions, connOptions: APIConnectOptions) {
    super(owner, opts.sampleRate, connOptions);
    this.#dg = dg;
    this.#schema = owner.liveSchema();
    this.#opts = opts;
    this.#connOptions = connOptions;
    this.#transcript = new LiveTranscript(opts.language);
    this.#bytesPerSecond = opts.sampleRate * 2;
    this.#replay = new ReplayBuffer(Math.round((opts.maxReplayMs / 1000) * this.#bytesPerSecond));
    this.#message = new Uint8Array(Math.round((MESSAGE_MS / 1000) * this.#bytesPerSecond));
    const signal = this.abortSignal;
    this.#aborted = new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  protected override async run(): Promise<void> {
    const conn = await this.#connect();
    if (!conn) return; // closed while connecting
    let trip!: () => void;
    const stalled = new Promise<void>((resolve) => (trip = resolve));
    const keepAlive = setInterval(() => {
      if (!this.#audioSinceKeepAlive) conn.keepAlive();
      this.#audioSinceKeepAlive = false;
    }, this.#opts.keepAliveIntervalMs);
    const limit = this.#opts.serverSilenceTimeoutMs;
    const watchdog = setInterval(
      () => {
        if (this.#unansweredSince !== undefined && Date.now() - this.#unansweredSince > limit) trip();
      },
      Math.max(20, limit / 4),
    );
    try {
      this.#unansweredSince = undefined;
      for (const chunk of this.#replay.restart()) this.#sendBytes(conn, chunk);
      await this.#pump(conn, stalled);
    } finally {
      clearInterval(keepAlive);
      clearInterval(watchdog);
      if (conn.isOpen) conn.disconnect();
    }
  }

  async #connect(): Promise<LiveConnection | undefined> {
    if (this.abortSignal.aborted) return undefined;
    const conn = new LiveConnection(this.#dg, this.#schema, (msg) => this.#onMessage(msg));
    const t = timer(this.#connOptions.timeoutMs);
    try {
      const r = await Promise.race([
        conn.opened.then(() => 'open' as const),
        this.#aborted.then(() => 'abort' as const),
        t.promise.then(() => 'timeout' as const),
      ]);
      if (r === 'open') return conn;
      conn.disconnect();
      if (r === 'abort') return undefined;
      throw new APITimeoutError({ message: `${WHAT}: not connected within ${this.#connOptions.timeoutMs} ms` });
    } catch (err) {
      conn.disconnect();
      throw err;
    } finally {
      t.cancel();
    }
  }

  async #pump(conn: LiveConnection, stalled: Promise<void>): Promise<void> {
    const closed = conn.closed.then((c): PumpEvent => ({ kind: 'closed', c }));
    const aborted = this.#aborted.then((): PumpEvent => ({ kind: 'abort' }));
    const stall = stalled.then((): PumpEvent => ({ kind: 'stalled' }));
    for (;;) {
      // the read outlives this attempt if the connection fails first, so no frame is lost
      this.#pendingInput ??= this.input.next();
      const ev = await Promise.race([
        this.#pendingInput.then((r): PumpEvent => ({ kind: 'input', r })),
        closed,
        aborted,
        stall,
      ]);
      switch (ev.kind) {
        case 'input': {
          this.#pendingInput = undefined;
          if (ev.r.done) {
            this.#sendMessage(conn);
            return this.#finish(conn, stall);
          }
          const item = ev.r.value;
          if (typeof item === 'symbol') {
            this.#sendMessage(conn); // a flush finalizes everything heard, the part message included
            conn.finalize();
          } else if (item.samplesPerChannel > 0) this.#queueAudio(conn, monoBytes(item));
          break;
        }
        case 'closed':
          throw ev.c.error ?? closeError(WHAT, ev.c.code, ev.c.reason);
        case 'abort':
          conn.closeStream(); // tell Deepgram to stop (and stop billing) before the socket goes
          conn.disconnect();
          return;
        case 'stalled':
          throw new APITimeoutError({
            message: `${WHAT}: no message for ${this.#opts.serverSilenceTimeoutMs} ms of sent audio`,
          });
      }
    }
  }

  /** Input ended: Deepgram finalizes what it heard, sends Metadata and closes; its finals are still delivered. */
  async #finish(conn: LiveConnection, stall: Promise<PumpEvent>): Promise<void> {
    conn.closeStream();
    const t = timer(this.#connOptions.timeoutMs);
    const r = await Promise.race([
      conn.closed,
      this.#aborted.then(() => 'abort' as const),
      t.promise.then(() => 'timeout' as const),
      stall.then(() => 'stalled' as const),
    ]);
    t.cancel();
    if (r === 'stalled') {
      throw new APITimeoutError({
        message: `${WHAT}: no message for ${this.#opts.serverSilenceTimeoutMs} ms after CloseStream`,
      });
    }
    if (r === 'timeout') {
      this.#logger.warn(
        { timeoutMs: this.#connOptions.timeoutMs },
        'Deepgram did not close after CloseStream; last words may be missing',
      );
      return;
    }
    // broke while finishing: a retry connects again and replays the audio not yet finalized
    if (r !== 'abort' && r.error) throw r.error;
  }

  /** Adds the caller's audio to the message being made, sending each one as it fills. */
  #queueAudio(conn: LiveConnection, bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length;) {
      const n = Math.min(bytes.length - at, this.#message.length - this.#messageFill);
      this.#message.set(bytes.subarray(at, at + n), this.#messageFill);
      this.#messageFill += n;
      at += n;
      if (this.#messageFill === this.#message.length) this.#sendMessage(conn);
    }
  }

  /** Sends the message made so far, if any (the socket and the replay buffer keep it: a fresh one follows). */
  #sendMessage(conn: LiveConnection): void {
    if (this.#messageFill === 0) return;
    const bytes = this.#message.subarray(0, this.#messageFill);
    this.#message = new Uint8Array(this.#message.length);
    this.#messageFill = 0;
    this.#sendBytes(conn, bytes, true);
  }

  #sendBytes(conn: LiveConnection, bytes: Uint8Array, fresh = false): void {
    if (fresh) this.#replay.append(bytes);
    conn.sendAudio(
      bytes.buffer.byteLength === bytes.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.slice().buffer as ArrayBuffer),
    );
    this.#audioSinceKeepAlive = true;
    this.#unansweredSince ??= Date.now();
  }

  #onMessage(msg: Record<string, unknown>): void {
    this.#unansweredSince = undefined;
    switch (msg.type) {
      case 'Results':
        if (!isResults(msg)) break;
        if (msg.metadata?.request_id) this.#requestId = msg.metadata.request_id;
        if (msg.is_final) this.#replay.confirm(Math.round((msg.start + msg.duration) * this.#bytesPerSecond));
        this.#emit(this.#transcript.results(msg, this.#replay.connectionBase / this.#bytesPerSecond));
        break;
      case 'SpeechStarted':
        this.#emit(this.#transcript.speechStarted());
        break;
      case 'UtteranceEnd':
        this.#emit(this.#transcript.utteranceEnd());
        break;
      case 'Metadata':
        if (typeof msg.duration === 'number') {
          this.#emit([
            {
              type: stt.SpeechEventType.RECOGNITION_USAGE,
              requestId: this.#requestId,
              recognitionUsage: { audioDuration: msg.duration },
            },
          ]);
        }
        break;
      default:
        this.#logger.warn({ type: msg.type }, 'unexpected message from Deepgram');
    }
  }

  #emit(events: stt.SpeechEvent[]): void {
    for (const ev of events) if (!this.queue.closed) this.queue.put(ev);
  }
}
