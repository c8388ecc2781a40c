/**
 * The default transcriber: a queue of utterance texts the test provides. The n-th speech segment
 * the fake finalizes is transcribed as the n-th text; interims show a growing prefix of it.
 * A segment finalized after the script ran out is transcribed as '' and counted in `unscripted`.
 */
import type { SpeechSegment, Transcriber } from './types.ts';

export class ScriptedTranscriber implements Transcriber {
  #queue: string[];
  unscripted = 0;

  constructor(texts: readonly string[] = []) {
    this.#queue = [...texts];
  }

  push(...texts: string[]): void {
    this.#queue.push(...texts);
  }

  get remaining(): readonly string[] {
    return this.#queue;
  }

  final(): string {
    const text = this.#queue.shift();
    if (text === undefined) {
      this.unscripted++;
      return '';
    }
    return text;
  }

  interim(segment: SpeechSegment): string {
    const words = (this.#queue[0] ?? '').split(/\s+/).filter(Boolean);
    return words.slice(0, Math.min(words.length, (segment.interimIndex ?? 0) + 1)).join(' ');
  }
}
