/**
 * npm run fuzz [-- --cases N] [-- --seed S]: generated requests at every HTTP surface of the web
 * server; prints the seed (run again with --seed to reproduce), the counts and every failure, and
 * exits 1 on any (a 5xx, a dropped connection, a 4xx without a JSON error, a 400 naming no field).
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { runFuzz } from './run.ts';

const { values } = parseArgs({ options: { cases: { type: 'string' }, seed: { type: 'string' } } });
const cases = Number(values.cases ?? 10_000);
const seed = values.seed !== undefined ? Number(values.seed) : randomInt(2 ** 31);
if (!Number.isInteger(cases) || cases < 1) throw new Error('--cases must be a positive whole number');
if (!Number.isInteger(seed)) throw new Error('--seed must be a whole number');
console.log(`fuzz: ${cases} cases, seed ${seed} (reproduce with: npm run fuzz -- --cases ${cases} --seed ${seed})`);
const started = Date.now();
const r = await runFuzz({ cases, seed, onProgress: (n) => console.log(`  ${n} cases`) });
console.log(`surfaces: ${JSON.stringify(r.bySurface)}`);
console.log(`answers:  ${JSON.stringify(r.byStatus)}`);
for (const f of r.failures.filter((x) => x.request.surface !== 'token').slice(0, 20))
  console.log(`FAIL case ${f.case}: ${f.problem}\n  ${JSON.stringify(f.request)}`);
console.log(
  `fuzz: ${r.cases} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, ${r.failures.length} failures, ` +
    `${Object.entries(r.byStatus)
      .filter(([s]) => s === 'dropped' || Number(s) >= 500)
      .reduce((n, [, c]) => n + c, 0)} 5xx or dropped (seed ${seed})`,
);
process.exit(r.failures.length ? 1 : 0);
