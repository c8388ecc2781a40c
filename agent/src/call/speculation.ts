import type { llm } from '@livekit/agents';
import { PrefetchingLLM } from '../engines/prefetch-llm.ts';
import type { Logger } from './logger.ts';
import { INTERACTIVE_CONN, type ReplyTools } from './reply.ts';

/**
 * Performs the core's prefetch effects: starts the LLM on the interim words the moment the caller
 * pauses (the decision is core/speculation-rule.ts), so the answer is already on its way when the
 * final transcript confirms the words (see PrefetchingLLM). Only for an LLM that can prefetch; the
 * embedded brain answers in microseconds anyway.
 */
export class Speculation {
  constructor(
    private readonly o: {
      llm: llm.LLM;
      log: Logger;
      /** the conversation so far plus these words, as the reply will build it */
      chatFor(userText: string): llm.ChatContext;
      tools?: ReplyTools | undefined;
    },
  ) {}

  get enabled(): boolean {
    return this.o.llm instanceof PrefetchingLLM;
  }

  prefetch(userText: string): void {
    if (!(this.o.llm instanceof PrefetchingLLM)) return;
    this.o.log.debug({ pii: { text: userText } }, 'prefetching the answer to the interim words');
    this.o.llm.prefetch({
      chatCtx: this.o.chatFor(userText),
      connOptions: INTERACTIVE_CONN,
      ...(this.o.tools ? { toolCtx: this.o.tools.toolCtx, toolChoice: 'auto' as const } : {}),
    });
  }

  close(): void {
    if (!(this.o.llm instanceof PrefetchingLLM)) return;
    this.o.llm.drop();
    // requested: guesses sent; used: guesses the final transcript confirmed (answers that started early)
    this.o.log.info({ prefetch: { ...this.o.llm.stats } }, 'speculative answers');
  }
}
