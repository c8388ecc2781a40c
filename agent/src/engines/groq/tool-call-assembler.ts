/**
 * Reassembles tool calls from OpenAI-style stream deltas. Pure.
 *
 * Each call has an `index`; its first delta carries the id and the function name, and the JSON
 * arguments may arrive in any number of fragments after that. Groq's Llama models usually send a
 * whole call in one delta, OpenAI-style servers split it: both shapes go through here. Calls are
 * streamed one index after another, so a delta for a higher index finishes every lower one.
 */

export interface ToolCallDelta {
  index: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

export interface AssembledToolCall {
  callId: string;
  name: string;
  /** the raw JSON text; parsing and validation are the tool executor's job */
  args: string;
}

interface OpenCall {
  index: number;
  callId: string;
  name: string;
  args: string;
}

export class ToolCallAssembler {
  #open = new Map<number, OpenCall>();
  /** prefix for made-up ids when a server omits them (the call still needs a unique id) */
  #fallbackIdPrefix: string;

  constructor(fallbackIdPrefix = 'call') {
    this.#fallbackIdPrefix = fallbackIdPrefix;
  }

  /** Feeds one delta; returns the calls it proved complete, in index order. */
  push(delta: ToolCallDelta): AssembledToolCall[] {
    const done = this.#takeWhere((index) => index < delta.index);
    let call = this.#open.get(delta.index);
    if (!call) {
      call = { index: delta.index, callId: '', name: '', args: '' };
      this.#open.set(delta.index, call);
    }
    if (delta.id) call.callId = delta.id;
    // the name comes whole in the call's first delta; arguments are the only streamed field
    if (delta.function?.name) call.name = delta.function.name;
    if (delta.function?.arguments) call.args += delta.function.arguments;
    return done;
  }

  /** The reply finished: every call still open is complete. */
  flush(): AssembledToolCall[] {
    return this.#takeWhere(() => true);
  }

  get pending(): number {
    return this.#open.size;
  }

  #takeWhere(pred: (index: number) => boolean): AssembledToolCall[] {
    const out: AssembledToolCall[] = [];
    for (const index of [...this.#open.keys()].sort((a, b) => a - b)) {
      if (!pred(index)) continue;
      const c = this.#open.get(index)!;
      this.#open.delete(index);
      // a nameless call is still reported: the tool executor answers the model with an error
      out.push({
        callId: c.callId || `${this.#fallbackIdPrefix}_${index}`,
        name: c.name,
        args: c.args || '{}',
      });
    }
    return out;
  }
}
