import { stt, type VAD, type VADEvent } from '@livekit/agents';
import {
  AudioStream,
  RoomEvent,
  type AudioFrame,
  TrackKind,
  type RemoteParticipant,
  type RemoteTrack,
  type Room,
} from '@livekit/rtc-node';
import { rms } from '../core/audio/onset-detector.ts';
import { watchErrors } from '../engines/engine-errors.ts';
import type { Logger } from './logger.ts';

export interface CallerAudioHandlers {
  onSpeech(ev: stt.SpeechEvent): void;
  onVad(ev: VADEvent): void;
  /** loudness (RMS, int16 units) of each 10 ms frame, for the fast barge-in duck */
  onLevel?(rms: number): void;
  /** the STT failed for good; the caller may switch engines (return the one to use next) */
  onSttFailure(err: Error): stt.STT | undefined;
}

/**
 * Feeds the caller's microphone to a voice-activity detector (for instant barge-in) and a streaming
 * STT. Waits for the caller to publish audio — a participant with no microphone is fine: nothing
 * happens. If the STT stream fails, a fresh one (or the fallback engine) takes over, so one bad
 * moment does not deafen her for the rest of the call.
 */
export class CallerAudio {
  #stopped = false;
  #current:
    | { audio: AsyncIterable<AudioFrame>; speech: stt.SpeechStream; vad: ReturnType<VAD['stream']> | undefined }
    | undefined;
  #engine: stt.STT;
  readonly #onTrack = (track: RemoteTrack, _pub: unknown, p: RemoteParticipant) => {
    if (p.identity === this.caller.identity && track.kind === TrackKind.KIND_AUDIO) void this.#run(track);
  };

  constructor(
    private readonly room: Room,
    private readonly caller: RemoteParticipant,
    engine: stt.STT,
    private readonly vad: VAD | undefined,
    private readonly h: CallerAudioHandlers,
    private readonly logger: Logger,
    /** the caller's track as 10 ms frames at 16 kHz (tests give frames of their own) */
    private readonly framesOf: (track: RemoteTrack) => AsyncIterable<AudioFrame> = (track) =>
      // 10 ms frames: every stage downstream (duck, VAD, STT) sees the caller's audio as soon as it exists
      new AudioStream(track, { sampleRate: 16000, numChannels: 1, frameSizeMs: 10 }),
  ) {
    this.#engine = engine;
  }

  start(): void {
    this.room.on(RoomEvent.TrackSubscribed, this.#onTrack);
    for (const pub of this.caller.trackPublications.values()) {
      if (pub.track && pub.kind === TrackKind.KIND_AUDIO) void this.#run(pub.track);
    }
  }

  async #run(track: RemoteTrack): Promise<void> {
    try {
      await this.#listen(track);
    } catch (err) {
      this.logger.error({ err }, 'listening to the caller failed');
    }
  }

  async #listen(track: RemoteTrack): Promise<void> {
    this.#closeCurrent();
    const audio = this.framesOf(track);
    const current = { audio, speech: this.#engine.stream(), vad: this.vad?.stream() };
    this.#current = current;
    // One pump per track feeding whichever STT stream is current, so a replaced stream loses no audio.
    const pump = (async () => {
      for await (const frame of audio) {
        if (this.#stopped || this.#current !== current) break; // leaving the loop releases the track
        this.h.onLevel?.(rms(frame.data));
        current.vad?.pushFrame(frame);
        try {
          current.speech.pushFrame(frame);
        } catch {
          // the STT stream just failed and is being replaced; this 10 ms frame is all that is lost
        }
      }
      if (this.#current !== current) return; // closed by close() or a new track: nothing to end
      current.speech.endInput();
      // Not the VAD's endInput(): in agents 1.9.0 it closes a writable its own writer holds locked and
      // drops the rejected promise ("WritableStream is locked"), an unhandled rejection no try/catch
      // here can reach, after which the job process died of SIGSEGV (Silero's native inference still
      // running as it went). The VAD has nothing more to hear; its stream is closed with the call.
    })();
    const vadLoop = (async () => {
      if (!current.vad) return;
      for await (const ev of current.vad) this.h.onVad(ev);
    })();

    let failures = 0;
    while (!this.#stopped && this.#current === current) {
      let fatal: Error | undefined;
      try {
        for await (const ev of watchErrors(this.#engine, current.speech)) this.h.onSpeech(ev);
      } catch (err) {
        fatal = err as Error;
      }
      if (this.#stopped || this.#current !== current) break;
      if (!fatal) break; // input ended: the track is gone
      failures++;
      const next = this.h.onSttFailure(fatal);
      if (next) this.#engine = next;
      this.logger.error(
        { err: fatal, failures, stt: this.#engine.label },
        'speech recognition failed; listening with a fresh stream',
      );
      if (failures > 5) throw fatal;
      current.speech = this.#engine.stream();
    }
    await Promise.all([pump, vadLoop]);
  }

  #closeCurrent(): void {
    if (!this.#current) return;
    this.#current.speech.close();
    this.#current.vad?.close();
    this.#current = undefined;
  }

  close(): void {
    this.#stopped = true;
    this.room.off(RoomEvent.TrackSubscribed, this.#onTrack);
    this.#closeCurrent();
  }
}
