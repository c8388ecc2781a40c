import { llm } from '@livekit/agents';
import { INTERACTIVE_CONN } from '../core/provider-timing.ts';
import { watchErrors } from '../engines/engine-errors.ts';

/** Tools the model may call during a reply, and how to run them. */
export interface ReplyTools {
  toolCtx: llm.ToolContext;
  /** runs one call in the conversation so far; resolves with the output the model reads (JSON text) */
  run(name: string, args: string, chat: llm.ChatContext): Promise<string>;
  /** rounds of tool calls before the model must answer in words; default 4 */
  maxRounds?: number;
}

/** LLM output as plain text deltas; `onFirstToken` marks time to first token. */
export async function* llmText(
  model: llm.LLM,
  chatCtx: llm.ChatContext,
  signal: AbortSignal,
  onFirstToken?: () => void,
  tools?: ReplyTools,
  /** the calls made and their outputs, in order, for the conversation history */
  onToolItems?: (items: Array<llm.FunctionCall | llm.FunctionCallOutput>) => void,
): AsyncIterable<string> {
  let first = true;
  const rounds = tools ? (tools.maxRounds ?? 4) : 0;
  for (let round = 0; ; round++) {
    // the last round offers no tools, so a model stuck calling them still has to speak
    const offer = tools && round < rounds ? tools : undefined;
    const stream = model.chat({
      chatCtx,
      connOptions: INTERACTIVE_CONN,
      ...(offer ? { toolCtx: offer.toolCtx, toolChoice: 'auto' as const } : {}),
    });
    const onAbort = () => stream.close();
    signal.addEventListener('abort', onAbort, { once: true });
    const calls: llm.FunctionCall[] = [];
    try {
      for await (const chunk of watchErrors(model, stream)) {
        if (signal.aborted) return;
        for (const c of chunk.delta?.toolCalls ?? []) calls.push(c);
        const delta = chunk.delta?.content;
        if (!delta) continue;
        if (first) {
          first = false;
          onFirstToken?.();
        }
        yield delta;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.close();
    }
    // A round that ends with no words and no tool calls is a failure even when the provider reported
    // none (an error can be reported before anyone listens, e.g. for a speculative request): the
    // caller would hear nothing at all, so it goes down the apology-and-fallback path instead.
    if (!signal.aborted && first && calls.length === 0)
      throw Object.assign(new Error('the language model ended its answer without saying anything'), {
        name: 'EmptyAnswerError',
      });
    if (calls.length === 0 || !offer || signal.aborted) return;
    // run the calls, add them and their outputs to the conversation, and let the model go on
    const items: Array<llm.FunctionCall | llm.FunctionCallOutput> = [];
    for (const c of calls) {
      const output = await offer.run(c.name, c.args, chatCtx);
      const call = llm.FunctionCall.create({ callId: c.callId, name: c.name, args: c.args });
      items.push(call, llm.FunctionCallOutput.create({ callId: c.callId, name: c.name, output, isError: false }));
    }
    chatCtx.insert(items);
    onToolItems?.(items);
    if (signal.aborted) return;
  }
}
