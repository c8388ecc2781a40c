/**
 * npm run fuzz [-- --cases N] [-- --seed S] [-- --no-sip]: N generated requests at every HTTP surface of
 * the web server (and a tenth as many at the Twilio webhook and sockets), N hostile room-data payloads
 * through the room protocol's decoders, and N generated SIP datagrams at a real LiveKit SIP in a whole
 * stack (--no-sip skips it: it needs the LiveKit binaries and Redis). Prints the seed (run again with
 * --seed to reproduce), the counts per surface and every failure, and exits 1 on any.
 */
import { randomInt } from 'node:crypto';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../../../scripts/lib/livekit-binary.ts';
import { fuzzRoomData } from './room-data.ts';
import { Rng } from './rng.ts';
import { runFuzz } from './run.ts';
import { fuzzSipStack } from './sip-stack.ts';

const { values } = parseArgs({
  options: { cases: { type: 'string' }, seed: { type: 'string' }, 'no-sip': { type: 'boolean' } },
});
const cases = Number(values.cases ?? 10_000);
const seed = values.seed !== undefined ? Number(values.seed) : randomInt(2 ** 31);
if (!Number.isInteger(cases) || cases < 1) throw new Error('--cases must be a positive whole number');
if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
console.log(
  `fuzz: ${cases} cases a part, seed ${seed} (reproduce with: npm run fuzz -- --cases ${cases} --seed ${seed})`,
);
const started = Date.now();
const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
let failed = 0;
let total = 0;

// the web server's HTTP surfaces and the Twilio webhook and sockets
let t = Date.now();
const r = await runFuzz({ cases, seed, onProgress: (n) => console.log(`  http: ${n} cases`) });
console.log(`http surfaces: ${JSON.stringify(r.bySurface)}`);
console.log(`http answers:  ${JSON.stringify(r.byStatus)}`);
for (const f of r.failures.slice(0, 20))
  console.log(`FAIL http case ${f.case}: ${f.problem}\n  ${JSON.stringify(f.request)}`);
const http5xx = Object.entries(r.byStatus)
  .filter(([s]) => s === 'dropped' || Number(s) >= 500)
  .reduce((n, [, c]) => n + c, 0);
console.log(`http: ${r.cases} cases in ${secs(t)}, ${r.failures.length} failures, ${http5xx} 5xx or dropped`);
failed += r.failures.length;
total += r.cases;

// room data: what a participant of a call can publish, through the decoders every receiver uses
t = Date.now();
const rd = fuzzRoomData(new Rng(seed + 1), cases);
for (const f of rd.failures.slice(0, 20)) console.log(`FAIL ${f.surface} case ${f.case}: ${f.problem}\n  ${f.sample}`);
console.log(
  `room data: ${rd.cases} payloads in ${secs(t)} ${JSON.stringify(rd.bySurface)}, ` +
    `${rd.byOutcome.message} decoded as messages, ${rd.byOutcome.ignored} ignored, ${rd.failures.length} failures`,
);
failed += rd.failures.length;
total += rd.cases;

// SIP: generated datagrams at a real LiveKit SIP, with the agent and the web server behind it
if (!values['no-sip']) {
  t = Date.now();
  const dir = join(ROOT, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'fuzz-sip.log');
  writeFileSync(logFile, '');
  console.log(`sip: starting a stack with telephony (its log: ${logFile})`);
  const s = await fuzzSipStack({
    cases,
    seed: seed + 2,
    onProgress: (n) => n % 1000 === 0 && console.log(`  sip: ${n} cases`),
    log: (source, line) => appendFileSync(logFile, `${source.padEnd(8)} ${line}\n`),
  });
  console.log(`sip kinds:   ${JSON.stringify(s.byKind)}`);
  console.log(`sip answers: ${JSON.stringify(s.byAnswer)}`);
  for (const f of s.failures.slice(0, 20))
    console.log(`FAIL sip case ${f.case} (${f.kind}): ${f.problem}\n  ${f.sample.slice(0, 300)}`);
  console.log(
    `sip: ${s.cases} datagrams in ${secs(t)}, ${s.probes} OPTIONS probes answered, ${s.answered} INVITEs ` +
      `answered and hung up, ${s.calls} calls taken by the agent (${s.recorded} records checked), ` +
      `${s.failures.length} failures`,
  );
  failed += s.failures.length;
  total += s.cases;
}

console.log(`fuzz: ${total} cases in ${secs(started)}, ${failed} failures (seed ${seed})`);
process.exit(failed ? 1 : 0);
