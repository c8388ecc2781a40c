import { type APIConnectOptions, type APIError, shortuuid, tts } from '@livekit/agents';
import { SentenceChunker } from '../../core/sentence-chunker.ts';
import type { FliteTTS } from './flite-tts.ts';
import { reportSynthesisError, SegmentWriter, settle, speechFrameSlices, synthesisError } from './speech-frames.ts';

/**
 * Streaming synthesis: text arrives in pieces (LLM deltas), is cut into sentences as soon as a
 * sentence is complete, and each sentence is sent to flite at once. Audio is emitted in sentence
 * order; a flush() ends the segment (its last frame has final: true, the next audio gets a new
 * segmentId) and the end of input emits END_OF_STREAM after all audio.
 */
export class FliteSynthesizeStream extends tts.SynthesizeStream {
  label = 'flite.SynthesizeStream';
  readonly #tts: FliteTTS;

  constructor(engine: FliteTTS, connOptions?: APIConnectOptions) {
    super(engine, connOptions);
    this.#tts = engine;
  }

  protected async run(): Promise<void> {
    const requestId = shortuuid('flite_');
    const failed = new AbortController();
    const signal = AbortSignal.any([this.abortSignal, failed.signal]);
    const { voice, synthesizeFn, sampleRate } = this.#tts;
    const live = () => !signal.aborted && !this.queue.closed;
    const out = new SegmentWriter(requestId, (audio) => this.queue.put(audio));
    const chunker = new SentenceChunker();
    let segmentId = shortuuid('flite_seg_');
    let failure: APIError | undefined;

    // Audio is written by a promise chain: each link waits for its sentence's synthesis, which
    // was started when the sentence was complete, so sentence N+1 synthesizes while N plays.
    // Links never reject (failures are recorded), so the chain cannot leak an unhandled rejection.
    let chain: Promise<void> = Promise.resolve();
    const speak = (sentences: string[]) => {
      for (const text of sentences) {
        if (!live() || failure) return;
        this.markStarted();
        const result = settle(synthesizeFn(text, { voice, signal }));
        const seg = segmentId;
        chain = chain.then(async () => {
          const r = await result;
          if (!live() || failure) return;
          if (!r.ok) {
            failure = synthesisError(text, r.error);
            failed.abort(); // drop the sentences queued behind this one
            out.endSegment(); // what was spoken before the failure still plays
            reportSynthesisError(this.#tts, failure);
            if (!this.input.closed) this.input.close(); // stop waiting for text we cannot speak
            return;
          }
          let deltaText: string | undefined = text;
          for await (const frames of speechFrameSlices(r.value, sampleRate)) {
            if (!live()) return;
            out.write(seg, frames, deltaText);
            deltaText = undefined;
          }
        });
      }
    };
    const endSegment = () => {
      speak(chunker.flush());
      chain = chain.then(() => {
        if (live() && !failure) out.endSegment();
      });
      segmentId = shortuuid('flite_seg_');
    };

    for await (const data of this.input) {
      if (!live() || failure) break;
      if (data === tts.SynthesizeStream.FLUSH_SENTINEL) endSegment();
      else speak(chunker.push(data));
    }
    endSegment(); // text pushed without a flush before the input closed
    await chain;
    if (live()) this.queue.put(tts.SynthesizeStream.END_OF_STREAM);
  }
}
