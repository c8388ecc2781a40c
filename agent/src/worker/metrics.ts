/**
 * The worker's Prometheus metrics. Calls run in job processes (one per call, forked by the agents
 * library); each sends what it measures as CallMetric data over IPC (`reportMetric`), and the worker
 * holds the only registry, so one scrape of the worker sees every call. A job process that dies
 * mid-call is counted here as a call ended with outcome "failed".
 */
import type { ChildProcess } from 'node:child_process';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CALL_OUTCOMES, type CallMetric } from '../core/call-metrics.ts';
import type { Channel } from '@voxanne/contracts/records-api';

/** our IPC message case, on the channel the library owns (see job-exit-hook.ts) */
export const METRIC_MESSAGE = 'voxanne.metric';
/**
 * The library's own message (agents 1.9.0, ipc/job_proc_lazy_main.js) that a job process finished its
 * prewarm: engines loaded, greeting synthesised. A job process must send nothing before it (the
 * worker takes any other first message for a broken process), so we listen for it instead.
 */
export const WARM_MESSAGE = 'initializeResponse';

/** In the job process: hands one measurement to the worker (a no-op when not forked, as in unit tests). */
export function reportMetric(m: CallMetric): void {
  process.send?.({ case: METRIC_MESSAGE, value: m });
}

const seconds = (ms: number) => ms / 1000;

/** `fetch` that reports how long each request took and whether it got an answer below 500. */
export function timedFetch(report: (ms: number, ok: boolean) => void, f: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const t0 = performance.now();
    try {
      const res = await f(input, init);
      report(performance.now() - t0, res.status < 500);
      return res;
    } catch (err) {
      report(performance.now() - t0, false);
      throw err;
    }
  };
}

interface Child {
  warm: boolean;
  channel?: Channel;
  ended: boolean;
  recordsQueue: number;
}

export class WorkerMetrics {
  readonly registry = new Registry();
  readonly #children = new Map<ChildProcess, Child>();
  readonly #callsTotal: Counter<'channel' | 'outcome'>;
  readonly #v2v: Histogram;
  readonly #bargeIn: Histogram;
  readonly #greeting: Histogram;
  readonly #provider: Histogram<'stage' | 'provider'>;
  readonly #providerErrors: Counter<'stage' | 'provider' | 'kind'>;
  readonly #fallbacks: Counter<'stage' | 'provider' | 'kind'>;
  readonly #records: Histogram<'result'>;
  readonly #watchdog: Counter;

  constructor(
    private readonly o: {
      maxCalls: number;
      /** the call path's own watchdog counter (call/counters.ts): its name and help, counted here over all calls */
      watchdog: { name: string; help: string };
    },
  ) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#callsTotal = new Counter({
      name: 'voxanne_calls_total',
      help: 'calls ended, by channel and outcome',
      labelNames: ['channel', 'outcome'],
      registers,
    });
    new Gauge({
      name: 'voxanne_calls_active',
      help: 'calls in progress, by channel',
      labelNames: ['channel'],
      registers,
      collect: () => {
        const g = this.registry.getSingleMetric('voxanne_calls_active') as Gauge<'channel'>;
        g.reset();
        for (const [ch, n] of this.#activeByChannel()) g.set({ channel: ch }, n);
      },
    });
    new Gauge({
      name: 'voxanne_worker_load',
      help: 'calls in progress divided by MAX_CONCURRENT_CALLS (1 = full: LiveKit sends callers elsewhere)',
      registers,
      collect: () => {
        (this.registry.getSingleMetric('voxanne_worker_load') as Gauge).set(this.activeCalls / this.o.maxCalls);
      },
    });
    new Gauge({
      name: 'voxanne_job_processes',
      help: 'job processes of this worker: warm (ready for a call), busy (in a call), starting',
      labelNames: ['state'],
      registers,
      collect: () => {
        const g = this.registry.getSingleMetric('voxanne_job_processes') as Gauge<'state'>;
        const n = { warm: 0, busy: 0, starting: 0 };
        for (const c of this.#children.values()) n[c.channel && !c.ended ? 'busy' : c.warm ? 'warm' : 'starting']++;
        for (const [state, v] of Object.entries(n)) g.set({ state }, v);
      },
    });
    new Gauge({
      name: 'voxanne_records_queue_depth',
      help: 'call records waiting to be delivered to the records server, over all calls',
      registers,
      collect: () => {
        let depth = 0;
        for (const c of this.#children.values()) depth += c.recordsQueue;
        (this.registry.getSingleMetric('voxanne_records_queue_depth') as Gauge).set(depth);
      },
    });
    this.#v2v = new Histogram({
      name: 'voxanne_voice_to_voice_seconds',
      help: "end of the caller's speech → her first audio frame out (the network to the caller comes on top)",
      buckets: [0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1, 1.5, 2, 3, 5],
      registers,
    });
    this.#bargeIn = new Histogram({
      name: 'voxanne_barge_in_seconds',
      help: "the caller's speech onset → her voice stopped",
      buckets: [0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1],
      registers,
    });
    this.#greeting = new Histogram({
      name: 'voxanne_greeting_seconds',
      help: 'the caller joined → her greeting starts',
      buckets: [0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    this.#provider = new Histogram({
      name: 'voxanne_provider_latency_seconds',
      help: 'provider latency per turn: stt = speech end → final transcript, llm = first token, tts = first audio',
      labelNames: ['stage', 'provider'],
      buckets: [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5],
      registers,
    });
    this.#providerErrors = new Counter({
      name: 'voxanne_provider_errors_total',
      help: 'provider failures a call saw, by stage, provider and kind',
      labelNames: ['stage', 'provider', 'kind'],
      registers,
    });
    this.#fallbacks = new Counter({
      name: 'voxanne_provider_fallbacks_total',
      help: 'times a call moved to the embedded engines, by stage, the provider that failed and kind',
      labelNames: ['stage', 'provider', 'kind'],
      registers,
    });
    this.#records = new Histogram({
      name: 'voxanne_records_request_seconds',
      help: 'requests to the records server (its database behind it), by result',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.#watchdog = new Counter({ name: o.watchdog.name, help: o.watchdog.help, registers });
    // every label combination a dashboard plots exists from the start, at 0
    for (const channel of ['web', 'sip'] as const)
      for (const outcome of CALL_OUTCOMES) this.#callsTotal.inc({ channel, outcome }, 0);
  }

  get activeCalls(): number {
    let n = 0;
    for (const c of this.#children.values()) if (c.channel && !c.ended) n++;
    return n;
  }

  /** job processes that finished their prewarm and wait for a call */
  get warmProcesses(): number {
    let n = 0;
    for (const c of this.#children.values()) if (c.warm && !c.channel) n++;
    return n;
  }

  #activeByChannel(): Map<Channel, number> {
    const m = new Map<Channel, number>([
      ['web', 0],
      ['sip', 0],
    ]);
    for (const c of this.#children.values()) if (c.channel && !c.ended) m.set(c.channel, (m.get(c.channel) ?? 0) + 1);
    return m;
  }

  /** Listens to one job process: its metric messages, and its exit. */
  watch(child: ChildProcess): void {
    const state: Child = { warm: false, ended: false, recordsQueue: 0 };
    this.#children.set(child, state);
    child.on('message', (m: { case?: unknown; value?: unknown }) => {
      if (m?.case === WARM_MESSAGE) state.warm = true;
      else if (m?.case === METRIC_MESSAGE) this.record(m.value as CallMetric, state);
    });
    child.once('exit', () => {
      this.#children.delete(child);
      // its call never said it ended: the process died under it
      if (state.channel && !state.ended) this.#callsTotal.inc({ channel: state.channel, outcome: 'failed' });
    });
  }

  /** One measurement from a call (exported for tests; `child` is the job process's state). */
  record(m: CallMetric, child: Child = { warm: true, ended: false, recordsQueue: 0 }): void {
    switch (m.kind) {
      case 'call_started':
        child.channel = m.channel;
        child.ended = false;
        break;
      case 'call_ended':
        child.ended = true;
        child.recordsQueue = 0;
        this.#callsTotal.inc({ channel: m.channel, outcome: m.outcome });
        break;
      case 'greeting':
        this.#greeting.observe(seconds(m.ms));
        break;
      case 'barge_in':
        this.#bargeIn.observe(seconds(m.ms));
        break;
      case 'turn': {
        const t = m.metrics;
        if (t.voiceToVoiceMs !== null) this.#v2v.observe(seconds(t.voiceToVoiceMs));
        if (t.sttFinalDelayMs !== null)
          this.#provider.observe({ stage: 'stt', provider: m.stt }, seconds(t.sttFinalDelayMs));
        if (t.llmTtftMs !== null)
          this.#provider.observe({ stage: 'llm', provider: t.engines.llm }, seconds(t.llmTtftMs));
        if (t.ttsTtfbMs !== null)
          this.#provider.observe({ stage: 'tts', provider: t.engines.tts }, seconds(t.ttsTtfbMs));
        break;
      }
      case 'provider_error':
        this.#providerErrors.inc({ stage: m.stage, provider: m.provider, kind: m.error });
        break;
      case 'fallback':
        this.#fallbacks.inc({ stage: m.stage, provider: m.provider, kind: m.error });
        break;
      case 'watchdog_recovery':
        this.#watchdog.inc();
        break;
      case 'records_queue':
        child.recordsQueue = m.depth;
        break;
      case 'records_request':
        this.#records.observe({ result: m.ok ? 'ok' : 'error' }, seconds(m.ms));
        break;
    }
  }

  /** the Prometheus text exposition */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
