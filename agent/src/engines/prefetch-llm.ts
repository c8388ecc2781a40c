/**
 * Speculative LLM requests. The caller's words are usually all in the interim transcript well before
 * the STT's endpointing sends the final one (Deepgram: endpointing + ~50 ms after the last word). So
 * when the caller pauses, the call asks for the answer to the interim text at once; if the final
 * transcript turns out to say the same, the reply takes over that request, already part-way through
 * its time to first token. If it says something else, the guess is dropped and nothing of it is
 * heard: the cost is one wasted request.
 *
 * Wraps any @livekit/agents LLM. Matching is on the whole chat (roles and text, the last user
 * message compared without case or punctuation) plus the advertised tool names.
 */
import { llm } from '@livekit/agents';
import { onFatalError } from './engine-errors.ts';
import type { LlmPrefetcher } from './types.ts';

type ChatOptions = Parameters<llm.LLM['chat']>[0];

export interface PrefetchStats {
  requested: number;
  used: number;
  dropped: number;
}

const loose = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => (typeof c === 'string' ? c : '')).join('');
  return '';
}

/** A key for "the same request": every message's role and text, the last user text loosely. */
export function chatKey(chatCtx: llm.ChatContext, toolCtx?: ChatOptions['toolCtx']): string {
  const items = chatCtx.items.filter((i): i is llm.ChatMessage => i.type === 'message');
  const parts = items.map(
    (m, i) => `${m.role}:${i === items.length - 1 && m.role === 'user' ? loose(textOf(m.content)) : textOf(m.content)}`,
  );
  const tools = toolCtx
    ? Object.keys((toolCtx instanceof llm.ToolContext ? toolCtx : new llm.ToolContext(toolCtx)).functionTools).sort()
    : [];
  return JSON.stringify([parts, tools]);
}

export class PrefetchingLLM extends llm.LLM implements LlmPrefetcher {
  readonly inner: llm.LLM;
  /** failed: the provider reported a fatal error while the guess waited (its error event is gone by then) */
  #pending: { key: string; stream: llm.LLMStream; failed: boolean } | undefined;
  readonly stats: PrefetchStats = { requested: 0, used: 0, dropped: 0 };

  constructor(inner: llm.LLM) {
    super();
    this.inner = inner;
    // errors and metrics are reported by the engine that does the work; callers listen on this one
    onFatalError(inner, () => {
      if (this.#pending) this.#pending.failed = true;
    });
    inner.on('error', (e) => this.emit('error', e));
    inner.on('metrics_collected', (m) => this.emit('metrics_collected', m));
  }

  label(): string {
    return this.inner.label();
  }

  override get model(): string {
    return this.inner.model;
  }

  /** Starts the request `chat()` will probably make next; replaces an earlier guess. */
  prefetch(opts: ChatOptions): void {
    const key = chatKey(opts.chatCtx, opts.toolCtx);
    if (this.#pending?.key === key) return;
    this.drop();
    this.stats.requested++;
    this.#pending = { key, stream: this.inner.chat(opts), failed: false };
  }

  /** Forgets the current guess (the caller went on talking, or the call ended). */
  drop(): void {
    if (!this.#pending) return;
    this.stats.dropped++;
    this.#pending.stream.close();
    this.#pending = undefined;
  }

  /**
   * The guess when it is this request and has not failed; otherwise a fresh request. A guess that
   * failed while it waited is not handed out: its error was reported before the reply listened, so
   * the reply would see an empty answer instead of a failure to recover from.
   */
  chat(opts: ChatOptions): llm.LLMStream {
    const p = this.#pending;
    if (p && !p.failed && p.key === chatKey(opts.chatCtx, opts.toolCtx)) {
      this.#pending = undefined;
      this.stats.used++;
      return p.stream;
    }
    this.drop();
    return this.inner.chat(opts);
  }

  override async aclose(): Promise<void> {
    this.drop();
    await this.inner.aclose();
  }
}
