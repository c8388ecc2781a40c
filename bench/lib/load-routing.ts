/**
 * Many callers on one Deepgram fake: each live connection the agents open is routed to the caller
 * whose audio it carries, so every caller's words are recognised apart (each has its own
 * BenchTranscriber). The fake cannot tell whose audio a connection carries, so the binding is made
 * by taking turns: a caller whose line is not bound yet (her first utterance, or her connection went
 * away) claims the router before she speaks, and the first speech an unbound connection hears while
 * she holds the claim binds it to her. Only one caller at a time is ever unbound and speaking, so a
 * binding can never be wrong; a bound caller speaks freely.
 */
import type { ListenRecord, SpeechSegment, Transcriber } from '../../test/fakes/deepgram/index.ts';
import { BenchTranscriber } from './bench-transcriber.ts';

/** a claim not bound this long after it was taken (the caller said nothing the fake heard) is given up */
const CLAIM_TIMEOUT_MS = 6000;

/** One caller's side of the routing: her transcriber, and the connection bound to her. */
export class CallerLine extends BenchTranscriber {
  connection: ListenRecord | undefined;
  /** how many times a connection was bound to her (more than one: her agent reconnected to the STT) */
  bindings = 0;
  #release: (() => void) | undefined;

  constructor(private readonly routing: LoadRouting) {
    super();
  }

  /** Before each utterance: a caller whose line is unbound waits for the claim (see the file's comment). */
  async ready(): Promise<void> {
    if (this.connection && !this.connection.closed) return;
    this.connection = undefined;
    this.#release = await this.routing.claim(this);
  }

  bind(connection: ListenRecord): void {
    this.connection = connection;
    this.bindings++;
    this.#release?.();
    this.#release = undefined;
  }

  /** Gives the claim back (the call ended before anything was bound). */
  done(): void {
    this.#release?.();
    this.#release = undefined;
  }
}

export class LoadRouting {
  #holder: CallerLine | undefined;
  #queue: (() => void)[] = [];
  /** speech on a connection no caller could be bound to (nothing in a clean run) */
  unrouted = 0;
  /** claims given up because nothing was heard in time */
  timedOut = 0;

  line(): CallerLine {
    return new CallerLine(this);
  }

  /** Resolves, once it is `line`'s turn, with the function that ends the claim. */
  async claim(line: CallerLine): Promise<() => void> {
    while (this.#holder) await new Promise<void>((r) => this.#queue.push(r));
    this.#holder = line;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      if (this.#holder === line) this.#holder = undefined;
      this.#queue.shift()?.();
    };
    const timer = setTimeout(() => {
      this.timedOut++;
      release();
    }, CLAIM_TIMEOUT_MS);
    return release;
  }

  /** The Deepgram fake's `transcriberFor`: one router per live connection. */
  readonly transcriberFor = (connection: ListenRecord): Transcriber => {
    let bound: CallerLine | undefined;
    const route = (): CallerLine | undefined => {
      if (!bound && this.#holder && !this.#holder.connection) {
        bound = this.#holder;
        bound.bind(connection);
      }
      return bound;
    };
    return {
      final: (segment: SpeechSegment) => {
        const line = route();
        if (!line) this.unrouted++;
        return line ? line.final(segment) : '';
      },
      interim: (segment: SpeechSegment) => route()?.interim(segment) ?? '',
    };
  };
}
