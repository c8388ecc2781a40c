import type { llm } from '@livekit/agents';
import type { LlmPrefetcher } from '../engines/types.ts';
import type { Logger } from './logger.ts';
import { INTERACTIVE_CONN } from '../core/provider-timing.ts';
import type { ReplyTools } from './llm-text.ts';

/**
 * Performs the core's prefetch effects: starts the LLM on the interim words the moment the caller
 * pauses (the decision is core/speculation-rule.ts), so the answer is already on its way when the
 * final transcript confirms the words (see engines/prefetch-llm.ts). Only for engines that offer a
 * prefetcher; the embedded brain answers in microseconds anyway.
 */
export class Speculation {
  constructor(
    private readonly o: {
      prefetcher: LlmPrefetcher | undefined;
      log: Logger;
      /** the conversation so far plus these words, as the reply will build it */
      chatFor(userText: string): llm.ChatContext;
      tools?: ReplyTools | undefined;
    },
  ) {}

  prefetch(userText: string): void {
    const p = this.o.prefetcher;
    if (!p) return;
    this.o.log.debug({ pii: { text: userText } }, 'prefetching the answer to the interim words');
    p.prefetch({
      chatCtx: this.o.chatFor(userText),
      connOptions: INTERACTIVE_CONN,
      ...(this.o.tools ? { toolCtx: this.o.tools.toolCtx, toolChoice: 'auto' as const } : {}),
    });
  }

  close(): void {
    const p = this.o.prefetcher;
    if (!p) return;
    p.drop();
    // requested: guesses sent; used: guesses the final transcript confirmed (answers that started early)
    this.o.log.info({ prefetch: { ...p.stats } }, 'speculative answers');
  }
}
