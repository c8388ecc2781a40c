/**
 * The offline receptionist behind the agents' LLM interface, so the call pipeline cannot tell it
 * from Groq and swapping the two is configuration. It answers from the knowledge base only and
 * ignores system instructions (it has no model to give them to). Of the tools it knows only the
 * appointment tools: offered them, it runs the booking flow (core/receptionist/booking-flow.ts),
 * which asks for tool calls. It streams the reply a few words at a time so the humanizer and TTS
 * downstream see a realistic stream.
 */
import { DEFAULT_API_CONNECT_OPTIONS, llm, type APIConnectOptions } from '@livekit/agents';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { dayInTimeZone } from '../../core/receptionist/hours.ts';
import { greeting, respond, type Reply, type Turn } from '../../core/receptionist/respond.ts';
import { bookingStep, type FlowItem, type FlowStep } from '../../core/receptionist/booking-flow.ts';
import type { ToolResult } from '../../core/booking-tools.ts';
import type { ChatRequest } from '../types.ts';

export interface RulesLLMOptions {
  kb: KnowledgeBase;
  /** wall clock for "are you open today"; defaults to the system clock */
  now?: () => Date;
  /** words per streamed chunk; small so downstream streaming is exercised */
  wordsPerChunk?: number;
}

export class RulesLLM extends llm.LLM {
  readonly description = 'rules (offline)';
  readonly #kb: KnowledgeBase;
  readonly #now: () => Date;
  readonly #wordsPerChunk: number;

  constructor(opts: RulesLLMOptions) {
    super();
    this.#kb = opts.kb;
    this.#now = opts.now ?? (() => new Date());
    this.#wordsPerChunk = Math.max(1, opts.wordsPerChunk ?? 2);
  }

  label(): string {
    return 'rules.LLM';
  }

  override get model(): string {
    return 'rules';
  }

  override get provider(): string {
    return 'voxanne';
  }

  chat({ chatCtx, toolCtx, connOptions = DEFAULT_API_CONNECT_OPTIONS }: ChatRequest): RulesLLMStream {
    // appointments run by slot filling only when the pipeline offers the booking tools to run
    const booking = hasBookingTools(toolCtx);
    return new RulesLLMStream(this, {
      chatCtx,
      ...(toolCtx ? { toolCtx } : {}),
      connOptions,
      compose: (ctx) => composeStep(this.#kb, ctx, this.#now(), booking),
      wordsPerChunk: this.#wordsPerChunk,
    });
  }
}

/** The caller's latest words answered in the light of everything before them. */
export function composeReply(kb: KnowledgeBase, chatCtx: llm.ChatContext, now: Date, canBook = false): Reply {
  const turns = conversationTurns(chatCtx);
  let lastUser = -1;
  turns.forEach((t, i) => {
    if (t.role === 'user') lastUser = i;
  });
  // nothing said yet (the pipeline asked her to speak first): she greets
  if (lastUser < 0) return { text: greeting(kb), intent: 'greeting', serviceIds: [] };
  return respond(kb, turns.slice(0, lastUser), turns[lastUser]!.text, {
    today: dayInTimeZone(now, kb.clinic.timezone),
    canBook,
  });
}

function hasBookingTools(toolCtx: llm.ToolContextLike | undefined): boolean {
  if (!toolCtx) return false;
  const ctx = toolCtx instanceof llm.ToolContext ? toolCtx : llm.toToolContext(toolCtx);
  return ctx.hasTool('check_availability');
}

/** What the brain does next: say a reply, or call an appointment tool. */
export type BrainStep = { text: string } | { call: { name: string; args: Record<string, unknown> } };

export function composeStep(kb: KnowledgeBase, chatCtx: llm.ChatContext, now: Date, booking: boolean): BrainStep {
  if (booking) {
    const step: FlowStep | undefined = bookingStep(kb, flowItems(chatCtx), now);
    if (step && 'call' in step) return step;
    if (step && 'aside' in step) {
      // a question asked mid-booking: answered from the knowledge base, then back to the booking
      const answer = composeReply(kb, chatCtx, now, true).text;
      return { text: `${answer} ${step.ask}` };
    }
    if (step) return { text: step.say };
  }
  return { text: composeReply(kb, chatCtx, now, booking).text };
}

/** The conversation with the appointment tools' calls and results, for the booking flow. */
export function flowItems(chatCtx: llm.ChatContext): FlowItem[] {
  const calls = new Map<string, { name: string; args: Record<string, unknown> }>();
  const items: FlowItem[] = [];
  for (const item of chatCtx.items) {
    if (item.type === 'function_call') {
      let args: Record<string, unknown> = {};
      try {
        args = JSON.parse(item.args || '{}') as Record<string, unknown>;
      } catch {
        // a malformed call carries no usable arguments; its result will say so
      }
      calls.set(item.callId, { name: item.name, args });
    } else if (item.type === 'function_call_output') {
      const call = calls.get(item.callId);
      if (!call) continue;
      try {
        items.push({ role: 'tool', name: call.name, args: call.args, result: JSON.parse(item.output) as ToolResult });
      } catch {
        // not one of ours
      }
    } else if (item.type === 'message' && (item.role === 'user' || item.role === 'assistant')) {
      const text = item.textContent?.trim();
      if (text) items.push({ role: item.role, text });
    }
  }
  return items;
}

/** User and assistant messages as plain text; instructions, tool calls and handoffs are not conversation. */
export function conversationTurns(chatCtx: llm.ChatContext): Turn[] {
  const turns: Turn[] = [];
  for (const item of chatCtx.items) {
    if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) continue;
    const text = item.textContent?.trim();
    if (text) turns.push({ role: item.role, text });
  }
  return turns;
}

/** "a b c d e" with 2 words per chunk → ["a b ", "c d ", "e"]: concatenated, the exact reply. */
export function splitForStreaming(text: string, wordsPerChunk: number): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  return chunks;
}

export class RulesLLMStream extends llm.LLMStream {
  readonly #compose: (chatCtx: llm.ChatContext) => BrainStep;
  readonly #wordsPerChunk: number;
  readonly #id = `rules-${crypto.randomUUID()}`;

  constructor(
    owner: RulesLLM,
    opts: {
      chatCtx: llm.ChatContext;
      toolCtx?: llm.ToolContextLike;
      connOptions: APIConnectOptions;
      compose: (chatCtx: llm.ChatContext) => BrainStep;
      wordsPerChunk: number;
    },
  ) {
    super(owner, {
      chatCtx: opts.chatCtx,
      ...(opts.toolCtx ? { toolCtx: opts.toolCtx } : {}),
      connOptions: opts.connOptions,
    });
    this.#compose = opts.compose;
    this.#wordsPerChunk = opts.wordsPerChunk;
  }

  /**
   * Puts the reply on the base class's queue; the base closes the queue when run() returns and
   * stops forwarding once the stream is closed. A throw here reaches the LLM's 'error' event.
   */
  protected async run(): Promise<void> {
    const signal = this.abortController.signal;
    const step = this.#compose(this.chatCtx);
    if ('call' in step) {
      // the same shape a model's tool call has, so the pipeline runs it the same way
      const callId = `rules_call_${crypto.randomUUID().slice(0, 8)}`;
      const call = llm.FunctionCall.create({ callId, name: step.call.name, args: JSON.stringify(step.call.args) });
      this.queue.put({ id: this.#id, delta: { role: 'assistant', toolCalls: [call] } });
      return;
    }
    for (const piece of splitForStreaming(step.text, this.#wordsPerChunk)) {
      if (signal.aborted) return;
      this.queue.put({ id: this.#id, delta: { role: 'assistant', content: piece } });
      // let the consumer take each piece before the next, as a network stream would
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
