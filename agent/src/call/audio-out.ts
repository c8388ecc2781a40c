import {
  AudioSource,
  LocalAudioTrack,
  TrackPublishOptions,
  TrackSource,
  type AudioFrame,
  type LocalParticipant,
} from '@livekit/rtc-node';

/**
 * The agent's voice: one published track fed from an AudioSource. stop() is the barge-in path: it
 * drops everything queued inside the source at once, and every write of the stopped utterance
 * is refused from then on, so the caller stops hearing her within a frame.
 */
export class AudioOut {
  readonly source: AudioSource;
  #track: LocalAudioTrack | undefined;
  #generation = 0;
  #writtenMs = 0;

  constructor(readonly sampleRate: number) {
    // 200 ms of queue: enough to ride out event-loop hiccups, small enough that little is in flight
    this.source = new AudioSource(sampleRate, 1, 200);
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
    return this.#generation;
  }

  /** Queues one frame unless the utterance was stopped; returns false once it has been. */
  async write(token: number, frame: AudioFrame): Promise<boolean> {
    if (token !== this.#generation) return false;
    await this.source.captureFrame(frame);
    if (token !== this.#generation) return false;
    this.#writtenMs += (frame.samplesPerChannel / frame.sampleRate) * 1000;
    return true;
  }

  /** Milliseconds of the current utterance that have already been played out to the room. */
  playedMs(): number {
    return Math.max(0, this.#writtenMs - this.source.queuedDuration);
  }

  /** Resolves when everything queued has been played out (or was dropped by stop()). */
  async drain(): Promise<void> {
    await this.source.waitForPlayout();
  }

  /** Silences her now; returns how much of the utterance had been played. */
  stop(): number {
    const played = this.playedMs();
    this.#generation++;
    this.source.clearQueue();
    return played;
  }

  async close(): Promise<void> {
    this.stop();
    await this.#track?.close(false);
    await this.source.close();
  }
}
