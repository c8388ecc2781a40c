import { APIError, log, type tts } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { setImmediate } from 'node:timers/promises';
import { samplesPerFrame, splitIntoFrames } from '../../core/audio/frames.ts';
import { createResampler } from '../../core/audio/resample.ts';
import type { FliteVoice } from './flite-pool.ts';
import type { Speech } from './synthesize.ts';

/** WebRTC sends 20 ms packets; frames of exactly that size go straight into an AudioSource. */
export const FRAME_MS = 20;

/** How FliteTTS gets speech; the real one is synthesize(), tests pass a scripted one. */
export type SynthesizeFn = (text: string, opts: { voice: FliteVoice; signal: AbortSignal }) => Promise<Speech>;

/** 100 ms of audio per slice: about 1 ms of resampling on the caller's thread between yields. */
const FRAMES_PER_SLICE = 5;

/**
 * Speech at flite's native rate -> 20 ms mono frames at `outputRate` (the last one zero-padded),
 * in slices. Resampling runs on the caller's thread (about 12 ms per second of speech at 48 kHz),
 * so it yields to the event loop between slices: a long sentence never stalls the audio already
 * playing, and its first frames go out before the rest is resampled.
 */
export async function* speechFrameSlices(speech: Speech, outputRate: number): AsyncGenerator<AudioFrame[]> {
  const r = createResampler(speech.samples, speech.sampleRate, outputRate);
  const size = samplesPerFrame(outputRate, FRAME_MS);
  const step = size * FRAMES_PER_SLICE;
  for (let at = 0; at < r.length; at += step) {
    if (at > 0) await setImmediate();
    const pcm = r.render(at, Math.min(r.length, at + step));
    yield splitIntoFrames(pcm, size).map((data) => new AudioFrame(data, outputRate, 1, size));
  }
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * A promise that never rejects. Synthesis is requested as soon as a sentence is known but awaited
 * only when its turn to play comes; a bare rejected promise waiting that long would be reported
 * as an unhandled rejection (and crash Node) before anyone awaits it.
 */
export function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  return p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/**
 * Puts frames of one segment into a stream's queue, holding the latest back until it is known
 * whether more audio follows, because the segment's last frame must carry `final: true`.
 */
export class SegmentWriter {
  #held: tts.SynthesizedAudio | undefined;
  readonly #put: (audio: tts.SynthesizedAudio) => void;
  readonly #requestId: string;

  constructor(requestId: string, put: (audio: tts.SynthesizedAudio) => void) {
    this.#requestId = requestId;
    this.#put = put;
  }

  /** Frames of a segment; `deltaText` (a sentence's text) rides on the first of them. */
  write(segmentId: string, frames: AudioFrame[], deltaText?: string): void {
    frames.forEach((frame, i) => {
      if (this.#held) this.#put(this.#held);
      this.#held = {
        requestId: this.#requestId,
        segmentId,
        frame,
        final: false,
        ...(i === 0 && deltaText !== undefined ? { deltaText } : {}),
      };
    });
  }

  /** Releases the held frame as the segment's final one. */
  endSegment(): void {
    if (!this.#held) return;
    this.#put({ ...this.#held, final: true });
    this.#held = undefined;
  }
}

/** Wraps a synthesis failure; flite is deterministic, so retrying the same text would not help. */
export function synthesisError(text: string, err: unknown): APIError {
  const reason = err instanceof Error ? err.message : String(err);
  return new APIError(`flite could not synthesize ${JSON.stringify(text.slice(0, 80))}: ${reason}`, {
    retryable: false,
  });
}

/**
 * Reports a failed synthesis the way the agents base classes do (a non-recoverable `error` event
 * on the TTS) and lets the stream end instead of throwing from run(): agents 1.9.0's ChunkedStream
 * turns a throw into an unhandled promise rejection, which kills the process, and both base
 * classes drop the error silently when nobody listens for 'error' (EventEmitter throws it and
 * they catch that). So with no listener it is logged.
 */
export function reportSynthesisError(engine: tts.TTS, error: APIError): void {
  if (engine.listenerCount('error') > 0) {
    engine.emit('error', { type: 'tts_error', timestamp: Date.now(), label: engine.label, error, recoverable: false });
  } else {
    log().error({ err: error, tts: engine.label }, 'flite synthesis failed');
  }
}
