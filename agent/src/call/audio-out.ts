import {
  AudioSource,
  LocalAudioTrack,
  TrackPublishOptions,
  TrackSource,
  type AudioFrame,
  type LocalParticipant,
} from '@livekit/rtc-node';
import { PlaybackGate } from '../core/playback-gate.ts';

export const QUEUE_MS = 200;

/** What AudioOut needs of rtc-node's AudioSource (a test passes a simulated one). */
export type OutputSource = Pick<
  AudioSource,
  'captureFrame' | 'clearQueue' | 'waitForPlayout' | 'queuedDuration' | 'close'
>;
const durationMs = (f: AudioFrame) => (f.samplesPerChannel / f.sampleRate) * 1000;

/**
 * The agent's voice: one published track fed from an AudioSource. stop() is the barge-in path: it
 * drops everything queued inside the source at once, and every write of the stopped utterance
 * is refused from then on, so the caller stops hearing her within a frame.
 * pause()/resume() is the quick duck before a barge-in is confirmed: the same instant silence, but
 * the audio that was queued and not yet heard is kept and played on resume, so a false alarm
 * costs the caller a short gap and not a single word.
 * Each utterance is one generation of a PlaybackGate (core/): a pause, its stash and every waiting
 * writer belong to the utterance that was playing, and the next begin() ends them all.
 */
export class AudioOut {
  readonly source: OutputSource;
  #track: LocalAudioTrack | undefined;
  readonly #gate = new PlaybackGate();
  #writtenMs = 0;
  /** this utterance's recent frames, enough to cover the source's queue, for pause() to keep */
  #recent: AudioFrame[] = [];
  #recentMs = 0;
  /** the paused utterance's audio that was queued and not yet heard, and frames written since */
  #stash: AudioFrame[] = [];
  /** how much of each recently stopped utterance had been heard, by generation (what a barge-in left unsaid) */
  readonly #stoppedAt = new Map<number, number>();
  /** wakes everyone waiting on the gate (a resume, a new utterance, a stop) */
  #changed = signal();

  constructor(
    readonly sampleRate: number,
    source?: OutputSource,
  ) {
    // 200 ms of queue: enough to ride out event-loop hiccups, small enough that little is in flight
    this.source = source ?? new AudioSource(sampleRate, 1, QUEUE_MS);
  }

  async publish(participant: LocalParticipant): Promise<void> {
    this.#track = LocalAudioTrack.createAudioTrack('voxanne', this.source as AudioSource);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await participant.publishTrack(this.#track, options);
  }

  /**
   * Starts an utterance; the token goes with each write. Every earlier token is refused from now on,
   * and whatever the last utterance left (a pause, its stash, a waiting writer) is gone.
   */
  begin(): number {
    const token = this.#gate.begin();
    this.#reset();
    return token;
  }

  /** the current utterance's generation (what a duck pauses) */
  get generation(): number {
    return this.#gate.generation;
  }

  /**
   * Queues one frame unless the utterance was stopped; returns false
   * once it has been. A write during a pause waits for resume().
   */
  async write(token: number, frame: AudioFrame): Promise<boolean> {
    if (!(await this.#wait(token))) return false;
    await this.source.captureFrame(frame);
    const v = this.#gate.verdict(token);
    if (v === 'refuse') return false;
    if (v === 'wait') {
      // paused while this frame waited for room: it must not sound now, it goes after the stash
      this.source.clearQueue();
      this.#stash.push(frame);
      return true;
    }
    this.#count(frame);
    return true;
  }

  get paused(): boolean {
    return this.#gate.paused;
  }

  /**
   * Silences her now but keeps what was queued and not yet heard; writers
   * wait. Returns the paused generation (undefined: already paused).
   */
  pause(): number | undefined {
    const generation = this.#gate.pause();
    if (generation === undefined) return undefined;
    const unplayedMs = this.source.queuedDuration;
    this.source.clearQueue();
    // the frames at the end of the recent list whose audio had not gone out yet
    const stash: AudioFrame[] = [];
    let ms = 0;
    for (let i = this.#recent.length - 1; i >= 0 && ms < unplayedMs - 1; i--) {
      stash.unshift(this.#recent[i]!);
      ms += durationMs(this.#recent[i]!);
    }
    this.#writtenMs -= ms; // re-queued on resume, counted again then
    this.#recent.splice(this.#recent.length - stash.length);
    this.#recentMs -= ms;
    this.#stash = stash;
    return generation;
  }

  /** Plays on from where pause() stopped her; only the pause of `generation` (default: the current one). */
  async resume(generation = this.#gate.generation): Promise<void> {
    if (this.#gate.verdict(generation) !== 'wait') return;
    const stash = this.#stash;
    this.#stash = [];
    for (const f of stash) {
      await this.source.captureFrame(f);
      if (this.#gate.generation !== generation) return; // stopped or superseded meanwhile: begin()/stop() cleaned up
      this.#count(f);
    }
    // frames written while this resume re-queued the stash
    while (this.#stash.length && this.#gate.generation === generation) {
      const f = this.#stash.shift()!;
      await this.source.captureFrame(f);
      if (this.#gate.generation !== generation) return;
      this.#count(f);
    }
    if (this.#gate.resume(generation)) this.#wake();
  }

  /** How much of utterance `token` had been heard when stop() silenced it; undefined if it was not stopped. */
  playedMsAtStop(token: number): number | undefined {
    return this.#stoppedAt.get(token);
  }

  /** Milliseconds of the current utterance that have already been played out to the room. */
  playedMs(): number {
    return Math.max(0, this.#writtenMs - this.source.queuedDuration);
  }

  /**
   * Resolves when everything `token` queued has been played out, or once it was stopped. A pause
   * empties the source's queue, which also ends the source's wait: that is not the end.
   */
  async drain(token: number): Promise<void> {
    for (;;) {
      if (!(await this.#wait(token))) return;
      await this.source.waitForPlayout();
      if (this.#gate.drained(token)) return;
    }
  }

  /** Silences her now; returns how much of the utterance had been played. */
  stop(): number {
    const played = this.playedMs();
    this.#stoppedAt.set(this.#gate.generation, played);
    // a few are plenty: only the reply that was stopped asks, right after
    for (const g of this.#stoppedAt.keys()) if (this.#stoppedAt.size > 8) this.#stoppedAt.delete(g);
    this.#gate.stop();
    this.source.clearQueue();
    this.#reset();
    return played;
  }

  async close(): Promise<void> {
    this.stop();
    await this.#track?.close(false);
    await this.source.close();
  }

  /** waits out a pause of `token`'s utterance; false once it is refused */
  async #wait(token: number): Promise<boolean> {
    for (;;) {
      const v = this.#gate.verdict(token);
      if (v !== 'wait') return v === 'write';
      await this.#changed.promise;
    }
  }

  #count(frame: AudioFrame): void {
    const ms = durationMs(frame);
    this.#writtenMs += ms;
    this.#recent.push(frame);
    this.#recentMs += ms;
    // keep a little more than the source can hold queued
    while (this.#recent.length > 1 && this.#recentMs - durationMs(this.#recent[0]!) >= QUEUE_MS + 40)
      this.#recentMs -= durationMs(this.#recent.shift()!);
  }

  #reset(): void {
    this.#writtenMs = 0;
    this.#recent = [];
    this.#recentMs = 0;
    this.#stash = [];
    this.#wake(); // writers of the old generation wake up to be refused
  }

  #wake(): void {
    const s = this.#changed;
    this.#changed = signal();
    s.release();
  }
}

function signal(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}
