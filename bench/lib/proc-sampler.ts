/**
 * CPU and memory of the stack's processes, read from /proc (Linux) once a second while calls run:
 * the agent worker, its job processes (one per call, plus the idle warm ones), its inference process,
 * livekit-server, livekit-sip and the web server. CPU is in cores (1 = one core busy all the time).
 */
import { readdirSync, readFileSync } from 'node:fs';

export const PROCESS_KINDS = ['worker', 'job', 'inference', 'livekit', 'livekit-sip', 'web', 'redis'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

export interface ProcSample {
  pid: number;
  ppid: number;
  /** user + system CPU time so far, in clock ticks */
  ticks: number;
  rssBytes: number;
  cmdline: string;
}

/** Clock ticks per second (USER_HZ); 100 on every Linux the project runs on. */
const HZ = 100;

/** Parses /proc/<pid>/stat: the command may contain spaces and parentheses, so fields are read after the last ')'. */
export function parseStat(stat: string): { ppid: number; ticks: number; rssPages: number } {
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after the command, from 3 (state): ppid is 4, utime 14, stime 15, rss 24
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) };
}

function readAll(): ProcSample[] {
  const out: ProcSample[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const s = parseStat(readFileSync(`/proc/${name}/stat`, 'utf8'));
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
      out.push({ pid: Number(name), ppid: s.ppid, ticks: s.ticks, rssBytes: s.rssPages * 4096, cmdline });
    } catch {
      // the process ended between the listing and the read
    }
  }
  return out;
}

/** Which of the stack's processes a process is, from its place under the stack's children and its command line. */
export function classify(
  p: ProcSample,
  byPid: Map<number, ProcSample>,
  roots: Partial<Record<'agent' | 'livekit' | 'livekit-sip' | 'web' | 'redis', number>>,
): ProcessKind | undefined {
  if (p.pid === roots.agent) return 'worker';
  if (p.pid === roots.livekit) return 'livekit';
  if (p.pid === roots['livekit-sip']) return 'livekit-sip';
  if (p.pid === roots.web) return 'web';
  if (p.pid === roots.redis) return 'redis';
  // the worker's descendants: job processes and the inference process (forked by the library)
  for (let q = byPid.get(p.ppid); q; q = byPid.get(q.ppid)) {
    if (q.pid === roots.agent) return /inference_proc/.test(p.cmdline) ? 'inference' : 'job';
    if (q.pid <= 1) break;
  }
  return undefined;
}

export interface KindFigures {
  /** processes of this kind seen (jobs: every job process that lived during the window) */
  processes: number;
  /** mean CPU over the window, in cores, all processes of the kind together */
  cpuCores: number;
  /** mean and largest RSS of one process of the kind (MB) */
  rssMbMean: number;
  rssMbMax: number;
  /** sum over the kind's processes, at the last sample (MB) */
  rssMbTotal: number;
}

interface Track {
  kind: ProcessKind;
  first: { atMs: number; ticks: number };
  last: { atMs: number; ticks: number; rssBytes: number };
  rss: number[];
}

export class ProcSampler {
  #tracks = new Map<number, Track>();
  #timer: NodeJS.Timeout | undefined;
  #startMs = 0;
  #endMs = 0;

  constructor(private readonly roots: () => Parameters<typeof classify>[2]) {}

  start(everyMs = 1000): void {
    this.#tracks.clear();
    this.#startMs = performance.now();
    this.sample();
    this.#timer = setInterval(() => this.sample(), everyMs);
  }

  sample(): void {
    const atMs = performance.now();
    this.#endMs = atMs;
    const all = readAll();
    const byPid = new Map(all.map((p) => [p.pid, p]));
    for (const p of all) {
      const kind = classify(p, byPid, this.roots());
      if (!kind) continue;
      const t = this.#tracks.get(p.pid);
      if (!t)
        this.#tracks.set(p.pid, {
          kind,
          first: { atMs, ticks: p.ticks },
          last: { atMs, ticks: p.ticks, rssBytes: p.rssBytes },
          rss: [p.rssBytes],
        });
      else {
        t.last = { atMs, ticks: p.ticks, rssBytes: p.rssBytes };
        t.rss.push(p.rssBytes);
      }
    }
  }

  /** Stops sampling and sums up the window: CPU per kind in cores, RSS per process. */
  stop(): Record<ProcessKind, KindFigures> & { windowMs: number } {
    if (this.#timer) clearInterval(this.#timer);
    this.sample();
    const windowMs = this.#endMs - this.#startMs;
    const mb = (b: number) => Math.round(b / 1e5) / 10;
    const out = { windowMs } as Record<ProcessKind, KindFigures> & { windowMs: number };
    for (const kind of PROCESS_KINDS) {
      const ts = [...this.#tracks.values()].filter((t) => t.kind === kind);
      const ticks = ts.reduce((n, t) => n + (t.last.ticks - t.first.ticks), 0);
      const means = ts.map((t) => t.rss.reduce((a, b) => a + b, 0) / t.rss.length);
      out[kind] = {
        processes: ts.length,
        cpuCores: windowMs > 0 ? Math.round((ticks / HZ / (windowMs / 1000)) * 1000) / 1000 : 0,
        rssMbMean: ts.length ? mb(means.reduce((a, b) => a + b, 0) / ts.length) : 0,
        rssMbMax: ts.length ? mb(Math.max(...ts.flatMap((t) => t.rss))) : 0,
        rssMbTotal: mb(ts.filter((t) => t.last.atMs === this.#endMs).reduce((n, t) => n + t.last.rssBytes, 0)),
      };
    }
    return out;
  }

  /** Per process, RSS at its first and last sample (the soak's growth figures). */
  rssGrowth(): { pid: number; kind: ProcessKind; firstMb: number; lastMb: number; spanMs: number }[] {
    return [...this.#tracks.entries()].map(([pid, t]) => ({
      pid,
      kind: t.kind,
      firstMb: Math.round(t.rss[0]! / 1e5) / 10,
      lastMb: Math.round(t.last.rssBytes / 1e5) / 10,
      spanMs: Math.round(t.last.atMs - t.first.atMs),
    }));
  }
}
