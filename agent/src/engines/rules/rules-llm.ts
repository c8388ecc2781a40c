/**
 * The offline receptionist behind the agents' LLM interface, so the call pipeline cannot tell it
 * from Groq and swapping the two is configuration. It answers from the knowledge base only,
 * ignores system instructions and tools (it has no model to give them to), and streams the reply
 * a few words at a time so the sentence chunker and TTS downstream see a realistic stream.
 */
import { DEFAULT_API_CONNECT_OPTIONS, llm, type APIConnectOptions } from '@livekit/agents';
import type { KnowledgeBase } from '../../knowledge/schema.ts';
import { dayInTimeZone } from '../../core/receptionist/hours.ts';
import { greeting, respond, type Reply, type Turn } from '../../core/receptionist/respond.ts';

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

  chat({
    chatCtx,
    toolCtx,
    connOptions = DEFAULT_API_CONNECT_OPTIONS,
  }: {
    chatCtx: llm.ChatContext;
    toolCtx?: llm.ToolContextLike;
    connOptions?: APIConnectOptions;
    parallelToolCalls?: boolean;
    toolChoice?: llm.ToolChoice;
    extraKwargs?: Record<string, unknown>;
  }): RulesLLMStream {
    return new RulesLLMStream(this, {
      chatCtx,
      ...(toolCtx ? { toolCtx } : {}),
      connOptions,
      compose: (ctx) => composeReply(this.#kb, ctx, this.#now()).text,
      wordsPerChunk: this.#wordsPerChunk,
    });
  }
}

/** The caller's latest words answered in the light of everything before them. */
export function composeReply(kb: KnowledgeBase, chatCtx: llm.ChatContext, now: Date): Reply {
  const turns = conversationTurns(chatCtx);
  let lastUser = -1;
  turns.forEach((t, i) => {
    if (t.role === 'user') lastUser = i;
  });
  // nothing said yet (the pipeline asked her to speak first): she greets
  if (lastUser < 0) return { text: greeting(kb), intent: 'greeting', serviceIds: [] };
  return respond(kb, turns.slice(0, lastUser), turns[lastUser]!.text, { today: dayInTimeZone(now, kb.clinic.timezone) });
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
  readonly #compose: (chatCtx: llm.ChatContext) => string;
  readonly #wordsPerChunk: number;
  readonly #id = `rules-${crypto.randomUUID()}`;

  constructor(
    owner: RulesLLM,
    opts: {
      chatCtx: llm.ChatContext;
      toolCtx?: llm.ToolContextLike;
      connOptions: APIConnectOptions;
      compose: (chatCtx: llm.ChatContext) => string;
      wordsPerChunk: number;
    },
  ) {
    super(owner, { chatCtx: opts.chatCtx, ...(opts.toolCtx ? { toolCtx: opts.toolCtx } : {}), connOptions: opts.connOptions });
    this.#compose = opts.compose;
    this.#wordsPerChunk = opts.wordsPerChunk;
  }

  /**
   * Puts the reply on the base class's queue; the base closes the queue when run() returns and
   * stops forwarding once the stream is closed. A throw here reaches the LLM's 'error' event.
   */
  protected async run(): Promise<void> {
    const signal = this.abortController.signal;
    const text = this.#compose(this.chatCtx);
    for (const piece of splitForStreaming(text, this.#wordsPerChunk)) {
      if (signal.aborted) return;
      this.queue.put({ id: this.#id, delta: { role: 'assistant', content: piece } });
      // let the consumer take each piece before the next, as a network stream would
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
