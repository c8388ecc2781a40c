/**
 * `npm run bench`: Voxanne against a stock @livekit/agents AgentSession (default and tuned), side by
 * side, on the same protocol-faithful Deepgram and Groq fakes set to the customer's provider budget,
 * every agent on its shipped defaults. Each pipeline gets its own real livekit-server; a caller
 * simulator (a real LiveKit participant) makes scripted calls, fluent and hesitant, and times what it
 * hears. Then Voxanne and stock-tuned again under the jitter profile (provider tails). Prints
 * p50/p95/p99 and writes bench/results/latest.{json,html,png} and the README's table.
 *
 *   npm run bench                        # 2 calls per pipeline with ≥ 20 hesitant questions in all, 1 under jitter
 *                                        # (--jitter-calls N, 0: none; --hesitant N: hesitant questions per pipeline)
 *   npm run bench -- --calls 20 --only voxanne     # --only takes a list: voxanne,stock,stock-tuned,jitter,sip,sweep
 *   npm run bench -- --sip               # also Voxanne over the phone leg (sipp → LiveKit SIP), as "sip"
 *   npm run bench -- --only sip          # the phone leg alone
 *   npm run bench -- --browser           # only the click → greeting time in Chromium (10 calls unless --calls);
 *                                        # merged into latest.json as `browser`, the other figures kept
 *   npm run bench -- --sweep             # also the caller-onset sweep (--sweep-calls N per offset)
 *   npm run bench -- --only sweep        # the sweep alone
 *
 * latest.json is merged: a run replaces only what it measured, so `--only sweep` keeps the pipelines' figures.
 */
import { dispose } from '@livekit/rtc-node';
import type { CallTokenResponse } from '@voxanne/contracts/call-room';
import { webStandbyEnv } from '@voxanne/contracts/env';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ROOT } from '../scripts/lib/livekit-binary.ts';
import { startFakeDeepgram } from '../test/fakes/deepgram/index.ts';
import { startFakeGroq } from '../test/fakes/groq/fake-groq.ts';
import { SimCaller } from '../test/support/sim-caller.ts';
import { renderPng } from './lib/render-png.ts';
import { startBenchStack } from './lib/bench-stack.ts';
import { BenchTranscriber } from './lib/bench-transcriber.ts';
import { defaultScript, runCall, type CallFigures } from './lib/caller-script.ts';
import { plotHtml, type Panel } from './lib/plot.ts';
import { BUDGET, LLM_TOKENS_PER_SECOND, PROVIDER_BUDGET_MS, scriptedAnswer } from './lib/scenario.ts';
import { Jitter, DEFAULT_JITTER } from './lib/jitter.ts';
import { benchTable, replaceBenchTable } from './lib/readme-table.ts';
import { runBrowserBench } from './lib/browser-bench.ts';
import { runTwilioBench } from './lib/twilio-bench.ts';
import { runSipBench } from './lib/sip-bench.ts';
import { percentiles, type Percentiles } from './lib/stats.ts';
import { AgentTimeline, splitCall, summarizeSplits } from './lib/timeline.ts';
import { mergeResults } from './lib/merge-results.ts';
import { runSweepBench, sweepTable, type SweepFigures } from './lib/sweep-bench.ts';

const DEFAULT_OUT = join(ROOT, 'bench/results');
const { values: args } = parseArgs({
  options: {
    calls: { type: 'string' },
    'jitter-calls': { type: 'string', default: '1' },
    hesitant: { type: 'string', default: '20' },
    sweep: { type: 'boolean', default: false },
    only: { type: 'string' },
    sip: { type: 'boolean', default: false },
    'sweep-calls': { type: 'string', default: '3' },
    browser: { type: 'boolean', default: false },
    twilio: { type: 'boolean', default: false },
    out: { type: 'string', default: DEFAULT_OUT },
  },
});
const CALLS = Number(args.calls ?? (args.browser ? 10 : 2));
if (!Number.isInteger(CALLS) || CALLS < 1) throw new Error(`--calls must be a positive integer, got ${args.calls}`);
const JITTER_CALLS = Number(args['jitter-calls']);
if (!Number.isInteger(JITTER_CALLS) || JITTER_CALLS < 0)
  throw new Error(`--jitter-calls must be a whole number, got ${args['jitter-calls']}`);
/**
 * hesitant questions per pipeline, at least: each call says its share (a rate of a few percent needs
 * tens of them); the jitter profile's calls say two each
 */
const HESITANT_TOTAL = Number(args.hesitant);
if (!Number.isInteger(HESITANT_TOTAL) || HESITANT_TOTAL < 0)
  throw new Error(`--hesitant must be a whole number, got ${args.hesitant}`);
const HESITANT_PER_CALL = Math.ceil(HESITANT_TOTAL / CALLS);
const JITTER_HESITANT_PER_CALL = 2;
const SWEEP_CALLS = Number(args['sweep-calls']);
if (!Number.isInteger(SWEEP_CALLS) || SWEEP_CALLS < 1)
  throw new Error(`--sweep-calls must be a positive integer, got ${args['sweep-calls']}`);

const TARGETS = { v2v: 450, bargeIn: 100, greeting: 300, clickToGreeting: 1000, prematureRate: 0.05 };
/** Deepgram sends an interim about once a second of audio (its docs' example: 0–1.1 s, 0–2.1 s, …) */
const JITTER_INTERIM_EVERY_MS = 1000;

/**
 * Voxanne's callers come as the page's do: through the web server's POST /api/token, which hands out
 * the standby call it holds (WEB_STANDBY_CALLS, on by default) or opens a room; the peers' callers open
 * their own room with the agent dispatched, as LiveKit's examples do
 */
const ALL_PIPELINES = [
  { name: 'voxanne', agentScript: join(ROOT, 'agent/src/main.ts'), env: {}, web: true },
  { name: 'stock', agentScript: join(ROOT, 'bench/stock-agent.ts'), env: { STOCK_TUNING: 'default' } },
  { name: 'stock-tuned', agentScript: join(ROOT, 'bench/stock-agent.ts'), env: { STOCK_TUNING: 'tuned' } },
];
/** --only a,b,…: just these parts of the run */
const ONLY = args.only?.split(',').map((x) => x.trim());
const only = (part: string) => !ONLY || ONLY.includes(part);
const PIPELINES = ALL_PIPELINES.filter((p) => only(p.name));
/** the jitter profile's pipelines: Voxanne and the best-configured peer (`--only jitter`: only these) */
const JITTER_PIPELINES =
  JITTER_CALLS > 0 && only('jitter')
    ? ALL_PIPELINES.filter((p) => p.name === 'voxanne' || p.name === 'stock-tuned')
    : [];
/** the phone leg: Voxanne through LiveKit SIP, a sipp caller with RTP (bench/lib/sip-bench.ts) */
const SIP = args.sip || ONLY?.includes('sip') === true;
/**
 * the caller-onset sweep (bench/lib/sweep-bench.ts, offline engines): with --sweep or --only sweep; its
 * 29 calls take longer than the rest of the run together
 */
const SWEEP = args.sweep || ONLY?.includes('sweep') === true;
if (PIPELINES.length === 0 && JITTER_PIPELINES.length === 0 && !SIP && !SWEEP)
  throw new Error(`--only must be voxanne, stock, stock-tuned, jitter, sip or sweep, got ${args.only}`);

interface PipelineResult {
  calls: CallFigures[];
  v2v_ms: Percentiles;
  barge_in_ms: Percentiles;
  greeting_ms: Percentiles;
  overhead_ms: Percentiles;
  /** share of hesitant questions during which she started speaking before the caller had finished */
  premature_reply_rate: number;
  hesitant: { n: number; premature: number; v2v_ms: Percentiles };
  samples: { v2v: number[]; barge_in: number[]; greeting: number[]; overhead: number[]; hesitant_v2v: number[] };
  /** speculative LLM requests sent on the interim transcript, and how many the final one confirmed */
  prefetch?: { requested: number; used: number };
  /** os.loadavg() (1, 5, 15 min) as the pipeline's calls began and ended: the machine's load shows in every figure */
  load_average: { start: number[]; end: number[] };
  /** where the greeting's and the barge-in's time went, step by step (bench/lib/timeline.ts; Voxanne's log only) */
  timeline?: { greeting_ms: Record<string, Percentiles>; barge_in_ms: Record<string, Percentiles> };
}

const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

async function benchPipeline(
  p: (typeof ALL_PIPELINES)[number],
  stt: BenchTranscriber,
  env: NodeJS.ProcessEnv,
  calls_ = CALLS,
  label = p.name,
  hesitantPerCall = HESITANT_PER_CALL,
): Promise<PipelineResult> {
  const prefetch = { requested: 0, used: 0 };
  const timeline = new AgentTimeline();
  const web = 'web' in p && p.web;
  const standbys = web ? webStandbyEnv.WEB_STANDBY_CALLS.parse(process.env.WEB_STANDBY_CALLS || undefined) : 0;
  const { stack, apiKey, apiSecret, warmed, standbysReady } = await startWithRetry(() =>
    startBenchStack({
      name: `bench-${label}`,
      agentScript: p.agentScript,
      agentEnv: { ...env, ...p.env },
      web,
      onLine: (source, line) => {
        if (source === 'agent') timeline.onLine(line);
        // Voxanne logs how many speculative answers each call sent and how many the final transcript confirmed
        if (source !== 'agent' || !line.includes('"msg":"speculative answers"')) return;
        const s = (JSON.parse(line) as { prefetch: { requested: number; used: number } }).prefetch;
        prefetch.requested += s.requested;
        prefetch.used += s.used;
      },
    }),
  );
  const calls: CallFigures[] = [];
  const loadAtStart = load();
  try {
    const script = await defaultScript();
    /** calls that took a warm job process */
    let taken = 0;
    for (let i = 0; i < calls_; i++) {
      // each call takes the warm job process; wait for its replacement so every call starts alike (on a
      // machine too loaded to warm one in time, the call is counted as failed and the run goes on)
      try {
        await warmed(taken + 1);
        taken++;
      } catch (e) {
        calls.push({ v2vMs: [], bargeInMs: [], problems: [String(e)] });
        process.stdout.write(`  ${label} call ${i + 1}/${calls_}: failed: ${String(e)}\n`);
        continue;
      }
      // an unhurried caller finds the standby call ready; without one the token opens a room
      if (standbys > 0 && !(await standbysReady(i + 1)))
        process.stdout.write(`  ${label} call ${i + 1}/${calls_}: no standby ready within 30 s; the usual path\n`);
      const c = await SimCaller.join({
        url: stack.livekitUrl,
        apiKey,
        apiSecret,
        room: `bench-${label}-${i}-${Date.now()}`,
        publishMic: true,
        ...(web ? { grant: await callToken(stack.webUrl) } : {}),
      });
      try {
        const f = await runCall(c, stt, script, i, hesitantPerCall);
        calls.push(f);
        const hes = (f.hesitant ?? []).map((h) => (h.premature ? 'PREMATURE' : `${Math.round(h.v2vMs ?? NaN)}`));
        process.stdout.write(
          `  ${label} call ${i + 1}/${calls_}: greeting ${Math.round(f.greetingMs ?? NaN)} ` +
            `ms, v2v ${f.v2vMs.map(Math.round).join('/')} ms, barge-in ${f.bargeInMs.map(Math.round).join('/')} ` +
            `ms, hesitant ${hes.join('/')}${f.problems.length ? `, ${f.problems.join('; ')}` : ''}\n`,
        );
      } catch (e) {
        calls.push({ v2vMs: [], bargeInMs: [], problems: [String(e)] });
        process.stdout.write(`  ${label} call ${i + 1}/${calls_}: failed: ${String(e)}\n`);
      } finally {
        await c.leave();
      }
    }
  } finally {
    await stack.stop();
  }
  return {
    ...summarize(calls, { start: loadAtStart, end: load() }, timeline),
    ...(prefetch.requested ? { prefetch } : {}),
  };
}

/** POST /api/token, as the page's click does */
async function callToken(webUrl: string): Promise<CallTokenResponse> {
  const res = await fetch(`${webUrl}/api/token`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST /api/token: ${res.status} ${await res.text()}`);
  return (await res.json()) as CallTokenResponse;
}

/**
 * A stack whose agent did not come up in time (on a machine loaded far past its cores, loading the
 * models can take longer than the stack waits) is started once more before the run gives up.
 */
async function startWithRetry<T>(start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (e) {
    process.stdout.write(`  the stack did not start (${String(e)}); once more (load average ${load().join(' ')})\n`);
    return start();
  }
}

function summarize(
  calls: CallFigures[],
  loadAverage: PipelineResult['load_average'],
  timeline?: AgentTimeline,
): PipelineResult {
  const splits = timeline ? calls.flatMap((c) => (c.marks ? [splitCall(c.marks, timeline)] : [])) : [];
  const steps = {
    greeting_ms: summarizeSplits(splits.map((s) => s.greeting)),
    barge_in_ms: summarizeSplits(splits.map((s) => s.bargeIn)),
  };
  const v2v = calls.flatMap((c) => c.v2vMs);
  const bargeIn = calls.flatMap((c) => c.bargeInMs);
  const greeting = calls.flatMap((c) => (c.greetingMs === undefined ? [] : [c.greetingMs]));
  const overhead = v2v.map((v) => v - PROVIDER_BUDGET_MS);
  const hesitant = calls.flatMap((c) => c.hesitant ?? []);
  const hesitantV2v = hesitant.flatMap((h) => (h.v2vMs === undefined ? [] : [h.v2vMs]));
  const premature = hesitant.filter((h) => h.premature).length;
  return {
    calls,
    v2v_ms: percentiles(v2v),
    barge_in_ms: percentiles(bargeIn),
    greeting_ms: percentiles(greeting),
    overhead_ms: percentiles(overhead),
    premature_reply_rate: hesitant.length ? Math.round((premature / hesitant.length) * 1000) / 1000 : NaN,
    hesitant: { n: hesitant.length, premature, v2v_ms: percentiles(hesitantV2v) },
    samples: { v2v, barge_in: bargeIn, greeting, overhead, hesitant_v2v: hesitantV2v },
    load_average: loadAverage,
    ...(Object.keys(steps.greeting_ms).length + Object.keys(steps.barge_in_ms).length ? { timeline: steps } : {}),
  };
}

const loopDelay = monitorEventLoopDelay({ resolution: 5 });
/** the phone leg's greeting from the INVITE (its greeting_ms is from the answer, as a phone hears it) */
let sipGreetingAfterInvite: Percentiles | undefined;

async function browserMain(): Promise<void> {
  console.log(`bench: browser (Chromium, click → first audible greeting sample), ${CALLS} calls`);
  const r = await runBrowserBench(CALLS, (line) => console.log(line));
  const s = r.click_to_greeting_ms;
  console.log(
    `\n${'step (ms after the click)'.padEnd(28)}` +
      `${'p50'.padStart(7)}${'p95'.padStart(7)}${'p99'.padStart(7)}${'n'.padStart(5)}`,
  );
  for (const [step, p] of Object.entries(r.breakdown_ms))
    console.log(
      `${step.padEnd(28)}${String(p.p50).padStart(7)}${String(p.p95).padStart(7)}` +
        `${String(p.p99).padStart(7)}${String(p.n).padStart(5)}`,
    );
  console.log(
    `click → greeting: p50 ${s.p50} / p95 ${s.p95} / p99 ${s.p99} ms (n=${s.n}); p95 ≤ ${TARGETS.clickToGreeting}: ` +
      `${s.p95 <= TARGETS.clickToGreeting ? 'met' : 'MISSED'}`,
  );
  for (const p of r.problems) console.log(`problem: ${p}`);
  const latest = readResults(join(args.out!, 'latest.json'));
  const browser = {
    click_to_greeting_ms: s,
    breakdown_ms: r.breakdown_ms,
    samples: r.samples,
    calls: CALLS,
    problems: r.problems,
    measured_at: new Date().toISOString(),
  };
  mkdirSync(args.out!, { recursive: true });
  writeFileSync(join(args.out!, 'latest.json'), `${JSON.stringify({ ...latest, browser }, null, 2)}\n`);
  console.log(`\nwrote browser figures into ${join(args.out!, 'latest.json')}`);
}

async function main(): Promise<void> {
  loopDelay.enable();
  const stt = new BenchTranscriber();
  const dg = await startFakeDeepgram({
    transcriber: stt,
    profile: { sttFinalMs: BUDGET.sttFinalMs, ttsFirstByteMs: BUDGET.ttsFirstByteMs, ttsSpeedup: 4 },
  });
  // the jitter profile, once switched on: every LLM request's first token drawn afresh (the fake reads
  // its latency right after asking the responder)
  let jitter: Jitter | undefined;
  const groq = await startFakeGroq({
    responder: (req) => {
      if (jitter) groq.setLatency({ firstTokenMs: jitter.draw(BUDGET.llmFirstTokenMs) });
      return scriptedAnswer(req);
    },
    latency: { firstTokenMs: BUDGET.llmFirstTokenMs, tokensPerSecond: LLM_TOKENS_PER_SECOND },
  });
  // the agents run on their shipped defaults: only the fakes' addresses and keys are set
  const env = {
    DEEPGRAM_API_KEY: dg.apiKey,
    DEEPGRAM_BASE_URL: dg.url,
    GROQ_API_KEY: groq.apiKey,
    GROQ_BASE_URL: groq.baseURL,
    LOG_LEVEL: process.env.BENCH_AGENT_LOG_LEVEL ?? 'info',
  };
  const results: Record<string, PipelineResult> = {};
  const jitterResults: Record<string, PipelineResult> = {};
  let sweep: SweepFigures | undefined;
  try {
    for (const p of PIPELINES) {
      console.log(
        `bench: ${p.name}, ${CALLS} calls, ${HESITANT_PER_CALL} hesitant questions each ` +
          `(load average ${load().join(' ')})`,
      );
      try {
        results[p.name] = await benchPipeline(p, stt, env);
      } catch (e) {
        // the other pipelines are still measured and written
        console.log(`bench: ${p.name} failed: ${String(e)}`);
      }
    }
    if (SIP) {
      console.log(`bench: sip (Voxanne over LiveKit SIP), ${CALLS} calls`);
      const loadAtStart = load();
      const timeline = new AgentTimeline();
      try {
        const sip = await runSipBench(CALLS, stt, env, (line) => console.log(line), timeline);
        results.sip = summarize(sip.figures, { start: loadAtStart, end: load() }, timeline);
        sipGreetingAfterInvite = sip.greeting_after_invite_ms;
      } catch (e) {
        console.log(`bench: sip failed: ${String(e)}`);
      }
    }
    if (JITTER_PIPELINES.length) {
      // provider tails: first token / first byte / STT final drawn with p95 = 2 × median and 3% stalls
      // of 1 s, and interim transcripts at Deepgram's real cadence (about one a second of audio)
      jitter = new Jitter();
      const j = jitter;
      dg.setProfile({
        sttInterimEveryMs: JITTER_INTERIM_EVERY_MS,
        jitterMs: (what) =>
          what === 'sttFinal'
            ? j.draw(BUDGET.sttFinalMs) - BUDGET.sttFinalMs
            : j.draw(BUDGET.ttsFirstByteMs) - BUDGET.ttsFirstByteMs,
      });
      for (const p of JITTER_PIPELINES) {
        console.log(
          `bench: ${p.name} under the jitter profile, ${JITTER_CALLS} calls (load average ${load().join(' ')})`,
        );
        jitterResults[p.name] = await benchPipeline(
          p,
          stt,
          env,
          JITTER_CALLS,
          `${p.name}-jitter`,
          JITTER_HESITANT_PER_CALL,
        );
      }
    }
    if (SWEEP) {
      console.log(
        `bench: sweep (caller onsets around the end of her greeting and answer, offline ` +
          `engines), ${SWEEP_CALLS} call(s) per offset`,
      );
      sweep = await runSweepBench(SWEEP_CALLS, (line) => console.log(line));
    }
  } finally {
    await dispose();
    await dg.close();
    await groq.close();
  }
  let fresh = Object.keys(results).length ? await report(results, stt.unexpected) : undefined;
  if (Object.keys(jitterResults).length) {
    const figures = jitterReport(jitterResults);
    // a jitter-only run (--only jitter) replaces the jitter figures and nothing else
    fresh ??= { samples: {}, problems: [] };
    fresh.jitter = {
      ...figures,
      profile: {
        median_ms: {
          stt_final: BUDGET.sttFinalMs,
          llm_first_token: BUDGET.llmFirstTokenMs,
          tts_first_byte: BUDGET.ttsFirstByteMs,
        },
        p95_over_median: DEFAULT_JITTER.p95OverMedian,
        stall_rate: DEFAULT_JITTER.stallRate,
        stall_ms: DEFAULT_JITTER.stallMs,
        stt_interim_every_ms: JITTER_INTERIM_EVERY_MS,
        draws: jitter?.counts,
      },
      calls: JITTER_CALLS,
    };
  }
  if (sweep) for (const line of sweepTable(sweep)) console.log(line);
  mkdirSync(args.out!, { recursive: true });
  const file = join(args.out!, 'latest.json');
  const merged = mergeResults(readResults(file), fresh, sweep);
  writeFileSync(file, `${JSON.stringify(merged, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  // the README's table is made from latest.json, never typed in
  const readme = join(ROOT, 'README.md');
  const table = benchTable(merged);
  console.log(`\n${table}`);
  const updated = args.out === DEFAULT_OUT ? replaceBenchTable(readFileSync(readme, 'utf8'), table) : undefined;
  if (updated !== undefined) {
    writeFileSync(readme, updated);
    console.log(`updated the table in ${readme}`);
  }
}

/** Prints the jitter profile's figures (p50/p95/p99) and returns them for latest.json. */
function jitterReport(results: Record<string, PipelineResult>): Record<string, unknown> {
  console.log(
    `\njitter profile (provider times log-normal, p95 = ${DEFAULT_JITTER.p95OverMedian} × median, ` +
      `${DEFAULT_JITTER.stallRate * 100}% stalls of ${DEFAULT_JITTER.stallMs} ms, ` +
      `interims every ${JITTER_INTERIM_EVERY_MS} ms)`,
  );
  const out: Record<string, unknown> = {};
  for (const [n, r] of Object.entries(results)) {
    for (const [label, s] of [
      ['voice-to-voice', r.v2v_ms],
      ['barge-in', r.barge_in_ms],
      ['hesitant v2v', r.hesitant.v2v_ms],
    ] as const)
      console.log(
        `${label.padEnd(16)}${n.padEnd(13)}${String(s.p50).padStart(7)}${String(s.p95).padStart(7)}` +
          `${String(s.p99).padStart(7)}${String(s.n).padStart(5)}`,
      );
    console.log(`premature replies ${n}: ${r.hesitant.premature} of ${r.hesitant.n}`);
    out[n] = pick(r);
  }
  return out;
}

const pick = (r: PipelineResult) => ({
  v2v_ms: r.v2v_ms,
  barge_in_ms: r.barge_in_ms,
  greeting_ms: r.greeting_ms,
  overhead_ms: r.overhead_ms,
  premature_reply_rate: r.premature_reply_rate,
  hesitant: r.hesitant,
  load_average: r.load_average,
  ...(r.prefetch ? { prefetch: r.prefetch } : {}),
  ...(r.timeline ? { timeline: r.timeline } : {}),
});

/** What latest.json holds now ({} when there is none yet). */
function readResults(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file} is not valid JSON (${String(e)}); move it away to start afresh`);
  }
}

/** Prints the pipelines' table, draws latest.html/png, and returns their part of latest.json. */
async function report(
  results: Record<string, PipelineResult>,
  unexpectedSegments: number,
): Promise<Record<string, unknown>> {
  const rows: [string, keyof PipelineResult, number | undefined][] = [
    ['voice-to-voice', 'v2v_ms', TARGETS.v2v],
    ['barge-in', 'barge_in_ms', TARGETS.bargeIn],
    ['greeting', 'greeting_ms', TARGETS.greeting],
    ['overhead', 'overhead_ms', undefined],
  ];
  console.log(
    `\nprovider budget ${PROVIDER_BUDGET_MS} ms (STT final ` +
      `${BUDGET.endpointingMs + BUDGET.sttFinalMs}, LLM first token ` +
      `${BUDGET.llmFirstTokenMs}, TTS first byte ${BUDGET.ttsFirstByteMs}); ${CALLS} calls per pipeline`,
  );
  console.log(
    `${'metric'.padEnd(16)}${'pipeline'.padEnd(13)}${'p50'.padStart(7)}` +
      `${'p95'.padStart(7)}${'p99'.padStart(7)}${'n'.padStart(5)}  target`,
  );
  for (const [label, key, target] of rows) {
    for (const [name, r] of Object.entries(results)) {
      const s = r[key] as Percentiles;
      const verdict = target === undefined ? '' : `p95 ≤ ${target}: ${s.p95 <= target ? 'met' : 'MISSED'}`;
      console.log(
        `${label.padEnd(16)}${name.padEnd(13)}${String(s.p50).padStart(7)}${String(s.p95).padStart(7)}` +
          `${String(s.p99).padStart(7)}${String(s.n).padStart(5)}  ${name === 'voxanne' ? verdict : ''}`,
      );
    }
  }
  for (const [name, r] of Object.entries(results)) {
    const h = r.hesitant.v2v_ms;
    console.log(
      `${'hesitant v2v'.padEnd(16)}${name.padEnd(13)}${String(h.p50).padStart(7)}${String(h.p95).padStart(7)}` +
        `${String(h.p99).padStart(7)}${String(h.n).padStart(5)}`,
    );
  }
  for (const [name, r] of Object.entries(results))
    console.log(
      `premature replies ${name}: ${r.hesitant.premature} of ${r.hesitant.n} hesitant questions ` +
        `(${(r.premature_reply_rate * 100).toFixed(0)}%)` +
        (name === 'voxanne'
          ? `; ≤ ${TARGETS.prematureRate * 100}%: ${r.premature_reply_rate <= TARGETS.prematureRate ? 'met' : 'MISSED'}`
          : '') +
        `; load average ${r.load_average.start.join(' ')} → ${r.load_average.end.join(' ')}`,
    );
  const problems = Object.entries(results).flatMap(([n, r]) =>
    r.calls.flatMap((c) => c.problems.map((x) => `${n}: ${x}`)),
  );
  for (const p of problems) console.log(`problem: ${p}`);
  for (const [n, r] of Object.entries(results))
    for (const [what, steps] of Object.entries(r.timeline ?? {}))
      for (const [step, p] of Object.entries(steps))
        console.log(`${n} ${what} step ${step}: p50 ${p.p50} / p95 ${p.p95} / p99 ${p.p99} (n=${p.n})`);
  for (const [n, r] of Object.entries(results)) {
    if (r.prefetch)
      console.log(
        `${n}: ${r.prefetch.used} of ${r.prefetch.requested} speculative LLM requests ` +
          `were confirmed by the final transcript and answered from`,
      );
  }
  // the caller simulator and the fakes share this process: its event-loop delay is added to what they measure
  const loopMs = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    'bench process event-loop delay p50/p99/max: ' +
      `${loopMs(loopDelay.percentile(50))}/${loopMs(loopDelay.percentile(99))}/${loopMs(loopDelay.max)} ms`,
  );
  if (unexpectedSegments)
    console.log(`note: the STT fake finalized ${unexpectedSegments} unscripted speech segment(s)`);

  const json = {
    ...Object.fromEntries(Object.entries(results).map(([n, r]) => [n, pick(r)])),
    ...(sipGreetingAfterInvite ? { sip_greeting_after_invite_ms: sipGreetingAfterInvite } : {}),
    provider_budget_ms: PROVIDER_BUDGET_MS,
    settings: {
      deepgram_endpointing_ms: BUDGET.endpointingMs,
      stt_final_after_endpointing_ms: BUDGET.sttFinalMs,
      llm_first_token_ms: BUDGET.llmFirstTokenMs,
      tts_first_byte_ms: BUDGET.ttsFirstByteMs,
      agents: "shipped defaults (no agent variable set but the fakes' addresses and keys)",
      'stock-tuned':
        'preemptive generation + preemptive TTS, v1-mini turn detector, dynamic endpointing 200–2500 ms, ' +
        'VAD interruption after 200 ms, false interruption resumed after 1 s',
    },
    calls: CALLS,
    samples: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.samples])),
    problems,
    measured_at: new Date().toISOString(),
  };
  mkdirSync(args.out!, { recursive: true });
  const panel = (
    title: string,
    key: keyof PipelineResult['samples'],
    stat: (r: PipelineResult) => Percentiles,
    target?: number,
  ): Panel => ({
    title,
    target,
    series: Object.entries(results).map(([n, r]) => ({
      pipeline: n,
      samples: r.samples[key],
      stats: stat(r),
    })),
  });
  const html = plotHtml(
    'Voxanne vs a stock LiveKit AgentSession',
    `Same Deepgram/Groq fakes at the provider budget (${PROVIDER_BUDGET_MS} ms); ` +
      `${CALLS} calls per pipeline; measured at the caller. ${json.measured_at}; load average ${load().join(' ')}`,
    [
      panel('voice-to-voice (end of caller speech → her first audio)', 'v2v', (r) => r.v2v_ms, TARGETS.v2v),
      panel('barge-in (caller speech onset → her audio stops)', 'barge_in', (r) => r.barge_in_ms, TARGETS.bargeIn),
      panel('greeting (join → first greeting audio)', 'greeting', (r) => r.greeting_ms, TARGETS.greeting),
      panel('overhead (voice-to-voice minus provider budget)', 'overhead', (r) => r.overhead_ms),
      panel(
        'hesitant questions: end of the last word → her first audio (premature replies left out)',
        'hesitant_v2v',
        (r) => r.hesitant.v2v_ms,
      ),
    ],
  );
  const htmlPath = join(args.out!, 'latest.html');
  writeFileSync(htmlPath, html);
  console.log(`\nwrote ${htmlPath}`);
  await renderPng(htmlPath, join(args.out!, 'latest.png'));
  return json;
}

await (args.twilio ? twilioMain() : args.browser ? browserMain() : main());

/** --twilio: only the Media Streams leg (bench/lib/twilio-bench.ts), merged into latest.json as `twilio` */
async function twilioMain(): Promise<void> {
  console.log(`bench: twilio (Media Streams through the web server's bridge, offline engines), ${CALLS} calls`);
  const twilio = await runTwilioBench(CALLS, (line) => console.log(line));
  for (const [k, p] of Object.entries({
    greeting: twilio.greeting_ms,
    v2v: twilio.v2v_ms,
    barge_in: twilio.barge_in_ms,
  }))
    console.log(`${k.padEnd(10)} p50 ${p.p50} / p95 ${p.p95} / p99 ${p.p99} ms (n=${p.n})`);
  const latest = readResults(join(args.out!, 'latest.json'));
  mkdirSync(args.out!, { recursive: true });
  writeFileSync(join(args.out!, 'latest.json'), `${JSON.stringify({ ...latest, twilio }, null, 2)}\n`);
  console.log(`\nwrote twilio figures into ${join(args.out!, 'latest.json')}`);
}
