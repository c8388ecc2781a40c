/**
 * Faults under load (`npm run load -- --calls 25 --faults provider,records`), started once every call
 * is up: the LLM provider (Groq fake) and Aura (Deepgram fake's speak) answer 503 for 5 s, then stall
 * every request for the next 5 s; the records server (the web server and its database) is stopped and
 * started again. What the calls made of it is in the step's figures (failed, dropped, turns lost,
 * records lost); this reports what was injected.
 */
import type { FaultContext, FaultReport } from './load-run.ts';

export const FAULT_KINDS = ['provider', 'records'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const ERRORS_MS = 5000;
const STALLS_MS = 5000;
/** a stalled request is held this long (past the agent's own provider timeouts) */
const STALL_MS = 8000;
/** the records server stays down this long before it is started again */
const RECORDS_DOWN_MS = 3000;
/** more requests than a 10 s outage can meet: the window is ended by clearing, not by running out */
const MANY = 100_000;

export function parseFaults(s: string): FaultKind[] {
  const kinds = s.split(',').map((x) => x.trim());
  for (const k of kinds)
    if (!(FAULT_KINDS as readonly string[]).includes(k))
      throw new Error(`--faults takes ${FAULT_KINDS.join(', ')} (a list), got "${k}"`);
  return kinds as FaultKind[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function providerOutage(ctx: FaultContext): Promise<FaultReport> {
  const { groq, deepgram } = ctx;
  const groqBefore = groq.requests.length;
  const speakBefore = deepgram.received.speak.length;
  ctx.log(`  fault: Groq and Aura answer 503 for ${ERRORS_MS} ms`);
  groq.inject({ kind: 'http-error', status: 503, times: MANY });
  deepgram.inject({ kind: 'http-error', status: 503, on: 'speak', times: MANY });
  await sleep(ERRORS_MS);
  groq.clearFaults();
  deepgram.clearFaults();
  ctx.log(`  fault: Groq and Aura stall every request (${STALL_MS} ms) for ${STALLS_MS} ms`);
  groq.inject({ kind: 'stall', afterTokens: 0, ms: STALL_MS, times: MANY });
  deepgram.inject({ kind: 'stall', ms: STALL_MS, on: 'speak', times: MANY });
  await sleep(STALLS_MS);
  groq.clearFaults();
  deepgram.clearFaults();
  ctx.log('  fault: providers recovered');
  const llm = groq.requests.slice(groqBefore);
  const speak = deepgram.received.speak.slice(speakBefore);
  return {
    window_ms: ERRORS_MS + STALLS_MS,
    llm_requests_failed: llm.filter((r) => r.fault === 'http-error').length,
    llm_requests_stalled: llm.filter((r) => r.fault === 'stall').length,
    tts_requests_failed: speak.filter((r) => r.status === 503).length,
  };
}

async function recordsRestart(ctx: FaultContext): Promise<FaultReport> {
  const web = ctx.bench.stack.children.find((c) => c.name === 'web');
  if (!web) throw new Error('the load stack has no web server to restart');
  ctx.log(`  fault: the records server stops for ${RECORDS_DOWN_MS} ms`);
  const t0 = performance.now();
  await web.stop(3000, { leaderFirst: true });
  await sleep(RECORDS_DOWN_MS);
  await ctx.bench.stack.restartWeb();
  const downMs = Math.round(performance.now() - t0);
  ctx.log(`  fault: the records server is back after ${downMs} ms`);
  return { records_down_ms: downMs };
}

/** The faults, one after the other (the provider outage first, then the records restart). */
export function faultsUnderLoad(kinds: FaultKind[]): (ctx: FaultContext) => Promise<FaultReport> {
  return async (ctx) => {
    const out: FaultReport = {};
    // a few seconds into the calls, so the outage falls on replies in flight
    await sleep(3000);
    if (kinds.includes('provider')) out.provider = await providerOutage(ctx);
    if (kinds.includes('records')) out.records = await recordsRestart(ctx);
    return out;
  };
}
