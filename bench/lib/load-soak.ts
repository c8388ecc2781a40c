/**
 * `npm run load -- --soak 30m`: one stack, `calls` concurrent calls started again and again until the
 * time is up. Reports the RSS of the worker (first and last sample) and of every job process (first and
 * last, and whether later job processes start or end larger than the first ones), and the worker's
 * handles (prom-client's nodejs_active_handles by type, and its open file descriptors) after the
 * first round and at the end, with no call up: what grows is a leak.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startLoadFakes, startLoadStack, runLoadStep } from './load-run.ts';
import { ProcSampler } from './proc-sampler.ts';

export interface SoakOptions {
  calls: number;
  durationMs: number;
  mix: { web: number; sip: number };
  /** callers per caller process, as in a load step (load-shards.ts) */
  roomsPerShard?: number;
  log(line: string): void;
}

/** The worker's handle counts by type from its /metrics, and its open file descriptors. */
export async function workerHandles(metricsUrl: string, pid: number | undefined): Promise<Record<string, number>> {
  const text = await (await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^nodejs_active_(handles|requests|resources)(?:\{type="([^"]+)"\})?\s+(\S+)$/gm))
    out[`${m[1]}${m[2] ? `:${m[2]}` : ''}`] = Number(m[3]);
  const total = /^nodejs_active_handles_total\s+(\S+)$/m.exec(text);
  if (total) out.handles_total = Number(total[1]);
  if (pid !== undefined) {
    try {
      out.open_fds = readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // the worker is gone; its handles are whatever /metrics said
    }
  }
  return out;
}

/**
 * Resolves once the worker has no call in progress and `warm` job processes ready (its /metrics), so
 * a round never meets the last round's calls still ending (their job processes count until they exit).
 */
export async function workerIdle(metricsUrl: string, warm: number, timeoutMs = 120_000): Promise<boolean> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until) {
    try {
      const text = await (await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      const load = Number(/^voxanne_worker_load\s+(\S+)$/m.exec(text)?.[1] ?? NaN);
      const ready = Number(/^voxanne_job_processes\{state="warm"\}\s+(\S+)$/m.exec(text)?.[1] ?? NaN);
      if (load === 0 && ready >= warm) return true;
    } catch {
      // not answering this moment: asked again below
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return false;
}

const mean = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : NaN);
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

export async function runSoak(o: SoakOptions) {
  const fakes = await startLoadFakes();
  let recordsLost = 0;
  const started = new Date().toISOString();
  const loadStart = load();
  try {
    const bench = await startLoadStack('load-soak', fakes, {
      maxCalls: o.calls,
      telephony: o.mix.sip > 0,
      // a warm process per concurrent call: each round's callers find one, as a clinic would set it
      idleProcesses: o.calls,
      onLine: (source, l) => {
        if (source === 'agent' && /call record rejected|queue full|left undelivered|not delivered/.test(l))
          recordsLost++;
      },
    });
    const pid = (n: string) => bench.stack.children.find((c) => c.name === n)?.proc.pid;
    const sampler = new ProcSampler(() => ({ agent: pid('agent'), livekit: pid('livekit'), web: pid('web') }));
    try {
      await bench.warmed(o.calls, 180_000);
      sampler.start(5000);
      const t0 = performance.now();
      let rounds = 0;
      let calls = 0;
      let failed = 0;
      let dropped = 0;
      let turnsLost = 0;
      let handlesAfterFirst: Record<string, number> | undefined;
      const v2vP95: number[] = [];
      let notIdle = 0;
      while (performance.now() - t0 < o.durationMs) {
        if (!(await workerIdle(bench.stack.agentMetricsUrl, o.calls))) notIdle++;
        const step = await runLoadStep(
          bench,
          fakes,
          {
            calls: o.calls,
            rampMs: 2000,
            holdMs: 0,
            mix: o.mix,
            log: () => {},
            ...(o.roomsPerShard !== undefined ? { roomsPerShard: o.roomsPerShard } : {}),
          },
          () => recordsLost,
        );
        rounds++;
        calls += step.calls;
        failed += step.failed;
        dropped += step.dropped;
        turnsLost += step.turns_lost;
        v2vP95.push(step.v2v_ms.p95);
        // handles with no call up: the first round's count is the baseline
        if (!handlesAfterFirst) handlesAfterFirst = await workerHandles(bench.stack.agentMetricsUrl, pid('agent'));
        o.log(
          `  soak round ${rounds} (${Math.round((performance.now() - t0) / 60_000)} min): ${step.calls} calls, ` +
            `failed ${step.failed}, v2v p95 ${step.v2v_ms.p95} ms, job RSS ${step.per_call.job_rss_mb} MB`,
        );
      }
      const handlesAtEnd = await workerHandles(bench.stack.agentMetricsUrl, pid('agent'));
      sampler.stop();
      const growth = sampler.rssGrowth();
      const worker = growth.find((g) => g.kind === 'worker');
      // job processes in the order they appeared: does a late one start or end larger than an early one?
      const jobs = growth.filter((g) => g.kind === 'job' && g.spanMs > 0).sort((a, b) => a.pid - b.pid);
      const tenth = Math.max(1, Math.floor(jobs.length / 10));
      const soak = {
        duration_ms: o.durationMs,
        concurrent_calls: o.calls,
        rounds,
        /** rounds started although the last round's calls had not all ended within 2 minutes */
        rounds_started_busy: notIdle,
        calls,
        failed,
        dropped,
        turns_lost: turnsLost,
        records_lost: recordsLost,
        v2v_p95_ms_first_last_round: [v2vP95[0], v2vP95.at(-1)],
        worker_rss_mb: worker
          ? {
              first: worker.firstMb,
              last: worker.lastMb,
              growth: Math.round((worker.lastMb - worker.firstMb) * 10) / 10,
            }
          : {},
        job_processes: {
          count: jobs.length,
          rss_mb_first_sample_mean: mean(jobs.map((j) => j.firstMb)),
          rss_mb_last_sample_mean: mean(jobs.map((j) => j.lastMb)),
          first_tenth_last_sample_mean: mean(jobs.slice(0, tenth).map((j) => j.lastMb)),
          last_tenth_last_sample_mean: mean(jobs.slice(-tenth).map((j) => j.lastMb)),
        },
        worker_handles: { after_first_round: handlesAfterFirst, at_end: handlesAtEnd },
        load_average: { start: loadStart, end: load() },
        started_at: started,
      };
      o.log(JSON.stringify(soak, null, 2));
      return soak;
    } finally {
      await bench.stack.stop();
    }
  } finally {
    await fakes.close();
  }
}
