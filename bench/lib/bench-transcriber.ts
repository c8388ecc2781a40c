/**
 * The STT fake's transcriber for the benchmark: the caller tells it what it is about to say, and
 * the first speech segment the fake finalizes afterwards carries that text. Anything else it hears
 * (nothing, in a clean run) is transcribed as '' and counted.
 */
import type { SpeechSegment, Transcriber } from '../../test/fakes/deepgram/index.ts';

export class BenchTranscriber implements Transcriber {
  #pending: string | undefined;
  #current = '';
  #interims = 0;
  unexpected = 0;

  expect(text: string): void {
    this.#pending = text;
    this.#current = text;
    this.#interims = 0;
  }

  /**
   * The caller goes on after a pause (a hesitant utterance's next part): these words join those not
   * finalized yet, so a pause the recogniser did not end on still gives one transcript of both parts.
   */
  more(text: string): void {
    if (this.#pending === undefined) return this.expect(text);
    this.#pending = `${this.#pending} ${text}`;
    this.#current = this.#pending;
  }

  final(_segment: SpeechSegment): string {
    const text = this.#pending;
    this.#pending = undefined;
    if (text === undefined) this.unexpected++;
    return text ?? '';
  }

  /**
   * A word more with each interim of the utterance, as a live recogniser's hypothesis grows. Counted
   * from expect(), not per segment: the fake starts a new segment after a short gap inside the
   * utterance (shorter than endpointing), where a real recogniser keeps growing one transcript.
   */
  interim(_segment: SpeechSegment): string {
    if (this.#pending === undefined) return '';
    const words = this.#current.split(/\s+/).filter(Boolean);
    return words.slice(0, ++this.#interims).join(' ');
  }
}
