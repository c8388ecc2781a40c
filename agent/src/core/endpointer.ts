import { concatPcm } from './audio/frames.ts';
/**
 * Finds where a caller's utterance starts and ends in a stream of 16-bit mono PCM, for a
 * recogniser that has no endpointing of its own. Pure: time is the audio's own clock (samples
 * pushed), so the same audio always gives the same decisions, at any feeding speed.
 *
 * Works on 10 ms frames:
 * - loudness: frame energy (DC removed) in dBFS, against a noise floor tracked as the minimum
 *   over the last `noiseWindowMs` (minimum statistics: between words and syllables speech dips to
 *   the floor, so the minimum follows the background and not the talker);
 * - voicing: the zero-crossing rate. Voiced speech crosses zero slowly (its energy is in the
 *   first formant, below 1 kHz); white or hiss-like noise crosses at 0.3–0.6 per sample.
 * Speech starts once `minSpeechMs` of loud voiced frames fall within a window, so a click, a
 * burst of hiss or white noise never starts an utterance; it continues while frames stay loud
 * (voiced or not: fricatives count); it ends after `endpointingMs` without a loud frame, or at
 * `maxUtteranceMs`. The audio just before the start (`preRollMs`) is handed over with the start
 * so the recogniser hears the first consonant.
 */

export interface EndpointerOptions {
  sampleRate: number;
  /** silence after speech that ends the utterance; default 400 */
  endpointingMs?: number;
  /** loud voiced audio needed to start an utterance; default 100 */
  minSpeechMs?: number;
  /** the window `minSpeechMs` must fall within; default 250 */
  onsetWindowMs?: number;
  /** audio before the detected start that is handed to the recogniser; default 300 */
  preRollMs?: number;
  /** an utterance is cut here even if the caller keeps talking; default 20000 */
  maxUtteranceMs?: number;
  /** how far back the noise floor looks; default 1500 */
  noiseWindowMs?: number;
  /** dB over the noise floor for a frame to count as speech at onset; default 12 */
  onsetMarginDb?: number;
  /** dB over the noise floor for a frame to keep an utterance going; default 8 */
  holdMarginDb?: number;
  /** nothing quieter than this (dBFS) is speech, however quiet the line; default -50 */
  minLevelDb?: number;
  /** zero crossings per sample above which a frame is not voiced; default 0.25 */
  maxVoicedZcr?: number;
}

export type EndpointerEvent =
  | {
      type: 'speech_start';
      /** ms of audio clock where speech began */ atMs: number;
      /** pre-roll plus the speech so far */ audio: Int16Array;
    }
  | { type: 'audio'; audio: Int16Array }
  | { type: 'speech_end'; /** ms where the last loud frame ended */ atMs: number; reason: EndReason };

export const END_REASONS = ['silence', 'max_length', 'flush'] as const;
export type EndReason = (typeof END_REASONS)[number];

export interface FrameFeatures {
  levelDb: number;
  zcr: number;
}

const FRAME_MS = 10;
const SILENCE_DB = -100;

/** Level (dBFS, DC removed) and zero-crossing rate of one frame. */
export function frameFeatures(frame: Int16Array): FrameFeatures {
  const n = frame.length;
  if (n === 0) return { levelDb: SILENCE_DB, zcr: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += frame[i]!;
  const mean = sum / n;
  let energy = 0;
  let crossings = 0;
  let prev = frame[0]! - mean;
  for (let i = 0; i < n; i++) {
    const x = frame[i]! - mean;
    energy += x * x;
    if (x >= 0 !== prev >= 0) crossings++;
    prev = x;
  }
  const rms = Math.sqrt(energy / n) / 32768;
  return { levelDb: rms > 0 ? Math.max(SILENCE_DB, 20 * Math.log10(rms)) : SILENCE_DB, zcr: crossings / n };
}

/** Minimum over a sliding window, in blocks so memory and work stay constant. */
class SlidingMinimum {
  #blocks: number[];
  #current = Number.POSITIVE_INFINITY;
  #inBlock = 0;
  /** `seed` fills the window at first, so the minimum is defined (and conservative) from the start. */
  constructor(
    private readonly blockSize: number,
    private readonly blockCount: number,
    seed: number,
  ) {
    this.#blocks = new Array<number>(blockCount).fill(seed);
  }
  push(x: number): void {
    this.#current = Math.min(this.#current, x);
    if (++this.#inBlock === this.blockSize) {
      this.#blocks.push(this.#current);
      if (this.#blocks.length > this.blockCount) this.#blocks.shift();
      this.#current = Number.POSITIVE_INFINITY;
      this.#inBlock = 0;
    }
  }
  get value(): number {
    return Math.min(this.#current, ...this.#blocks);
  }
}

export class Endpointer {
  readonly frameSamples: number;
  #o: Required<EndpointerOptions>;
  #pending: Int16Array = new Int16Array(0);
  #framesSeen = 0;
  #floor: SlidingMinimum;
  #inSpeech = false;
  /** recent frames while not in speech: the pre-roll and the onset window */
  #history: Int16Array[] = [];
  #historyMax: number;
  #onsetVotes: boolean[] = [];
  #speechStartFrame = 0;
  #lastLoudFrame = 0;

  constructor(opts: EndpointerOptions) {
    this.#o = {
      endpointingMs: 400,
      minSpeechMs: 100,
      onsetWindowMs: 250,
      preRollMs: 300,
      maxUtteranceMs: 20000,
      noiseWindowMs: 1500,
      onsetMarginDb: 12,
      holdMarginDb: 8,
      minLevelDb: -50,
      maxVoicedZcr: 0.25,
      ...opts,
    };
    const o = this.#o;
    if (!(o.sampleRate >= 8000) || o.sampleRate % 100 !== 0)
      throw new RangeError(`sampleRate must be a multiple of 100 Hz ≥ 8000, got ${o.sampleRate}`);
    if (!(o.endpointingMs >= FRAME_MS))
      throw new RangeError(`endpointingMs must be at least ${FRAME_MS}, got ${o.endpointingMs}`);
    if (!(o.minSpeechMs >= FRAME_MS && o.minSpeechMs <= o.onsetWindowMs))
      throw new RangeError('minSpeechMs must be between 10 and onsetWindowMs');
    this.frameSamples = (o.sampleRate * FRAME_MS) / 1000;
    const blockFrames = 10;
    // Until a window of audio has been heard, assume a quiet line, so a caller who talks from the
    // first frame is still heard; the assumption ages out like any other block.
    const seed = o.minLevelDb - o.onsetMarginDb;
    this.#floor = new SlidingMinimum(
      blockFrames,
      Math.max(1, Math.round(o.noiseWindowMs / (FRAME_MS * blockFrames))),
      seed,
    );
    this.#historyMax = Math.ceil((o.preRollMs + o.onsetWindowMs) / FRAME_MS);
  }

  get inSpeech(): boolean {
    return this.#inSpeech;
  }

  /** Milliseconds of audio consumed so far (whole frames). */
  get positionMs(): number {
    return this.#framesSeen * FRAME_MS;
  }

  /** Current noise floor estimate in dBFS. */
  get noiseFloorDb(): number {
    return this.#floor.value;
  }

  /** Feeds audio of any length; returns what happened, in order. */
  push(samples: Int16Array): EndpointerEvent[] {
    const events: EndpointerEvent[] = [];
    let data = samples;
    if (this.#pending.length > 0) {
      data = new Int16Array(this.#pending.length + samples.length);
      data.set(this.#pending);
      data.set(samples, this.#pending.length);
    }
    const f = this.frameSamples;
    const whole = data.length - (data.length % f);
    for (let at = 0; at < whole; at += f) this.#frame(data.slice(at, at + f), events);
    this.#pending = data.slice(whole);
    return coalesce(events);
  }

  /** Ends an utterance in progress now (input over, or the caller asked for a result). */
  flush(): EndpointerEvent[] {
    const events: EndpointerEvent[] = [];
    if (this.#pending.length > 0 && this.#inSpeech) events.push({ type: 'audio', audio: this.#pending });
    this.#pending = new Int16Array(0);
    if (this.#inSpeech) this.#end(events, 'flush', this.#framesSeen);
    return events;
  }

  #frame(frame: Int16Array, events: EndpointerEvent[]): void {
    const { levelDb, zcr } = frameFeatures(frame);
    const index = this.#framesSeen++;
    // the floor is read before this frame joins it, so a sudden loud frame is judged against the past
    const floor = this.noiseFloorDb;
    this.#floor.push(levelDb);
    const o = this.#o;
    const voicedLoud = levelDb >= Math.max(floor + o.onsetMarginDb, o.minLevelDb) && zcr <= o.maxVoicedZcr;
    const loud = levelDb >= Math.max(floor + o.holdMarginDb, o.minLevelDb);

    if (this.#inSpeech) {
      events.push({ type: 'audio', audio: frame });
      if (loud) this.#lastLoudFrame = index;
      const silentMs = (index - this.#lastLoudFrame) * FRAME_MS;
      if (silentMs >= o.endpointingMs) this.#end(events, 'silence', this.#lastLoudFrame + 1);
      else if ((index + 1 - this.#speechStartFrame) * FRAME_MS >= o.maxUtteranceMs)
        this.#end(events, 'max_length', index + 1);
      return;
    }

    this.#history.push(frame);
    if (this.#history.length > this.#historyMax) this.#history.shift();
    this.#onsetVotes.push(voicedLoud);
    if (this.#onsetVotes.length > o.onsetWindowMs / FRAME_MS) this.#onsetVotes.shift();
    const votes = this.#onsetVotes.reduce((n, v) => n + (v ? 1 : 0), 0);
    if (votes * FRAME_MS < o.minSpeechMs) return;

    const firstVoiced = index - (this.#onsetVotes.length - 1) + this.#onsetVotes.indexOf(true);
    this.#inSpeech = true;
    this.#speechStartFrame = firstVoiced;
    this.#lastLoudFrame = index;
    const audio = concatPcm(...this.#history);
    this.#history = [];
    this.#onsetVotes = [];
    events.push({ type: 'speech_start', atMs: firstVoiced * FRAME_MS, audio });
  }

  #end(events: EndpointerEvent[], reason: EndReason, endFrame: number): void {
    this.#inSpeech = false;
    events.push({ type: 'speech_end', atMs: endFrame * FRAME_MS, reason });
  }
}

/** Joins consecutive audio events so a 20 ms push gives one audio event, not two 10 ms ones. */
function coalesce(events: EndpointerEvent[]): EndpointerEvent[] {
  const out: EndpointerEvent[] = [];
  let run: Int16Array[] = [];
  const close = () => {
    if (run.length) out.push({ type: 'audio', audio: run.length === 1 ? run[0]! : concatPcm(...run) });
    run = [];
  };
  for (const e of events) {
    if (e.type === 'audio') run.push(e.audio);
    else {
      close();
      out.push(e);
    }
  }
  close();
  return out;
}
