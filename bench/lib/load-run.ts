/**
 * One load step of `npm run load`: N concurrent scripted calls against a whole stack (livekit-server,
 * the agent worker on its shipped defaults, the web server with the records database, LiveKit SIP for
 * phone callers) on the Deepgram/Groq fakes at the provider budget. Web callers are LiveKit
 * participants (SimCaller), phone callers sipp with RTP (SipCaller); each runs the benchmark's script
 * (load-call.ts) in a caller process of at most ROOMS_PER_SHARD rooms (load-shards.ts), or in this
 * process. While the calls run, the stack's processes are sampled (proc-sampler.ts) and the worker's
 * /metrics read.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultIdleProcesses } from '@voxanne/contracts/env';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import { buildWeb } from '../../test/support/test-stack.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startFakeDeepgram, type FakeDeepgram } from '../../test/fakes/deepgram/index.ts';
import { startFakeGroq } from '../../test/fakes/groq/fake-groq.ts';
import type { FakeGroq } from '../../test/fakes/groq/types.ts';
import { startBenchStack, type BenchStack } from './bench-stack.ts';
import { defaultScript } from './caller-script.ts';
import { inProcessPool, startShards, type CallerPool } from './caller-pool.ts';
import type { CallTarget, LoadCall } from './load-call.ts';
import { LoadRouting } from './load-routing.ts';
import { countEvent, noEvents, type StepEvents } from './load-report.ts';
import { ROOMS_PER_SHARD, shardCount, type ShardLag } from './load-shards.ts';
import { ProcSampler, type KindFigures, type ProcessKind } from './proc-sampler.ts';
import { BUDGET, LLM_TOKENS_PER_SECOND, scriptedAnswer } from './scenario.ts';
import { percentiles, type Percentiles } from './stats.ts';

export interface LoadOptions {
  calls: number;
  /** calls start evenly spread over this long (0: all at once) */
  rampMs: number;
  /** each call lasts at least this long: after the script she is asked short questions until it is over */
  holdMs: number;
  /** share of web and phone callers, e.g. { web: 4, sip: 1 }: every fifth call is a phone */
  mix: { web: number; sip: number };
  /**
   * job processes kept warm (AGENT_IDLE_PROCESSES, the clinic's own setting); the calls start once
   * that many are warm. Default: the shipped default for the step's lines (shippedWarm); callers beyond
   * it wait for a process to start
   */
  warm?: number;
  /** 'short': each caller hears the greeting and asks one question (the smoke run in npm test) */
  script?: 'full' | 'short';
  /**
   * at most this many callers in one caller process (rtc-node fails past ~25 rooms in one process);
   * 0 runs them in the load generator itself. Default ROOMS_PER_SHARD
   */
  roomsPerShard?: number;
  /** mid-load faults (load-faults.ts), started once every call has begun */
  faults?: (ctx: FaultContext) => Promise<FaultReport>;
  log(line: string): void;
}

export interface FaultContext {
  deepgram: FakeDeepgram;
  groq: FakeGroq;
  bench: BenchStack;
  log(line: string): void;
}
export type FaultReport = Record<string, unknown>;

export type { LoadCall } from './load-call.ts';

export interface LoadStep {
  calls: number;
  /** AGENT_IDLE_PROCESSES of the run */
  warm: number;
  ramp_ms: number;
  hold_ms: number;
  mix: { web: number; sip: number };
  v2v_ms: Percentiles;
  barge_in_ms: Percentiles;
  greeting_ms: Percentiles;
  dropped: number;
  failed: number;
  turns_said: number;
  turns_lost: number;
  /** records the agent logged as rejected, dropped or left undelivered */
  records_lost: number;
  /** CPU (cores, all processes of the kind) and RSS over the window in which every call was up */
  processes: Record<ProcessKind, KindFigures> & { windowMs: number };
  per_call: { job_cpu_cores: number; job_rss_mb: number; stack_cpu_cores: number; stack_rss_mb: number };
  /** the caller processes the step's callers ran in (0: in the load generator) */
  caller_processes: number;
  /**
   * load_generator: the process holding the fakes and the routing (and the callers, when
   * caller_processes is 0); callers: the worst caller process's, whose clock times her audio
   */
  event_loop_lag_ms: {
    load_generator: { p50: number; p99: number; max: number };
    callers?: ShardLag;
    worker_p99?: number;
  };
  load_average: { start: number[]; end: number[] };
  problems: string[];
  stt_unrouted: number;
  /** what the stack logged during the step (load-report.ts STEP_EVENTS): fallbacks, records held and recorded */
  events?: StepEvents;
  faults?: FaultReport;
  samples: { v2v: number[]; barge_in: number[]; greeting: number[] };
  measured_at: string;
}

export interface Fakes {
  deepgram: FakeDeepgram;
  groq: FakeGroq;
  routing: LoadRouting;
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

/** The fakes at the customer's provider budget (as `npm run bench` sets them), with one transcriber per caller. */
export async function startLoadFakes(): Promise<Fakes> {
  const routing = new LoadRouting();
  const deepgram = await startFakeDeepgram({
    transcriberFor: routing.transcriberFor,
    profile: { sttFinalMs: BUDGET.sttFinalMs, ttsFirstByteMs: BUDGET.ttsFirstByteMs, ttsSpeedup: 4 },
  });
  const groq = await startFakeGroq({
    responder: scriptedAnswer,
    latency: { firstTokenMs: BUDGET.llmFirstTokenMs, tokensPerSecond: LLM_TOKENS_PER_SECOND },
  });
  return {
    deepgram,
    groq,
    routing,
    env: {
      DEEPGRAM_API_KEY: deepgram.apiKey,
      DEEPGRAM_BASE_URL: deepgram.url,
      GROQ_API_KEY: groq.apiKey,
      GROQ_BASE_URL: groq.baseURL,
    },
    close: async () => {
      await deepgram.close();
      await groq.close();
    },
  };
}

const RECORDS_LOST = /call record rejected|call record queue full|records left undelivered|records not delivered/;

/** The step's MAX_CONCURRENT_CALLS: its N (a clinic sets it to the lines it runs), at least the shipped 4. */
const loadMaxCalls = (calls: number): number => Math.max(4, calls);

/** The warm job processes a step of N calls gets unless --warm says otherwise: the agent's own default. */
export const shippedWarm = (calls: number): number => defaultIdleProcesses(loadMaxCalls(calls));

/** The stack for a load step: MAX_CONCURRENT_CALLS is the step's N (a clinic sets it to the lines it runs). */
export async function startLoadStack(
  name: string,
  fakes: Fakes,
  o: {
    maxCalls: number;
    telephony: boolean;
    idleProcesses?: number;
    /** profile every job process into this directory (profiled-agent.ts) */
    cpuProfDir?: string;
    onLine?(source: string, line: string): void;
  },
): Promise<BenchStack> {
  // the web server serves the built page (static mode); callers never load it, but it must exist
  if (!existsSync(join(ROOT, 'web/dist/index.html'))) buildWeb();
  // on a machine loaded far past its cores a server can miss its start-up deadline: one more try
  for (let attempt = 1; ; attempt++) {
    try {
      return await startLoadStackOnce(name, fakes, o);
    } catch (e) {
      if (attempt >= 2) throw e;
      console.log(`load: the stack did not start (${String(e).split('\n')[0]}); trying once more`);
    }
  }
}

function startLoadStackOnce(name: string, fakes: Fakes, o: Parameters<typeof startLoadStack>[2]): Promise<BenchStack> {
  return startBenchStack({
    name,
    web: true,
    // the load's web callers open their own rooms (not the token route): a standby call would only hold
    // a job process and a line none of them can use, and add a process to what a call costs
    webEnv: { WEB_STANDBY_CALLS: '0' },
    telephony: o.telephony,
    ...(o.cpuProfDir ? { agentScript: join(ROOT, 'bench/lib/profiled-agent.ts') } : {}),
    agentEnv: {
      ...fakes.env,
      ...(o.cpuProfDir ? { LOAD_CPU_PROF_DIR: o.cpuProfDir } : {}),
      MAX_CONCURRENT_CALLS: String(loadMaxCalls(o.maxCalls)),
      ...(o.idleProcesses !== undefined ? { AGENT_IDLE_PROCESSES: String(o.idleProcesses) } : {}),
      LOG_LEVEL: process.env.BENCH_AGENT_LOG_LEVEL ?? 'info',
    },
    ...(o.onLine ? { onLine: o.onLine } : {}),
  });
}

const loadavg = async () => (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100);

/** The worker's event-loop lag p99 from its /metrics (prom-client's default metrics), in ms. */
async function workerLagP99(metricsUrl: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    const m = /^nodejs_eventloop_lag_p99_seconds\s+(\S+)/m.exec(text);
    return m ? Math.round(Number(m[1]) * 10000) / 10 : undefined;
  } catch {
    return undefined;
  }
}

export function channelOf(i: number, mix: { web: number; sip: number }): 'web' | 'sip' {
  const cycle = mix.web + mix.sip;
  return i % cycle < mix.web ? 'web' : 'sip';
}

/** Runs one load step on an already started stack (the soak runs many on one). */
export async function runLoadStep(
  bench: BenchStack,
  fakes: Fakes,
  o: LoadOptions,
  recordsLost: () => number,
): Promise<LoadStep> {
  const script = await defaultScript();
  const target: CallTarget = {
    livekitUrl: bench.stack.livekitUrl,
    apiKey: bench.apiKey,
    apiSecret: bench.apiSecret,
    ...(bench.stack.sipAddress ? { sipAddress: bench.stack.sipAddress } : {}),
  };
  const shards = shardCount(o.calls, o.roomsPerShard ?? ROOMS_PER_SHARD);
  const pool =
    shards === 0
      ? inProcessPool(target, fakes.routing, script)
      : await startShards(shards, target, fakes.routing, script);
  try {
    return await stepOn(pool, bench, fakes, o, recordsLost);
  } finally {
    await pool.close();
  }
}

async function stepOn(
  pool: CallerPool,
  bench: BenchStack,
  fakes: Fakes,
  o: LoadOptions,
  recordsLost: () => number,
): Promise<LoadStep> {
  await pool.lag(); // from here: what the caller processes' clocks suffer during the step
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const pid = (n: string) => bench.stack.children.find((c) => c.name === n)?.proc.pid;
  const sampler = new ProcSampler(() => ({
    agent: pid('agent'),
    livekit: pid('livekit'),
    'livekit-sip': pid('livekit-sip'),
    web: pid('web'),
  }));
  const loadStart = await loadavg();
  const recordsLostBefore = recordsLost();
  const unroutedBefore = fakes.routing.unrouted;
  const calls: Promise<LoadCall>[] = [];
  let workerLag: number | undefined;
  let processes: LoadStep['processes'] | undefined;
  let faults: FaultReport | undefined;
  let started = 0;
  let lastStarted!: () => void;
  const everyCallStarted = new Promise<void>((r) => (lastStarted = r));
  const ended = new Set<number>();
  for (let i = 0; i < o.calls; i++) {
    const delay = o.calls > 1 ? (i * o.rampMs) / (o.calls - 1) : 0;
    calls.push(
      (async () => {
        await new Promise((r) => setTimeout(r, delay));
        if (++started === o.calls) lastStarted();
        const f = await pool.place({ i, channel: channelOf(i, o.mix), holdMs: o.holdMs, short: o.script === 'short' });
        ended.add(i);
        o.log(
          `  call ${i + 1}/${o.calls} (${f.channel}): greeting ${Math.round(f.greetingMs ?? NaN)} ms, v2v ` +
            `${f.v2vMs.map(Math.round).join('/')} ms, barge-in ${f.bargeInMs.map(Math.round).join('/')} ms, ` +
            `answered ${f.answered}/${f.said}${f.problems.length ? `, ${f.problems.join('; ')}` : ''}`,
        );
        return f;
      })(),
    );
  }
  // resources are measured while the most calls are up: from the last call's start until the next call
  // ends (with a ramp longer than a call, or calls dropped early, some have ended before the last starts)
  const measuring = (async () => {
    await everyCallStarted;
    sampler.start();
    const faulting = o.faults?.({ deepgram: fakes.deepgram, groq: fakes.groq, bench, log: o.log });
    const up = calls.filter((_, i) => !ended.has(i));
    if (up.length > 0) await Promise.race(up);
    workerLag = await workerLagP99(bench.stack.agentMetricsUrl);
    processes = sampler.stop();
    faults = await faulting;
  })();
  const figures = await Promise.all(calls);
  await measuring;
  loopDelay.disable();
  const callersLag = await pool.lag();
  const v2v = figures.flatMap((f) => f.v2vMs);
  const bargeIn = figures.flatMap((f) => f.bargeInMs);
  const greeting = figures.flatMap((f) => (f.greetingMs === undefined ? [] : [f.greetingMs]));
  const said = figures.reduce((n, f) => n + f.said, 0);
  const answered = figures.reduce((n, f) => n + f.answered, 0);
  const p = processes!;
  const perCall = (x: number) => Math.round((x / o.calls) * 1000) / 1000;
  const stackKinds: ProcessKind[] = ['worker', 'job', 'inference', 'livekit', 'livekit-sip', 'web'];
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  return {
    calls: o.calls,
    warm: o.warm ?? shippedWarm(o.calls),
    ramp_ms: o.rampMs,
    hold_ms: o.holdMs,
    mix: o.mix,
    v2v_ms: percentiles(v2v),
    barge_in_ms: percentiles(bargeIn),
    greeting_ms: percentiles(greeting),
    dropped: figures.filter((f) => f.dropped).length,
    failed: figures.filter((f) => f.failed).length,
    turns_said: said,
    turns_lost: said - answered,
    records_lost: recordsLost() - recordsLostBefore,
    caller_processes: pool.shards,
    processes: p,
    per_call: {
      job_cpu_cores: perCall(p.job.cpuCores),
      job_rss_mb: p.job.rssMbMean,
      stack_cpu_cores: perCall(stackKinds.reduce((n, k) => n + p[k].cpuCores, 0)),
      stack_rss_mb: Math.round(perCall(stackKinds.reduce((n, k) => n + p[k].rssMbTotal, 0)) * 10) / 10,
    },
    event_loop_lag_ms: {
      load_generator: {
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      },
      ...(callersLag ? { callers: callersLag } : {}),
      ...(workerLag !== undefined ? { worker_p99: workerLag } : {}),
    },
    load_average: { start: loadStart, end: await loadavg() },
    problems: figures.flatMap((f, i) => f.problems.map((x) => `call ${i + 1}: ${x}`)),
    stt_unrouted: fakes.routing.unrouted - unroutedBefore,
    ...(faults ? { faults } : {}),
    samples: { v2v, barge_in: bargeIn, greeting },
    measured_at: new Date().toISOString(),
  };
}

/** A whole load step on its own stack: fakes, stack, calls, teardown. */
export async function runLoad(o: LoadOptions & { name?: string; cpuProfDir?: string }): Promise<LoadStep> {
  const fakes = await startLoadFakes();
  let recordsLost = 0;
  const events = noEvents();
  try {
    const bench = await startLoadStack(o.name ?? `load-${o.calls}`, fakes, {
      maxCalls: o.calls,
      telephony: o.mix.sip > 0,
      ...(o.warm !== undefined ? { idleProcesses: o.warm } : {}),
      ...(o.cpuProfDir ? { cpuProfDir: o.cpuProfDir } : {}),
      onLine: (source, l) => {
        if (source === 'agent' && RECORDS_LOST.test(l)) recordsLost++;
        countEvent(events, source, l);
      },
    });
    let step: LoadStep;
    try {
      await bench.warmed(o.warm ?? shippedWarm(o.calls), 180_000);
      step = await runLoadStep(bench, fakes, o, () => recordsLost);
    } finally {
      await bench.stack.stop();
    }
    // the stack is the step's: what it logged until it stopped (records delivered, or given up as the
    // agent drained its calls at the stop) is the step's too
    return { ...step, records_lost: recordsLost, events: { ...events } };
  } finally {
    await fakes.close();
  }
}
