/**
 * Deepgram's live messages to LiveKit speech events, in the order the agents framework expects:
 * START_OF_SPEECH, INTERIM_TRANSCRIPT…, FINAL_TRANSCRIPT (one or more), END_OF_SPEECH.
 *
 * - Speech starts at `SpeechStarted` (vad_events) or at the first non-empty transcript, whichever
 *   comes first; a second `SpeechStarted` inside the same utterance is not a new start.
 * - Speech ends at `speech_final` (endpointing saw enough silence), at `UtteranceEnd` (word gap,
 *   the backstop when noise keeps endpointing from firing), or at a final flushed by `Finalize`.
 * - Empty transcripts are Deepgram finalizing silence: never events of their own.
 * END_OF_SPEECH carries the utterance's finals joined, as the framework documents.
 */
import { normalizeLanguage, stt, type LanguageCode } from '@livekit/agents';

export interface DeepgramWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  punctuated_word?: string;
}

export interface DeepgramResults {
  type: 'Results';
  start: number;
  duration: number;
  is_final?: boolean;
  speech_final?: boolean;
  from_finalize?: boolean;
  channel: { alternatives: Array<{ transcript: string; confidence: number; words?: DeepgramWord[] }> };
  metadata?: { request_id?: string };
}

export function isResults(msg: Record<string, unknown>): msg is Record<string, unknown> & DeepgramResults {
  const ch = msg.channel as { alternatives?: unknown } | undefined;
  return (
    msg.type === 'Results' &&
    typeof msg.start === 'number' &&
    typeof msg.duration === 'number' &&
    Array.isArray(ch?.alternatives)
  );
}

export class LiveTranscript {
  readonly #language: LanguageCode;
  #speaking = false;
  #finals: stt.SpeechData[] = [];
  #requestId = '';

  constructor(language: string) {
    this.#language = normalizeLanguage(language);
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  speechStarted(): stt.SpeechEvent[] {
    return this.#start();
  }

  /** @param offsetSec where this connection's audio starts on the stream's timeline */
  results(msg: DeepgramResults, offsetSec: number): stt.SpeechEvent[] {
    if (msg.metadata?.request_id) this.#requestId = msg.metadata.request_id;
    const alt = msg.channel.alternatives[0];
    const text = alt?.transcript.trim() ?? '';
    const out: stt.SpeechEvent[] = [];
    if (alt && text) {
      out.push(...this.#start());
      const data: stt.SpeechData = {
        language: this.#language,
        text,
        startTime: offsetSec + msg.start,
        endTime: offsetSec + msg.start + msg.duration,
        confidence: alt.confidence,
      };
      if (msg.is_final) this.#finals.push(data);
      out.push({
        type: msg.is_final ? stt.SpeechEventType.FINAL_TRANSCRIPT : stt.SpeechEventType.INTERIM_TRANSCRIPT,
        alternatives: [data],
        requestId: this.#requestId,
      });
    }
    if (msg.speech_final || (msg.is_final && msg.from_finalize)) out.push(...this.#end());
    return out;
  }

  utteranceEnd(): stt.SpeechEvent[] {
    return this.#end();
  }

  #start(): stt.SpeechEvent[] {
    if (this.#speaking) return [];
    this.#speaking = true;
    this.#finals = [];
    return [{ type: stt.SpeechEventType.START_OF_SPEECH, requestId: this.#requestId }];
  }

  #end(): stt.SpeechEvent[] {
    if (!this.#speaking) return [];
    this.#speaking = false;
    const finals = this.#finals;
    this.#finals = [];
    const first = finals[0];
    if (!first) return [{ type: stt.SpeechEventType.END_OF_SPEECH, requestId: this.#requestId }];
    const whole: stt.SpeechData = {
      language: this.#language,
      text: finals.map((f) => f.text).join(' '),
      startTime: first.startTime,
      endTime: finals[finals.length - 1]!.endTime,
      confidence: finals.reduce((s, f) => s + f.confidence, 0) / finals.length,
    };
    return [{ type: stt.SpeechEventType.END_OF_SPEECH, alternatives: [whole], requestId: this.#requestId }];
  }
}
