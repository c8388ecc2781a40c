/**
 * A call without audio: the caller's turns go through the same text path as a real call —
 * history, the LLM with the appointment tools, the humanizer with the caller's name and the
 * output guard — and come back as the text she would say. For unit tests, the naturalness suite,
 * and trying a brain from the command line.
 */
import { llm } from '@livekit/agents';
import { CallerAddressBook, ReplyHumanizer } from '../core/humanizer/index.ts';
import type { SummaryItem } from '../core/call-summary.ts';
import { llmText, type ReplyTools } from './reply.ts';

export interface TextTurn {
  caller: string;
  /** what she said, humanized */
  reply: string;
  /** the model's text before the humanizer */
  raw: string;
  tools: Array<{ name: string; args: Record<string, unknown>; result: unknown }>;
  /** the caller's name she was allowed to use in this reply */
  callerName?: string;
}

export interface TextConversationOptions {
  model: llm.LLM;
  instructions: string;
  tools?: ReplyTools;
  guard?: (sentence: string) => boolean;
}

export class TextConversation {
  readonly history = llm.ChatContext.empty();
  readonly items: SummaryItem[] = [];
  readonly names = new CallerAddressBook();
  #turn = 0;

  constructor(private readonly o: TextConversationOptions) {
    this.history.addMessage({ role: 'system', content: o.instructions });
  }

  async say(callerText: string): Promise<TextTurn> {
    const turn = ++this.#turn;
    this.names.heard(callerText, turn);
    const chat = this.history.copy();
    chat.addMessage({ role: 'user', content: callerText });
    const opts = this.names.forAnswer(turn);
    const h = new ReplyHumanizer({ kind: 'answer', seed: turn, ...opts, ...(this.o.guard ? { guard: this.o.guard } : {}) });
    const toolItems: Array<llm.FunctionCall | llm.FunctionCallOutput> = [];
    const signal = new AbortController().signal;
    let raw = '';
    const out: string[] = [];
    let failure: unknown;
    const onError = (e: { error: Error; recoverable: boolean }) => {
      if (!e.recoverable) failure ??= e.error;
    };
    this.o.model.on('error', onError);
    try {
      for await (const delta of llmText(this.o.model, chat, signal, undefined, this.o.tools, (items) => toolItems.push(...items))) {
        raw += delta;
        out.push(...h.push(delta));
      }
    } finally {
      this.o.model.off('error', onError);
    }
    if (failure) throw failure;
    out.push(...h.flush());
    this.names.replied(turn, h.usedName);
    const reply = out.join(' ');
    this.history.addMessage({ role: 'user', content: callerText });
    const now = Date.now();
    const calls = new Map<string, llm.FunctionCall>();
    const tools: TextTurn['tools'] = [];
    for (const item of toolItems) {
      this.history.insert(
        item.type === 'function_call'
          ? llm.FunctionCall.create({ callId: item.callId, name: item.name, args: item.args, createdAt: now })
          : llm.FunctionCallOutput.create({ callId: item.callId, name: item.name, output: item.output, isError: item.isError, createdAt: now }),
      );
      if (item.type === 'function_call') calls.set(item.callId, item);
      else {
        const c = calls.get(item.callId);
        if (c) tools.push({ name: c.name, args: JSON.parse(c.args || '{}') as Record<string, unknown>, result: JSON.parse(item.output) });
      }
    }
    if (reply) this.history.addMessage({ role: 'assistant', content: reply });
    this.items.push({ role: 'user', text: callerText });
    for (const t of tools) this.items.push({ role: 'tool', name: t.name, args: t.args, result: t.result as never });
    if (reply) this.items.push({ role: 'assistant', text: reply });
    return { caller: callerText, reply, raw, tools, ...(opts.callerName ? { callerName: opts.callerName } : {}) };
  }
}
