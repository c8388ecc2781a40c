/**
 * The STT fake's transcriber for the benchmark: the caller tells it what it is about to say and where
 * each word ends in its audio, and each speech segment the fake finalizes carries the words whose
 * audio it covers (so a final at a pause, or at a gap inside a word group, has only the words said so
 * far, as a real recogniser's would). Anything else it hears (nothing, in a clean run) is transcribed
 * as '' and counted.
 */
import type { SpeechSegment, Transcriber } from '../../test/fakes/deepgram/index.ts';

/** A stretch of the caller's audio with words in it: where its voice starts and ends (ms in the audio played). */
export interface TimedPart {
  text: string;
  onsetMs: number;
  endMs: number;
}

/**
 * how far past a segment's end a word may end and still be in it: the fake's voicing (-38 dBFS on the
 * audio after WebRTC) ends a quiet last sound ("BBL") up to a few hundred ms before ours does; every
 * scripted pause is longer, so the next part's words never fall in
 */
const TOLERANCE_MS = 250;

export class BenchTranscriber implements Transcriber {
  /** the words still to be transcribed, each with where it ends, in ms from the first word's onset */
  #words: { word: string; atMs: number }[] = [];
  #given = 0;
  /** the first segment's start (s, on the connection's audio clock): where the first word began */
  #anchorSec: number | undefined;
  unexpected = 0;

  /** The caller is about to say `text` as one fluent stretch (its voice from onsetMs to endMs). */
  expect(text: string, onsetMs = 0, endMs = 0): void {
    this.expectParts([{ text, onsetMs, endMs }]);
  }

  /** The caller is about to say these parts (with pauses between them); words spread evenly over each part's voice. */
  expectParts(parts: TimedPart[]): void {
    const t0 = parts[0]?.onsetMs ?? 0;
    this.#words = parts.flatMap((p) => {
      const ws = p.text.split(/\s+/).filter(Boolean);
      return ws.map((word, j) => ({ word, atMs: p.onsetMs - t0 + ((j + 1) / ws.length) * (p.endMs - p.onsetMs) }));
    });
    this.#given = 0;
    this.#anchorSec = undefined;
  }

  /** the words not yet finalized whose audio ended by the end of `segment` */
  #covered(segment: SpeechSegment): string[] {
    if (this.#given >= this.#words.length) return [];
    this.#anchorSec ??= segment.startSec;
    const upToMs = (segment.endSec - this.#anchorSec) * 1000 + TOLERANCE_MS;
    const out: string[] = [];
    for (let i = this.#given; i < this.#words.length && this.#words[i]!.atMs <= upToMs; i++)
      out.push(this.#words[i]!.word);
    return out;
  }

  final(segment: SpeechSegment): string {
    const words = this.#covered(segment);
    this.#given += words.length;
    if (words.length === 0) this.unexpected++;
    return words.join(' ');
  }

  /** the words of the segment so far, as a live recogniser's hypothesis grows */
  interim(segment: SpeechSegment): string {
    return this.#covered(segment).join(' ');
  }
}
