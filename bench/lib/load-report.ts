/** The load generator's arguments, table, results file and plot panels. Pure. */
import type { LoadStep } from './load-run.ts';
import type { Panel } from './plot.ts';

/** "30m", "90s", "1h", "45" (seconds) → ms */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`a duration is a number with s, m or h (e.g. 30m), got "${s}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(m[1]) * unit);
}

/** "web:sip" shares, e.g. "4:1"; "1:0" is web only */
export function parseMix(s: string): { web: number; sip: number } {
  const m = /^(\d+):(\d+)$/.exec(s.trim());
  if (!m || Number(m[1]) + Number(m[2]) === 0)
    throw new Error(`--mix is web:sip, two whole numbers not both 0 (e.g. 4:1), got "${s}"`);
  return { web: Number(m[1]), sip: Number(m[2]) };
}

/** "1,10,25,50" → [1, 10, 25, 50] */
export function parseCalls(s: string): number[] {
  const ns = s.split(',').map((x) => Number(x.trim()));
  if (ns.length === 0 || ns.some((n) => !Number.isInteger(n) || n < 1 || n > 100))
    throw new Error(`--calls is a number of calls from 1 to 100, or a list (1,10,25,50), got "${s}"`);
  return ns;
}

const pad = (x: unknown, n: number) => String(x).padStart(n);

/** The table `npm run load` prints and the README quotes. */
export function loadTable(rows: LoadStep[]): string[] {
  const head =
    '| calls | v2v p50/p95/p99 ms | barge-in p50/p95/p99 ms | greeting p50/p95/p99 ms | dropped | failed ' +
    '| turns lost | CPU/call (jobs) | CPU/call (stack) | RSS/job MB | worker lag p99 ms | load avg |';
  const rule = `|${head
    .split('|')
    .slice(1, -1)
    .map(() => '---')
    .join('|')}|`;
  const ppp = (p: { p50: number; p95: number; p99: number }) =>
    [p.p50, p.p95, p.p99].map((x) => (Number.isFinite(x) ? Math.round(x) : '–')).join('/');
  return [
    head,
    rule,
    ...rows.map(
      (r) =>
        `| ${pad(r.calls, 3)} | ${ppp(r.v2v_ms)} | ${ppp(r.barge_in_ms)} | ${ppp(r.greeting_ms)} | ${r.dropped} ` +
        `| ${r.failed} | ${r.turns_lost} of ${r.turns_said} | ${(r.per_call.job_cpu_cores * 100).toFixed(1)}% ` +
        `| ${(r.per_call.stack_cpu_cores * 100).toFixed(1)}% | ${r.per_call.job_rss_mb} ` +
        `| ${r.event_loop_lag_ms.worker_p99 ?? '–'} | ${r.load_average.start[0]} → ${r.load_average.end[0]} |`,
    ),
  ];
}

/** load.json keeps one row per number of calls: a run replaces the rows it measured. */
export function mergeLoadRows(old: LoadStep[], fresh: LoadStep[]): LoadStep[] {
  const byN = new Map(old.map((r) => [`${r.calls}${r.faults ? '+faults' : ''}`, r]));
  for (const r of fresh) byN.set(`${r.calls}${r.faults ? '+faults' : ''}`, r);
  return [...byN.values()].sort((a, b) => a.calls - b.calls || Number(!!a.faults) - Number(!!b.faults));
}

/** a row's name in the plot: its number of calls, and whether faults were injected in it */
const rowName = (r: LoadStep) => `${r.calls} call${r.calls === 1 ? '' : 's'}${r.faults ? ' + faults' : ''}`;

/** The plot of load.json (load.html / load.png): one panel per figure, one strip per row, every sample a dot. */
export function loadPanels(rows: LoadStep[]): Panel[] {
  const panel = (title: string, key: keyof LoadStep['samples'], stat: 'v2v_ms' | 'barge_in_ms' | 'greeting_ms') => ({
    title,
    series: rows.map((r) => ({ pipeline: rowName(r), samples: r.samples[key], stats: r[stat] })),
  });
  return [
    panel('voice-to-voice (end of caller speech → her first audio)', 'v2v', 'v2v_ms'),
    panel('barge-in (caller speech onset → her audio stops)', 'barge_in', 'barge_in_ms'),
    panel('greeting (join → first greeting audio)', 'greeting', 'greeting_ms'),
  ];
}

/** The plot's subtitle: what was measured, when, and at what load (the figures mean little without it). */
export function loadSubtitle(rows: LoadStep[]): string {
  const days = [...new Set(rows.map((r) => r.measured_at.slice(0, 10)))].sort();
  const loads = rows.map((r) => `${rowName(r)}: ${r.load_average.start[0]} → ${r.load_average.end[0]}`);
  return (
    `Deepgram/Groq fakes at the provider budget; every figure measured at the caller; measured ${days.join(', ')}; ` +
    `load average (1 min) ${loads.join(', ')}`
  );
}

/**
 * Log lines a step counts (by source and message): what the calls made of a fault. A provider failing
 * mid-reply is met with an apology and the fallback's answer; the records server away, the agent holds
 * the call's records and delivers them when it is back (the web server logs each call it records).
 */
export const STEP_EVENTS = {
  provider_fallbacks: ['agent', 'provider failed mid-reply; apologising and answering with the fallback'],
  fallbacks_failed: ['agent', 'fallback failed too'],
  records_held: ['agent', 'records server unavailable; holding call records'],
  calls_recorded: ['web', 'call recorded'],
} as const satisfies Record<string, readonly [string, string]>;
export type StepEvent = keyof typeof STEP_EVENTS;
export type StepEvents = Record<StepEvent, number>;

export const noEvents = (): StepEvents => ({
  provider_fallbacks: 0,
  fallbacks_failed: 0,
  records_held: 0,
  calls_recorded: 0,
});

/** Counts `line` (a pino JSON line from `source`) into `counts` when it is one of STEP_EVENTS. */
export function countEvent(counts: StepEvents, source: string, line: string): void {
  const msg = /"msg":"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
  if (msg === undefined) return;
  for (const [name, [from, text]] of Object.entries(STEP_EVENTS) as [StepEvent, readonly [string, string]][])
    if (from === source && text === msg) counts[name]++;
}
