import type { TurnMarks } from './turn-metrics.ts';

/**
 * The timing marks of one call's turns (core/turn-metrics.ts), kept as things happen, in call-relative
 * ms from `now`. The caller's utterance opens a record; the reply that answers it goes on writing into
 * that same record, so a VAD end of speech reported after the final transcript (and after her reply
 * started) still dates that reply's turn. Speech that goes on with words not yet answered belongs to
 * the same turn and keeps its record; her own lines (greeting, prompts) get a record of their own.
 * One reply at a time: a reply's marks are there until the next reply starts.
 */
export class TurnMarksBook {
  readonly #now: () => number;
  /** the caller's current utterance (and the turn it ends) */
  #utterance: TurnMarks = {};
  #reply: { turn: number; marks: TurnMarks } | undefined;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** the caller started speaking; `continuesTurn`: words of theirs before it are not answered yet */
  speechStarted(continuesTurn: boolean): void {
    if (!continuesTurn) this.#utterance = {};
  }

  /** the caller stopped speaking; `silenceMs`: how long they had been quiet when it was detected */
  speechEnded(silenceMs: number): void {
    this.#utterance.speechEndMs = this.#now() - silenceMs;
  }

  /** a final transcript that was words to answer came at `atMs` (an "uh-huh" or nothing is not a turn's end) */
  finalWords(atMs: number): void {
    this.#utterance.sttFinalMs = atMs;
  }

  /** reply `turn` starts now: the end of the caller's turn when it answers them */
  replyStarted(turn: number, source: 'user' | 'agent'): void {
    if (source === 'user') this.#utterance.turnEndMs = this.#now();
    this.#reply = { turn, marks: source === 'user' ? this.#utterance : {} };
  }

  /** the first time reply `turn` reached stage `k` */
  mark(turn: number, k: keyof TurnMarks): void {
    if (this.#reply?.turn === turn) this.#reply.marks[k] ??= this.#now();
  }

  /** reply `turn`'s first frame reached her voice: its synthesis and her output both started */
  firstAudio(turn: number): void {
    this.mark(turn, 'ttsFirstAudioMs');
    this.mark(turn, 'firstAudioOutMs');
  }

  /** the marks of reply `turn` (undefined once another reply started) */
  of(turn: number): Readonly<TurnMarks> | undefined {
    return this.#reply?.turn === turn ? this.#reply.marks : undefined;
  }
}
