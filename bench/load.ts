/**
 * `npm run load`: many concurrent scripted calls against the whole stack (bench/lib/load-run.ts), on
 * the Deepgram/Groq fakes at the provider budget. Prints the table, writes bench/results/load.json
 * (one row per number of calls, merged with the rows already there) and load.html / load.png.
 *
 *   npm run load -- --calls 1,10,25,50            # one step per number, each on a fresh stack
 *   npm run load -- --calls 10 --ramp 5 --hold 60 --mix 4:1   # every fifth caller a phone (sipp + RTP)
 *   npm run load -- --calls 25 --faults provider,records      # faults mid-load (bench/lib/load-faults.ts)
 *   npm run load -- --soak 30m --calls 5          # cycles 5 concurrent calls for 30 minutes (load-soak.ts)
 *   npm run load -- --calls 10 --warm all         # AGENT_IDLE_PROCESSES=10: every caller finds a warm process
 *   npm run load -- --calls 1 --cpu-prof /tmp/prof  # a .cpuprofile per job process (its flame graph)
 *   npm run load -- --calls 50 --rooms-per-process 20   # callers in 3 caller processes (the default)
 *   npm run load -- --plot                         # load.html / load.png again from load.json
 */
import { dispose } from '@livekit/rtc-node';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../scripts/lib/livekit-binary.ts';
import { renderPng } from './lib/render-png.ts';
import { faultsUnderLoad, parseFaults } from './lib/load-faults.ts';
import {
  loadPanels,
  loadSubtitle,
  loadTable,
  mergeLoadRows,
  parseCalls,
  parseDuration,
  parseMix,
} from './lib/load-report.ts';
import { runLoad, type LoadStep } from './lib/load-run.ts';
import { ROOMS_PER_SHARD } from './lib/load-shards.ts';
import { runSoak } from './lib/load-soak.ts';
import { plotHtml } from './lib/plot.ts';

const OUT = join(ROOT, 'bench/results');
const { values: args } = parseArgs({
  options: {
    calls: { type: 'string' },
    ramp: { type: 'string', default: '10s' },
    hold: { type: 'string', default: '0' },
    mix: { type: 'string', default: '1:0' },
    warm: { type: 'string' },
    faults: { type: 'string' },
    soak: { type: 'string' },
    // draws load.html / load.png again from load.json, running nothing
    plot: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    // callers per caller process (load-shards.ts); 0 runs them in this process
    'rooms-per-process': { type: 'string', default: String(ROOMS_PER_SHARD) },
    out: { type: 'string', default: OUT },
  },
});

async function main(): Promise<void> {
  const mix = parseMix(args.mix!);
  const rampMs = parseDuration(args.ramp!);
  const roomsPerShard = parseRoomsPerProcess(args['rooms-per-process']!);
  const holdMs = parseDuration(args.hold!);
  const log = (line: string) => console.log(line);
  if (args.plot) return plot((readJson('load.json').steps ?? []) as LoadStep[]);
  if (args.soak) {
    const calls = parseCalls(args.calls ?? '5');
    const soak = await runSoak({ calls: calls[0]!, durationMs: parseDuration(args.soak), mix, roomsPerShard, log });
    writeJson('load.json', { ...readJson('load.json'), soak });
    return;
  }
  const steps = parseCalls(args.calls ?? '1,10,25,50');
  const faults = args.faults ? faultsUnderLoad(parseFaults(args.faults)) : undefined;
  const rows: LoadStep[] = [];
  for (const calls of steps) {
    console.log(`load: ${calls} call(s), ramp ${rampMs} ms, hold ${holdMs} ms, web:sip ${mix.web}:${mix.sip}`);
    rows.push(
      await runLoad({
        calls,
        rampMs,
        holdMs,
        mix,
        log,
        roomsPerShard,
        ...(faults ? { faults } : {}),
        ...(args.warm !== undefined ? { warm: parseWarm(args.warm, calls) } : {}),
        ...(args['cpu-prof'] ? { cpuProfDir: resolve(args['cpu-prof']) } : {}),
      }),
    );
    for (const line of loadTable(rows.slice(-1))) console.log(line);
    // written after every step, so a long run stopped part-way keeps the steps it finished
    writeJson('load.json', {
      ...readJson('load.json'),
      steps: mergeLoadRows((readJson('load.json').steps ?? []) as LoadStep[], rows),
    });
  }
  console.log(`\n${loadTable(rows).join('\n')}`);
  for (const r of rows) for (const p of r.problems) console.log(`problem (${r.calls} calls): ${p}`);
  for (const r of rows) {
    if (r.faults) console.log(`faults (${r.calls} calls): ${JSON.stringify(r.faults)}`);
    if (r.events) console.log(`logged (${r.calls} calls): ${JSON.stringify(r.events)}, records lost ${r.records_lost}`);
  }
  const old = (readJson('load.json').steps ?? []) as LoadStep[];
  const merged = mergeLoadRows(old, rows);
  writeJson('load.json', { ...readJson('load.json'), steps: merged });
  await plot(merged);
}

function parseRoomsPerProcess(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 25)
    throw new Error(`--rooms-per-process is a whole number from 0 (callers in this process) to 25, got "${s}"`);
  return n;
}

/** --warm K, or --warm all (one warm job process per call of the step) */
function parseWarm(s: string, calls: number): number {
  if (s === 'all') return calls;
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 100) throw new Error(`--warm is a number of processes or "all", got "${s}"`);
  return n;
}

function readJson(name: string): Record<string, unknown> {
  const file = join(args.out!, name);
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function writeJson(name: string, value: unknown): void {
  mkdirSync(args.out!, { recursive: true });
  writeFileSync(join(args.out!, name), `${JSON.stringify(value, null, 2)}\n`);
  console.log(`wrote ${join(args.out!, name)}`);
}

async function plot(rows: LoadStep[]): Promise<void> {
  const html = plotHtml('Voxanne under load: concurrent calls on one worker', loadSubtitle(rows), loadPanels(rows));
  const htmlPath = join(args.out!, 'load.html');
  writeFileSync(htmlPath, html);
  console.log(`wrote ${htmlPath}`);
  await renderPng(htmlPath, join(args.out!, 'load.png'));
}

try {
  await main();
} finally {
  await dispose();
}
