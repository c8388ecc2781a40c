/**
 * The STT fake's transcriber for the benchmark: the caller tells it what it is about to say, and
 * the first speech segment the fake finalizes afterwards carries that text. Anything else it hears
 * (nothing, in a clean run) is transcribed as '' and counted.
 */
import type { SpeechSegment, Transcriber } from '../../test/fakes/deepgram/index.ts';

export class BenchTranscriber implements Transcriber {
  #pending: string | undefined;
  #current = '';
  unexpected = 0;

  expect(text: string): void {
    this.#pending = text;
    this.#current = text;
  }

  final(_segment: SpeechSegment): string {
    const text = this.#pending;
    this.#pending = undefined;
    if (text === undefined) this.unexpected++;
    return text ?? '';
  }

  interim(segment: SpeechSegment): string {
    const words = this.#current.split(/\s+/).filter(Boolean);
    return this.#pending === undefined ? '' : words.slice(0, (segment.interimIndex ?? 0) + 1).join(' ');
  }
}
