import {
  AudioSource,
  LocalAudioTrack,
  TrackPublishOptions,
  TrackSource,
  type AudioFrame,
  type LocalParticipant,
} from '@livekit/rtc-node';

const QUEUE_MS = 200;
const durationMs = (f: AudioFrame) => (f.samplesPerChannel / f.sampleRate) * 1000;

/**
 * The agent's voice: one published track fed from an AudioSource. stop() is the barge-in path: it
 * drops everything queued inside the source at once, and every write of the stopped utterance
 * is refused from then on, so the caller stops hearing her within a frame.
 * pause()/resume() is the quick duck before a barge-in is confirmed: the same instant silence, but
 * the audio that was queued and not yet heard is kept and played on resume, so a false alarm
 * costs the caller a short gap and not a single word.
 */
export class AudioOut {
  readonly source: AudioSource;
  #track: LocalAudioTrack | undefined;
  #generation = 0;
  #writtenMs = 0;
  /** this utterance's recent frames, enough to cover the source's queue, for pause() to keep */
  #recent: AudioFrame[] = [];
  #recentMs = 0;
  #paused: { stash: AudioFrame[]; resumed: Promise<void>; release: () => void } | undefined;

  constructor(readonly sampleRate: number) {
    // 200 ms of queue: enough to ride out event-loop hiccups, small enough that little is in flight
    this.source = new AudioSource(sampleRate, 1, QUEUE_MS);
  }

  async publish(participant: LocalParticipant): Promise<void> {
    this.#track = LocalAudioTrack.createAudioTrack('voxanne', this.source);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await participant.publishTrack(this.#track, options);
  }

  /** Starts an utterance; the token goes with each write. stop() invalidates every earlier token. */
  begin(): number {
    this.#writtenMs = 0;
    this.#recent = [];
    this.#recentMs = 0;
    return this.#generation;
  }

  /** Queues one frame unless the utterance was stopped; returns false once it has been. A write during a pause waits for resume(). */
  async write(token: number, frame: AudioFrame): Promise<boolean> {
    while (this.#paused && token === this.#generation) await this.#paused.resumed;
    if (token !== this.#generation) return false;
    await this.source.captureFrame(frame);
    if (token !== this.#generation) return false;
    if (this.#paused) {
      // paused while this frame waited for room: it must not sound now, it goes after the stash
      this.source.clearQueue();
      this.#paused.stash.push(frame);
      return true;
    }
    const ms = (frame.samplesPerChannel / frame.sampleRate) * 1000;
    this.#writtenMs += ms;
    this.#recent.push(frame);
    this.#recentMs += ms;
    // keep a little more than the source can hold queued
    while (this.#recent.length > 1 && this.#recentMs - durationMs(this.#recent[0]!) >= QUEUE_MS + 40) this.#recentMs -= durationMs(this.#recent.shift()!);
    return true;
  }

  get paused(): boolean {
    return this.#paused !== undefined;
  }

  /** Silences her now but keeps what was queued and not yet heard; writers wait. */
  pause(): void {
    if (this.#paused) return;
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
    let release!: () => void;
    const resumed = new Promise<void>((r) => (release = r));
    this.#paused = { stash, resumed, release };
  }

  /** Plays on from where pause() stopped her. */
  async resume(): Promise<void> {
    const p = this.#paused;
    if (!p) return;
    const token = this.#generation;
    for (const f of p.stash) {
      if (token !== this.#generation) break;
      await this.source.captureFrame(f);
      const ms = durationMs(f);
      this.#writtenMs += ms;
      this.#recent.push(f);
      this.#recentMs += ms;
    }
    if (this.#paused === p) this.#paused = undefined;
    p.release();
  }

  /** Milliseconds of the current utterance that have already been played out to the room. */
  playedMs(): number {
    return Math.max(0, this.#writtenMs - this.source.queuedDuration);
  }

  /** Resolves when everything queued has been played out (or was dropped by stop()). */
  async drain(): Promise<void> {
    while (this.#paused) await this.#paused.resumed;
    await this.source.waitForPlayout();
  }

  /** Silences her now; returns how much of the utterance had been played. */
  stop(): number {
    const played = this.playedMs();
    this.#generation++;
    this.source.clearQueue();
    const p = this.#paused;
    this.#paused = undefined;
    p?.release(); // waiting writers wake up to a new generation and give up
    this.#recent = [];
    this.#recentMs = 0;
    return played;
  }

  async close(): Promise<void> {
    this.stop();
    await this.#track?.close(false);
    await this.source.close();
  }
}
