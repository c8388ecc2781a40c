import { type APIConnectOptions, shortuuid, tts } from '@livekit/agents';
import { SentenceChunker } from '../../core/sentence-chunker.ts';
import { type FliteVoice, FLITE_VOICES } from './flite-pool.ts';
import { FliteSynthesizeStream } from './flite-stream.ts';
import {
  reportSynthesisError,
  SegmentWriter,
  type SynthesizeFn,
  settle,
  speechFrameSlices,
  synthesisError,
} from './speech-frames.ts';
import { synthesize } from './synthesize.ts';

export interface FliteTTSOptions {
  /** default 'slt' */
  voice?: FliteVoice;
  /** rate of the frames this TTS emits, default 48000 (what LiveKit publishes) */
  sampleRate?: number;
  /** replaces the flite engine, for tests */
  synthesizeFn?: SynthesizeFn;
}

/**
 * Offline text-to-speech with the embedded flite engine. Text is cut into sentences and each is
 * synthesized in a worker thread as soon as it is known, so audio starts after the first
 * sentence rather than the whole reply. Emits 20 ms mono int16 frames at `sampleRate`.
 */
export class FliteTTS extends tts.TTS {
  label = 'flite.TTS';
  readonly voice: FliteVoice;
  readonly synthesizeFn: SynthesizeFn;

  constructor(opts: FliteTTSOptions = {}) {
    const sampleRate = opts.sampleRate ?? 48000;
    if (!Number.isInteger(sampleRate) || sampleRate % 50 !== 0) {
      throw new RangeError(
        `sampleRate must be a multiple of 50 Hz so 20 ms frames are whole samples, got ${sampleRate}`,
      );
    }
    super(sampleRate, 1, { streaming: true });
    this.voice = opts.voice ?? 'slt';
    if (!FLITE_VOICES.includes(this.voice)) throw new RangeError(`unknown flite voice "${this.voice}"`);
    this.synthesizeFn = opts.synthesizeFn ?? ((text, o) => synthesize(text, o));
  }

  /** Human-readable engine description for logs and the web UI. */
  get description(): string {
    return `flite ${this.voice} (offline)`;
  }

  override get model(): string {
    return `flite-${this.voice}`;
  }

  override get provider(): string {
    return 'flite';
  }

  synthesize(text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal): FliteChunkedStream {
    return new FliteChunkedStream(this, text, connOptions, abortSignal);
  }

  stream(options?: { connOptions?: APIConnectOptions }): FliteSynthesizeStream {
    return new FliteSynthesizeStream(this, options?.connOptions);
  }
}

/** Splits a whole text into the sentences it would be synthesized as. */
export function sentencesOf(text: string): string[] {
  const chunker = new SentenceChunker();
  return [...chunker.push(text), ...chunker.flush()];
}

export class FliteChunkedStream extends tts.ChunkedStream {
  label = 'flite.ChunkedStream';
  readonly #tts: FliteTTS;

  constructor(engine: FliteTTS, text: string, connOptions?: APIConnectOptions, abortSignal?: AbortSignal) {
    super(text, engine, connOptions, abortSignal);
    this.#tts = engine;
  }

  protected async run(): Promise<void> {
    const requestId = shortuuid('flite_');
    // also aborted when a sentence fails, so the ones queued behind it are dropped
    const failed = new AbortController();
    const signal = AbortSignal.any([this.abortSignal, failed.signal]);
    const { voice, synthesizeFn } = this.#tts;
    // Every sentence is queued at once; the worker takes them in order while earlier ones play.
    const pending = sentencesOf(this.inputText).map((text) => ({
      text,
      result: settle(synthesizeFn(text, { voice, signal })),
    }));
    const out = new SegmentWriter(requestId, (audio) => this.queue.put(audio));
    for (const { text, result } of pending) {
      const r = await result;
      if (signal.aborted || this.queue.closed) return;
      if (!r.ok) {
        failed.abort();
        out.endSegment(); // what was spoken before the failure still plays
        reportSynthesisError(this.#tts, synthesisError(text, r.error));
        return;
      }
      let deltaText: string | undefined = text;
      for await (const frames of speechFrameSlices(r.value, this.#tts.sampleRate)) {
        if (signal.aborted || this.queue.closed) return;
        out.write(requestId, frames, deltaText);
        deltaText = undefined;
      }
    }
    if (!signal.aborted && !this.queue.closed) out.endSegment();
  }
}
