/**
 * The conversation the model reads: the history and what a finished reply adds to it. One place for
 * a live call (call-session.ts) and the text path (text-conversation.ts); what is kept is decided by
 * core/reply-commit.ts.
 */
import { llm } from '@livekit/agents';
import type { Clock } from '../core/clock.ts';
import type { SummaryItem } from '../core/call-summary.ts';
import type { ReplyKeep } from '../core/reply-commit.ts';

export type ToolItem = llm.FunctionCall | llm.FunctionCallOutput;

export class Conversation {
  /** what the caller experienced: only what she was heard saying, and the tools that ran */
  readonly history = llm.ChatContext.empty();

  constructor(
    instructions: string,
    private readonly clock: Clock,
    earlier: ReadonlyArray<{ role: 'user' | 'assistant'; text: string }> = [],
  ) {
    this.history.addMessage({ role: 'system', content: instructions });
    for (const h of earlier) this.history.addMessage({ role: h.role, content: h.text });
  }

  /** the conversation so far plus the caller's new words: what a reply (or a prefetch) sends */
  chatFor(userText: string): llm.ChatContext {
    const chat = this.history.copy();
    chat.addMessage({ role: 'user', content: userText });
    return chat;
  }

  /** adds what is kept of a reply: the caller's words, the tool calls with their outputs, what she was heard saying */
  commit(keep: ReplyKeep, toolItems: readonly ToolItem[]): void {
    if (keep.user) this.history.addMessage({ role: 'user', content: keep.user });
    if (keep.tools && toolItems.length > 0) this.history.insert(toolItems.map((i) => restamp(i, this.clock.wallMs())));
    if (keep.heard) this.history.addMessage({ role: 'assistant', content: keep.heard });
  }

  /** the caller's words handed to someone else (a person took the call) still belong in the history */
  handedOff(userText: string): void {
    this.history.addMessage({ role: 'user', content: userText });
  }
}

/** A tool item copied with a fresh timestamp, so the history keeps it after the caller's words. */
function restamp(item: ToolItem, createdAt: number): ToolItem {
  return item.type === 'function_call'
    ? llm.FunctionCall.create({ callId: item.callId, name: item.name, args: item.args, createdAt })
    : llm.FunctionCallOutput.create({
        callId: item.callId,
        name: item.name,
        output: item.output,
        isError: item.isError,
        createdAt,
      });
}

/** Tool calls paired with their parsed results (for the summary and the text path's report). */
export function toolResults(items: readonly ToolItem[]): Extract<SummaryItem, { role: 'tool' }>[] {
  const out: Extract<SummaryItem, { role: 'tool' }>[] = [];
  const calls = new Map<string, llm.FunctionCall>();
  for (const i of items) {
    if (i.type === 'function_call') calls.set(i.callId, i);
    else {
      const c = calls.get(i.callId);
      if (!c) continue;
      try {
        out.push({
          role: 'tool',
          name: c.name,
          args: JSON.parse(c.args || '{}') as Record<string, unknown>,
          result: JSON.parse(i.output),
        });
      } catch {
        // an output that isn't JSON is not one of the appointment tools
      }
    }
  }
  return out;
}
