import { stt } from '@livekit/agents';
import { AudioStream, RoomEvent, TrackKind, type RemoteTrack, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import type { Logger } from './logger.ts';

export type SpeechHandler = (ev: stt.SpeechEvent) => void;

/**
 * Feeds the caller's microphone into a streaming STT and hands its events to the call.
 * Waits for the caller to publish audio (a participant with no mic is fine: nothing happens);
 * if the STT stream fails, a fresh one takes over, so one bad moment does not deafen her for the call.
 */
export class CallerAudio {
  #stopped = false;
  #current: { audio: AudioStream; speech: stt.SpeechStream } | undefined;
  readonly #onTrack = (track: RemoteTrack, _pub: unknown, p: RemoteParticipant) => {
    if (p.identity === this.caller.identity && track.kind === TrackKind.KIND_AUDIO) void this.#listen(track);
  };

  constructor(
    private readonly room: Room,
    private readonly caller: RemoteParticipant,
    private readonly engine: stt.STT,
    private readonly onSpeech: SpeechHandler,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.room.on(RoomEvent.TrackSubscribed, this.#onTrack);
    for (const pub of this.caller.trackPublications.values()) {
      if (pub.track && pub.kind === TrackKind.KIND_AUDIO) void this.#listen(pub.track);
    }
  }

  async #listen(track: RemoteTrack): Promise<void> {
    this.#closeCurrent();
    const audio = new AudioStream(track, { sampleRate: 16000, numChannels: 1 });
    const current = { audio, speech: this.engine.stream() };
    this.#current = current;
    // One pump per track; it feeds whichever STT stream is current, so a replaced stream loses no audio.
    const pump = (async () => {
      for await (const frame of audio) {
        if (this.#stopped || this.#current !== current) break; // leaving the loop releases the track
        current.speech.pushFrame(frame);
      }
      current.speech.endInput();
    })();
    let failures = 0;
    while (!this.#stopped && this.#current === current) {
      try {
        for await (const ev of current.speech) this.onSpeech(ev);
        break; // input ended: the track is gone
      } catch (err) {
        if (this.#stopped || this.#current !== current) break;
        failures++;
        this.logger.error({ err, failures }, 'speech recognition stream failed; starting a new one');
        if (failures > 5) throw err;
        current.speech = this.engine.stream();
      }
    }
    await pump;
  }

  #closeCurrent(): void {
    if (!this.#current) return;
    this.#current.speech.close();
    this.#current = undefined;
  }

  close(): void {
    this.#stopped = true;
    this.room.off(RoomEvent.TrackSubscribed, this.#onTrack);
    this.#closeCurrent();
  }
}
