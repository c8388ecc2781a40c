/**
 * A call without audio, for unit tests, the naturalness suite, and trying a brain from the command
 * line. The caller's turns take the live call's text path: the same history and prompt
 * (conversation.ts), the same LLM loop with the appointment tools and engine-error watching
 * (reply.ts llmText), the same humanizer with the caller's name and the output guard, and the same
 * rule for what a reply leaves behind (core/reply-commit.ts) and the same summary items
 * (call-records.ts). What it leaves out is only the audio: no TTS, no playback, no barge-in.
 */
import type { llm } from '@livekit/agents';
import { CallerAddressBook, ReplyHumanizer } from '../core/humanizer/index.ts';
import type { SummaryItem } from '../core/call-summary.ts';
import type { Clock } from '../core/clock.ts';
import type { EmergencyRule } from '../core/emergency.ts';
import { keepOfReply } from '../core/reply-commit.ts';
import { CallRecords } from './call-records.ts';
import { Conversation, toolResults, type ToolItem } from './conversation.ts';
import type { Logger } from './logger.ts';
import { llmText, type ReplyTools } from './llm-text.ts';
import { systemClock } from './system-clock.ts';

export interface TextTurn {
  caller: string;
  /** what she said, humanized */
  reply: string;
  /** the model's text before the humanizer */
  raw: string;
  tools: Array<{ name: string; args: Record<string, unknown>; result: unknown }>;
  /** the caller's name she was allowed to use in this reply */
  callerName?: string;
  /** the emergency phrase heard: the reply is the fixed line and no model saw the turn */
  emergency?: string;
}

export interface TextConversationOptions {
  model: llm.LLM;
  instructions: string;
  tools?: ReplyTools;
  guard?: (sentence: string) => boolean;
  clock?: Clock;
  /** the live call's emergency layer (core/emergency.ts), before the model */
  emergency?: EmergencyRule;
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

export class TextConversation {
  readonly names = new CallerAddressBook();
  readonly #conversation: Conversation;
  readonly #records: CallRecords;
  #turn = 0;

  constructor(private readonly o: TextConversationOptions) {
    const clock = o.clock ?? systemClock;
    this.#conversation = new Conversation(o.instructions, clock);
    this.#records = new CallRecords({ callId: 'text', clock, log: quiet });
  }

  /** what the model reads next turn */
  get history(): llm.ChatContext {
    return this.#conversation.history;
  }

  /** the conversation with tool results, as the summary reads it */
  get items(): SummaryItem[] {
    return this.#records.items;
  }

  async say(callerText: string): Promise<TextTurn> {
    const turn = ++this.#turn;
    this.names.heard(callerText, turn);
    const opts = this.names.forAnswer(turn);
    const h = new ReplyHumanizer({
      kind: 'answer',
      seed: turn,
      ...opts,
      ...(this.o.guard ? { guard: this.o.guard } : {}),
    });
    const toolItems: ToolItem[] = [];
    const signal = new AbortController().signal;
    const startedAt = this.#records.at();
    let raw = '';
    const out: string[] = [];
    const emergency = this.o.emergency?.match(callerText);
    if (emergency !== undefined) {
      // as in a live call (core/turn-core.ts): the fixed line word for word, and no model sees the words
      raw = this.o.emergency!.line;
      out.push(raw);
    } else {
      const chat = this.#conversation.chatFor(callerText);
      for await (const delta of llmText(this.o.model, chat, signal, undefined, this.o.tools, (items) =>
        toolItems.push(...items),
      )) {
        raw += delta;
        out.push(...h.push(delta));
      }
      out.push(...h.flush());
    }
    this.names.replied(turn, h.usedName);
    const reply = out.join(' ');
    // every word of hers is "heard" here: there is no audio to be cut off
    const keep = keepOfReply({
      userText: callerText,
      audioStarted: reply !== '',
      aborted: false,
      heard: reply,
      spoken: reply,
      toolCalls: toolItems.length,
    });
    if (keep) {
      this.#conversation.commit(keep, toolItems);
      this.#records.reply(turn, keep, toolItems, startedAt);
    }
    const tools = toolResults(toolItems).map(({ name, args, result }) => ({ name, args, result }));
    return {
      caller: callerText,
      reply,
      raw,
      tools,
      ...(opts.callerName ? { callerName: opts.callerName } : {}),
      ...(emergency !== undefined ? { emergency } : {}),
    };
  }
}
