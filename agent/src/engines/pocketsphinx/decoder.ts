import { Worker } from 'node:worker_threads';

/** Where the Debian packages put the library and the US English model. */
export const DEBIAN_POCKETSPHINX = {
  pocketsphinxLib: '/usr/lib/x86_64-linux-gnu/libpocketsphinx.so.3',
  sphinxbaseLib: '/usr/lib/x86_64-linux-gnu/libsphinxbase.so.3',
  hmm: '/usr/share/pocketsphinx/model/en-us/en-us',
  dict: '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict',
  lm: '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin',
} as const;

/** The decoder's sample rate; everything fed to it is 16 kHz mono 16-bit. */
export const DECODER_SAMPLE_RATE = 16000;

export interface DecoderConfig {
  /** acoustic model directory */
  hmm: string;
  /** pronunciation dictionary */
  dict: string;
  /** n-gram language model (ARPA text or binary); exactly one of lm / jsgf */
  lm?: string;
  /** JSGF grammar instead of an n-gram model */
  jsgf?: string;
  /** a general n-gram model interpolated with `lm` at decode time (sphinxbase's LM set) */
  general?: { lm: string; domainWeight: number };
  pocketsphinxLib?: string;
  sphinxbaseLib?: string;
  /** further pocketsphinx flags, e.g. { '-beam': '1e-60' } */
  extraArgs?: Readonly<Record<string, string>>;
}

export interface UtteranceResult {
  /** best hypothesis, words separated by spaces; '' when nothing was recognised */
  text: string;
  /** path score (log domain, more negative is worse) */
  score: number;
  /** milliseconds the worker spent inside the decoder for this utterance */
  decodeMs: number;
  /** CPU milliseconds the worker thread used for it (decodeMs minus time other work took the core) */
  cpuMs: number;
  /** samples decoded in this utterance */
  samples: number;
}

export class DecoderError extends Error {
  override name = 'DecoderError';
}

type Reply = { id: number; ok: true; [k: string]: unknown } | { id: number; ok: false; error: string };

function decoderArgs(c: DecoderConfig): string[] {
  if ((c.lm === undefined) === (c.jsgf === undefined))
    throw new DecoderError('give the decoder exactly one of lm or jsgf');
  const flags: Record<string, string> = {
    '-hmm': c.hmm,
    '-dict': c.dict,
    ...(c.lm !== undefined ? { '-lm': c.lm } : { '-jsgf': c.jsgf! }),
    '-samprate': String(DECODER_SAMPLE_RATE),
    ...c.extraArgs,
  };
  return Object.entries(flags).flat();
}

/**
 * A pocketsphinx decoder living in its own worker thread (see decoder-worker.mjs for why).
 * Requests are handled strictly in order, so audio sent before a `partial()` or
 * `endUtterance()` is always decoded before it is answered. Usable at once: messages sent while
 * the model is still loading wait in the worker's queue.
 */
export class PocketsphinxDecoder {
  readonly ready: Promise<{ initMs: number }>;
  #worker: Worker;
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  #failure: Error | undefined;
  #closing: Promise<void> | undefined;
  #exited: Promise<void>;

  constructor(config: DecoderConfig) {
    const args = decoderArgs(config);
    this.#worker = new Worker(new URL('./decoder-worker.mjs', import.meta.url), {
      workerData: {
        pocketsphinxLib: config.pocketsphinxLib ?? DEBIAN_POCKETSPHINX.pocketsphinxLib,
        sphinxbaseLib: config.sphinxbaseLib ?? DEBIAN_POCKETSPHINX.sphinxbaseLib,
        args,
        ...(config.general && config.lm !== undefined
          ? { mix: { lm: config.lm, general: config.general.lm, weight: config.general.domainWeight } }
          : {}),
      },
      // the worker has no business with the agent's stdin, and its own output is silenced
      stdin: false,
    });
    let onReady!: (v: { initMs: number }) => void;
    let onReadyFailed!: (e: Error) => void;
    this.ready = new Promise((res, rej) => {
      onReady = res;
      onReadyFailed = rej;
    });
    // callers that never await `ready` learn of a failure from their next request instead
    this.ready.catch(() => {});
    this.#worker.on('message', (msg: Reply & { type?: 'ready'; initMs?: number }) => {
      if (msg.type === 'ready') {
        this.#updateRef();
        return onReady({ initMs: Number(msg.initMs) });
      }
      if (typeof msg.id !== 'number') return;
      const p = this.#pending.get(msg.id);
      this.#pending.delete(msg.id);
      this.#updateRef();
      p?.resolve(msg);
    });
    this.#worker.on('error', (err) => this.#fail(new DecoderError(`pocketsphinx worker failed: ${err.message}`)));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#fail(new DecoderError(`pocketsphinx worker exited (code ${code})`));
        resolve();
      });
    });
    // the first failure is the one worth reporting (#exited never rejects)
    void this.#exited.then(() => onReadyFailed(this.#failure!));
  }

  /** Settles when the worker thread has ended (closed, crashed or terminated) and its decoder is gone. */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /** True once the decoder can no longer be used (closed or crashed). */
  get closed(): boolean {
    return this.#failure !== undefined || this.#closing !== undefined;
  }

  // An idle decoder (a pre-warmed spare, a stream waiting for audio) must not keep the process
  // alive, but one that owes an answer must, or a script awaiting it would just exit.
  #updateRef(): void {
    if (this.#pending.size > 0) this.#worker.ref();
    else this.#worker.unref();
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const p of this.#pending.values()) p.reject(this.#failure);
    this.#pending.clear();
  }

  #post(msg: Record<string, unknown>, transfer?: ArrayBuffer[]): void {
    if (this.#failure) throw this.#failure;
    if (this.#closing) throw new DecoderError('decoder is closed');
    this.#worker.postMessage(msg, transfer);
  }

  #request(msg: Record<string, unknown>, transfer?: ArrayBuffer[]): Promise<Reply & { ok: true }> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++;
      this.#post({ ...msg, id }, transfer);
      this.#pending.set(id, {
        resolve: (r) => (r.ok ? resolve(r) : reject(new DecoderError(`pocketsphinx: ${r.error}`))),
        reject,
      });
      this.#updateRef();
    });
  }

  startUtterance(): void {
    this.#post({ op: 'start' });
  }

  /** Queues 16 kHz mono audio for the current utterance. The array is transferred: do not reuse it. */
  process(samples: Int16Array): void {
    if (samples.length === 0) return;
    // a view into a larger buffer cannot be transferred without giving the rest away
    const own =
      samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
    this.#post({ op: 'audio', samples: own }, [own.buffer as ArrayBuffer]);
  }

  /** The current best partial hypothesis of the open utterance. */
  async partial(): Promise<string> {
    return String((await this.#request({ op: 'partial' })).text ?? '');
  }

  async endUtterance(): Promise<UtteranceResult> {
    return toResult(await this.#request({ op: 'end' }));
  }

  /** Decodes a whole buffer as one utterance (not mixed with a streaming utterance). */
  async recognize(samples: Int16Array): Promise<UtteranceResult> {
    const own = samples.slice();
    return toResult(await this.#request({ op: 'recognize', samples: own }, [own.buffer as ArrayBuffer]));
  }

  /**
   * Frees the native decoder and ends the worker. Idempotent. If the worker does not answer
   * within `timeoutMs` (stuck in native code, or crashed) it is terminated instead.
   */
  close(timeoutMs = 2000): Promise<void> {
    this.#closing ??= (async () => {
      if (!this.#failure) {
        const id = this.#nextId++;
        this.#worker.ref();
        this.#worker.postMessage({ op: 'close', id });
        const timer = setTimeout(() => void this.#worker.terminate(), timeoutMs);
        await this.#exited;
        clearTimeout(timer);
      } else {
        await this.#worker.terminate();
      }
      this.#fail(new DecoderError('decoder is closed'));
    })();
    return this.#closing;
  }
}

function toResult(r: Record<string, unknown>): UtteranceResult {
  return {
    text: String(r.text ?? ''),
    score: Number(r.score ?? 0),
    decodeMs: Number(r.decodeMs ?? 0),
    cpuMs: Number(r.cpuMs ?? 0),
    samples: Number(r.samples ?? 0),
  };
}
