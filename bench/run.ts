/**
 * `npm run bench`: Voxanne against a stock @livekit/agents AgentSession, side by side, on the same
 * protocol-faithful Deepgram and Groq fakes set to the customer's provider budget. Each pipeline
 * gets its own real livekit-server; a caller simulator (a real LiveKit participant) makes scripted
 * calls and times what it hears. Prints p50/p95/p99 and writes bench/results/latest.{json,html,png}.
 *
 *   npm run bench                        # 8 calls per pipeline
 *   npm run bench -- --calls 20 --only voxanne
 *   npm run bench -- --sip               # also Voxanne over the phone leg (sipp → LiveKit SIP), as "sip"
 *   npm run bench -- --only sip          # the phone leg alone
 *   npm run bench -- --browser           # only the click → greeting time in Chromium (10 calls unless --calls);
 *                                        # merged into latest.json as `browser`, the other figures kept
 *   npm run bench -- --only sweep        # the caller-onset sweep alone (--sweep-calls N per offset)
 *
 * latest.json is merged: a run replaces only what it measured, so `--only sweep` keeps the pipelines' figures.
 */
import { dispose } from '@livekit/rtc-node';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { ROOT } from '../scripts/lib/livekit-binary.ts';
import { startFakeDeepgram } from '../test/fakes/deepgram/index.ts';
import { startFakeGroq } from '../test/fakes/groq/fake-groq.ts';
import { SimCaller } from '../test/support/sim-caller.ts';
import { CHROMIUM_PATH, chromiumArgs } from '../web/test/browser-support.ts';
import { startBenchStack } from './lib/bench-stack.ts';
import { BenchTranscriber } from './lib/bench-transcriber.ts';
import { defaultScript, runCall, type CallFigures } from './lib/caller-script.ts';
import { plotHtml, type Panel } from './lib/plot.ts';
import { BUDGET, LLM_TOKENS_PER_SECOND, PROVIDER_BUDGET_MS, scriptedAnswer } from './lib/scenario.ts';
import { runBrowserBench } from './lib/browser-bench.ts';
import { runSipBench } from './lib/sip-bench.ts';
import { percentiles, type Percentiles } from './lib/stats.ts';
import { mergeResults } from './lib/merge-results.ts';
import { runSweepBench, sweepTable, type SweepFigures } from './lib/sweep-bench.ts';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string' },
    only: { type: 'string' },
    sip: { type: 'boolean', default: false },
    'sweep-calls': { type: 'string', default: '3' },
    browser: { type: 'boolean', default: false },
    out: { type: 'string', default: join(ROOT, 'bench/results') },
  },
});
const CALLS = Number(args.calls ?? (args.browser ? 10 : 8));
if (!Number.isInteger(CALLS) || CALLS < 1) throw new Error(`--calls must be a positive integer, got ${args.calls}`);
const SWEEP_CALLS = Number(args['sweep-calls']);
if (!Number.isInteger(SWEEP_CALLS) || SWEEP_CALLS < 1)
  throw new Error(`--sweep-calls must be a positive integer, got ${args['sweep-calls']}`);

const TARGETS = { v2v: 500, bargeIn: 150, greeting: 1000, clickToGreeting: 1000 };

const PIPELINES = [
  { name: 'voxanne', agentScript: join(ROOT, 'agent/src/main.ts') },
  { name: 'stock', agentScript: join(ROOT, 'bench/stock-agent.ts') },
].filter((p) => !args.only || p.name === args.only);
/** the phone leg: Voxanne through LiveKit SIP, a sipp caller with RTP (bench/lib/sip-bench.ts) */
const SIP = args.sip || args.only === 'sip';
/** the caller-onset sweep (bench/lib/sweep-bench.ts): part of every full run */
const SWEEP = !args.only || args.only === 'sweep';
if (PIPELINES.length === 0 && !SIP && !SWEEP)
  throw new Error(`--only must be voxanne, stock, sip or sweep, got ${args.only}`);

interface PipelineResult {
  calls: CallFigures[];
  v2v_ms: Percentiles;
  barge_in_ms: Percentiles;
  greeting_ms: Percentiles;
  overhead_ms: Percentiles;
  samples: { v2v: number[]; barge_in: number[]; greeting: number[]; overhead: number[] };
  /** speculative LLM requests sent on the interim transcript, and how many the final one confirmed */
  prefetch?: { requested: number; used: number };
}

async function benchPipeline(
  p: (typeof PIPELINES)[number],
  stt: BenchTranscriber,
  env: NodeJS.ProcessEnv,
): Promise<PipelineResult> {
  const prefetch = { requested: 0, used: 0 };
  const { stack, apiKey, apiSecret, warmed } = await startBenchStack({
    name: `bench-${p.name}`,
    agentScript: p.agentScript,
    agentEnv: env,
    onLine: (source, line) => {
      // Voxanne logs how many speculative answers each call sent and how many the final transcript confirmed
      if (source !== 'agent' || !line.includes('"msg":"speculative answers"')) return;
      const s = (JSON.parse(line) as { prefetch: { requested: number; used: number } }).prefetch;
      prefetch.requested += s.requested;
      prefetch.used += s.used;
    },
  });
  const calls: CallFigures[] = [];
  try {
    const script = await defaultScript();
    for (let i = 0; i < CALLS; i++) {
      // each call takes the warm job process; wait for its replacement so every call starts alike
      await warmed(i + 1);
      const c = await SimCaller.join({
        url: stack.livekitUrl,
        apiKey,
        apiSecret,
        room: `bench-${p.name}-${i}-${Date.now()}`,
        publishMic: true,
      });
      try {
        const f = await runCall(c, stt, script);
        calls.push(f);
        process.stdout.write(
          `  ${p.name} call ${i + 1}/${CALLS}: greeting ${Math.round(f.greetingMs ?? NaN)} ` +
            `ms, v2v ${f.v2vMs.map(Math.round).join('/')} ms, barge-in ${f.bargeInMs.map(Math.round).join('/')} ` +
            `ms${f.problems.length ? `, ${f.problems.join('; ')}` : ''}\n`,
        );
      } catch (e) {
        calls.push({ v2vMs: [], bargeInMs: [], problems: [String(e)] });
        process.stdout.write(`  ${p.name} call ${i + 1}/${CALLS}: failed: ${String(e)}\n`);
      } finally {
        await c.leave();
      }
    }
  } finally {
    await stack.stop();
  }
  return { ...summarize(calls), ...(prefetch.requested ? { prefetch } : {}) };
}

function summarize(calls: CallFigures[]): PipelineResult {
  const v2v = calls.flatMap((c) => c.v2vMs);
  const bargeIn = calls.flatMap((c) => c.bargeInMs);
  const greeting = calls.flatMap((c) => (c.greetingMs === undefined ? [] : [c.greetingMs]));
  const overhead = v2v.map((v) => v - PROVIDER_BUDGET_MS);
  return {
    calls,
    v2v_ms: percentiles(v2v),
    barge_in_ms: percentiles(bargeIn),
    greeting_ms: percentiles(greeting),
    overhead_ms: percentiles(overhead),
    samples: { v2v, barge_in: bargeIn, greeting, overhead },
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
  const groq = await startFakeGroq({
    responder: scriptedAnswer,
    latency: { firstTokenMs: BUDGET.llmFirstTokenMs, tokensPerSecond: LLM_TOKENS_PER_SECOND },
  });
  const env = {
    DEEPGRAM_API_KEY: dg.apiKey,
    DEEPGRAM_BASE_URL: dg.url,
    DEEPGRAM_ENDPOINTING_MS: String(BUDGET.endpointingMs),
    GROQ_API_KEY: groq.apiKey,
    GROQ_BASE_URL: groq.baseURL,
    LOG_LEVEL: process.env.BENCH_AGENT_LOG_LEVEL ?? 'info',
  };
  const results: Record<string, PipelineResult> = {};
  let sweep: SweepFigures | undefined;
  try {
    for (const p of PIPELINES) {
      console.log(`bench: ${p.name}, ${CALLS} calls`);
      results[p.name] = await benchPipeline(p, stt, env);
    }
    if (SIP) {
      console.log(`bench: sip (Voxanne over LiveKit SIP), ${CALLS} calls`);
      const sip = await runSipBench(CALLS, stt, env, (line) => console.log(line));
      results.sip = summarize(sip.figures);
      sipGreetingAfterInvite = sip.greeting_after_invite_ms;
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
  const fresh = Object.keys(results).length ? await report(results, stt.unexpected) : undefined;
  if (sweep) for (const line of sweepTable(sweep)) console.log(line);
  mkdirSync(args.out!, { recursive: true });
  const file = join(args.out!, 'latest.json');
  writeFileSync(file, `${JSON.stringify(mergeResults(readResults(file), fresh, sweep), null, 2)}\n`);
  console.log(`\nwrote ${file}`);
}

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
    `${'metric'.padEnd(16)}${'pipeline'.padEnd(10)}${'p50'.padStart(7)}` +
      `${'p95'.padStart(7)}${'p99'.padStart(7)}${'n'.padStart(5)}  target`,
  );
  for (const [label, key, target] of rows) {
    for (const [name, r] of Object.entries(results)) {
      const s = r[key] as Percentiles;
      const verdict = target === undefined ? '' : `p95 ≤ ${target}: ${s.p95 <= target ? 'met' : 'MISSED'}`;
      console.log(
        `${label.padEnd(16)}${name.padEnd(10)}${String(s.p50).padStart(7)}${String(s.p95).padStart(7)}` +
          `${String(s.p99).padStart(7)}${String(s.n).padStart(5)}  ${name === 'voxanne' ? verdict : ''}`,
      );
    }
  }
  const problems = Object.entries(results).flatMap(([n, r]) =>
    r.calls.flatMap((c) => c.problems.map((x) => `${n}: ${x}`)),
  );
  for (const p of problems) console.log(`problem: ${p}`);
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

  const pick = (r: PipelineResult) => ({
    v2v_ms: r.v2v_ms,
    barge_in_ms: r.barge_in_ms,
    greeting_ms: r.greeting_ms,
    overhead_ms: r.overhead_ms,
    ...(r.prefetch ? { prefetch: r.prefetch } : {}),
  });
  const json = {
    ...Object.fromEntries(Object.entries(results).map(([n, r]) => [n, pick(r)])),
    ...(sipGreetingAfterInvite ? { sip_greeting_after_invite_ms: sipGreetingAfterInvite } : {}),
    provider_budget_ms: PROVIDER_BUDGET_MS,
    calls: CALLS,
    samples: Object.fromEntries(Object.entries(results).map(([n, r]) => [n, r.samples])),
    problems,
    measured_at: new Date().toISOString(),
  };
  mkdirSync(args.out!, { recursive: true });
  const panel = (
    title: string,
    key: keyof PipelineResult['samples'],
    statKey: keyof PipelineResult,
    target?: number,
  ): Panel => ({
    title,
    target,
    series: Object.entries(results).map(([n, r]) => ({
      pipeline: n,
      samples: r.samples[key],
      stats: r[statKey] as Percentiles,
    })),
  });
  const html = plotHtml(
    'Voxanne vs a stock LiveKit AgentSession',
    `Same Deepgram/Groq fakes at the provider budget (${PROVIDER_BUDGET_MS} ms); ` +
      `${CALLS} calls per pipeline; measured at the caller. ${json.measured_at}`,
    [
      panel('voice-to-voice (end of caller speech → her first audio)', 'v2v', 'v2v_ms', TARGETS.v2v),
      panel('barge-in (caller speech onset → her audio stops)', 'barge_in', 'barge_in_ms', TARGETS.bargeIn),
      panel('greeting (join → first greeting audio)', 'greeting', 'greeting_ms', TARGETS.greeting),
      panel('overhead (voice-to-voice minus provider budget)', 'overhead', 'overhead_ms'),
    ],
  );
  const htmlPath = join(args.out!, 'latest.html');
  writeFileSync(htmlPath, html);
  console.log(`\nwrote ${htmlPath}`);
  await renderPng(htmlPath, join(args.out!, 'latest.png'));
  return json;
}

async function renderPng(htmlPath: string, pngPath: string): Promise<void> {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? CHROMIUM_PATH,
    args: chromiumArgs({}),
    headless: true,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 820, height: 600 } });
    await page.goto(`file://${htmlPath}`);
    await page.screenshot({ path: pngPath, fullPage: true });
    console.log(`wrote ${pngPath}`);
  } finally {
    await browser.close();
  }
}

await (args.browser ? browserMain() : main());
