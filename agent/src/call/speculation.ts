import { llm } from '@livekit/agents';
import { OnsetDetector } from '../core/audio/onset-detector.ts';
import { PrefetchingLLM } from '../engines/prefetch-llm.ts';
import type { Logger } from './logger.ts';
import { INTERACTIVE_CONN, type ReplyTools } from './reply.ts';

/** quiet 10 ms frames after which the caller counts as pausing (longer than the gaps inside words) */
export const PAUSE_FRAMES = 8;

/**
 * Starts the LLM on the interim transcript the moment the caller pauses, so the answer is already
 * on its way when the STT's final transcript confirms the words (see PrefetchingLLM). Only for an
 * LLM that can prefetch; the embedded brain answers in microseconds anyway.
 */
export class Speculation {
  readonly #pause = new OnsetDetector({ releaseFrames: PAUSE_FRAMES });
  #interim = '';
  #guessed = '';

  constructor(
    private readonly o: {
      llm: llm.LLM;
      log: Logger;
      /** the conversation so far and the words not yet answered, as the reply will build them */
      chatFor(userText: string): llm.ChatContext;
      tools?: ReplyTools;
      /** only while she listens: a guess made while she talks would answer the wrong moment */
      listening(): boolean;
    },
  ) {}

  get enabled(): boolean {
    return this.o.llm instanceof PrefetchingLLM;
  }

  onInterim(text: string): void {
    this.#interim = text;
  }

  /** loudness of each 10 ms frame of the caller's audio */
  onLevel(rms: number): void {
    if (this.#pause.push(rms) !== 'release' || !(this.o.llm instanceof PrefetchingLLM)) return;
    const text = this.#interim.trim();
    if (!text || text === this.#guessed || !this.o.listening()) return;
    this.#guessed = text;
    this.o.log.debug({ pii: { text } }, 'prefetching the answer to the interim words');
    this.o.llm.prefetch({
      chatCtx: this.o.chatFor(text),
      connOptions: INTERACTIVE_CONN,
      ...(this.o.tools ? { toolCtx: this.o.tools.toolCtx, toolChoice: 'auto' as const } : {}),
    });
  }

  /** a final transcript arrived: the next utterance starts from nothing */
  onFinal(): void {
    this.#interim = '';
    this.#guessed = '';
  }

  close(): void {
    if (!(this.o.llm instanceof PrefetchingLLM)) return;
    this.o.llm.drop();
    // requested: guesses sent; used: guesses the final transcript confirmed (answers that started early)
    this.o.log.info({ prefetch: { ...this.o.llm.stats } }, 'speculative answers');
  }
}
