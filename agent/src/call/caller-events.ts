import { stt, VADEventType, type VADEvent } from '@livekit/agents';
import type { CallMetric } from '../core/call-metrics.ts';
import { recognisedWords } from '../core/text/recognised-words.ts';
import type { TurnCore } from '../core/turn-core.ts';
import type { TurnMarksBook } from '../core/turn-marks-book.ts';
import type { CallerAudioHandlers } from './caller-audio.ts';
import type { Logger } from './logger.ts';
import type { RoomPublisher } from './publisher.ts';

export interface CallerEventsOptions {
  core: TurnCore;
  marks: TurnMarksBook;
  pub: RoomPublisher;
  log: Logger;
  /** a VAD hears the caller; without one the recogniser's own speech start and end stand in (a slower barge-in) */
  vad: boolean;
  /** her voice is paused already (the duck) */
  outputPaused(): boolean;
  onSttFailure(err: Error): stt.STT | undefined;
  onCallMetric?(m: CallMetric): void;
}

/**
 * What the caller does, as the turn core hears it: the VAD's and the recogniser's events (and keypad
 * answers) become core events and timing marks; their words also go to the caller's live transcript.
 */
export class CallerEvents implements CallerAudioHandlers {
  readonly #o: CallerEventsOptions;
  /** the caller's transcript segment being recognised */
  #segment = 0;

  constructor(o: CallerEventsOptions) {
    this.#o = o;
  }

  onLevel(rms: number): void {
    this.#o.core.level(rms, this.#o.outputPaused());
  }

  onSttFailure(err: Error): stt.STT | undefined {
    return this.#o.onSttFailure(err);
  }

  onVad(ev: VADEvent): void {
    if (ev.type === VADEventType.START_OF_SPEECH) this.#speechStarted(ev.speechDuration);
    else if (ev.type === VADEventType.END_OF_SPEECH) this.#speechEnded(ev.silenceDuration);
  }

  onSpeech(ev: stt.SpeechEvent): void {
    const { core, pub, log } = this.#o;
    switch (ev.type) {
      case stt.SpeechEventType.START_OF_SPEECH:
        if (!this.#o.vad) this.#speechStarted(0);
        break;
      case stt.SpeechEventType.END_OF_SPEECH:
        if (!this.#o.vad) this.#speechEnded(0);
        break;
      case stt.SpeechEventType.INTERIM_TRANSCRIPT: {
        const text = recognisedWords(ev.alternatives?.[0]?.text);
        if (!text) break;
        pub.transcript('user', `u${this.#segment}`, text, false);
        core.interim(text);
        break;
      }
      case stt.SpeechEventType.FINAL_TRANSCRIPT: {
        // a final of no words (noise the recogniser marked, blank text) is not a turn: no log, no transcript
        const text = recognisedWords(ev.alternatives?.[0]?.text);
        if (text) {
          pub.transcript('user', `u${this.#segment++}`, text, true);
          log.debug({ pii: { text } }, 'caller said');
        }
        const atMs = core.now();
        // "uh-huh" over her (she carries on) or nothing said: not the end of a turn, no mark
        if (core.finalTranscript(text) === 'words') this.#o.marks.finalWords(atMs);
        break;
      }
      default:
        break;
    }
  }

  /** The caller typed `text` on the keypad and ended it with `#`: their answer, as if said. */
  typed(text: string): void {
    this.#o.pub.transcript('user', `u${this.#segment++}`, text, true);
    this.#o.log.debug({ pii: { text } }, 'caller typed');
    this.#o.core.typed(text);
  }

  #speechStarted(speechMs: number): void {
    const { core, marks } = this.#o;
    marks.speechStarted(core.speechContinuesTurn);
    if (!core.speechStarted()) return;
    this.#o.log.info({ speechMs: Math.round(speechMs) }, 'barge-in');
    // her audio stopped as this was decided (stop_audio), speechMs after the caller's onset
    this.#o.onCallMetric?.({ kind: 'barge_in', ms: speechMs });
  }

  /** silenceMs: how long the caller had already been quiet when this was detected */
  #speechEnded(silenceMs: number): void {
    this.#o.marks.speechEnded(silenceMs);
    this.#o.core.speechEnded();
  }
}
