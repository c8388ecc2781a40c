import {
  AudioSource,
  LocalAudioTrack,
  TrackPublishOptions,
  TrackSource,
  type AudioFrame,
  type LocalParticipant,
} from '@livekit/rtc-node';

/**
 * The agent's voice: one published track fed from an AudioSource. stop() is the barge-in path:
 * it drops everything queued inside the source at once, so the caller stops hearing her within a frame.
 */
export class AudioOut {
  readonly source: AudioSource;
  #track: LocalAudioTrack | undefined;
  #generation = 0;

  constructor(readonly sampleRate: number) {
    // 400 ms of queue: enough to ride out event-loop hiccups, small enough that nothing stale lingers
    this.source = new AudioSource(sampleRate, 1, 400);
  }

  async publish(participant: LocalParticipant): Promise<void> {
    this.#track = LocalAudioTrack.createAudioTrack('voxanne', this.source);
    const options = new TrackPublishOptions();
    options.source = TrackSource.SOURCE_MICROPHONE;
    await participant.publishTrack(this.#track, options);
  }

  /** A token for the current utterance; stop() invalidates every earlier one. */
  begin(): number {
    return this.#generation;
  }

  /** Queues one frame unless the utterance was stopped; returns false once it has been. */
  async write(token: number, frame: AudioFrame): Promise<boolean> {
    if (token !== this.#generation) return false;
    await this.source.captureFrame(frame);
    return token === this.#generation;
  }

  /** Resolves when everything queued has been played out (or was dropped by stop()). */
  async drain(): Promise<void> {
    await this.source.waitForPlayout();
  }

  stop(): void {
    this.#generation++;
    this.source.clearQueue();
  }

  get queuedMs(): number {
    return this.source.queuedDuration;
  }

  async close(): Promise<void> {
    this.stop();
    await this.#track?.close(false);
    await this.source.close();
  }
}
