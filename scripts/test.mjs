// `npm test`: the gates (type check, lint, format check), then every unit test next to the code, then the
// integration suites in test/ that start their own livekit-server, agent worker, web server and Chromium.
// Plain JavaScript so it runs before dependencies are installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPreflight } from './preflight.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
// every system piece the tests use (scripts/system-packages.json), installed where possible
await runPreflight('test');

// @voxanne/contracts: a workspace link, missing from an install made before the package existed
if (
  !existsSync('node_modules/tsx') ||
  !existsSync('node_modules/@livekit/agents') ||
  !existsSync('node_modules/@voxanne/contracts') ||
  // the gates and the runner: missing from an install made before they were added
  !['vitest', 'eslint', 'typescript-eslint', 'prettier'].every((p) => existsSync(`node_modules/${p}`))
) {
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// a folder given on the command line stands for every test file under it (web/package.json: `npm test -w web`)
function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}
const only = process.argv.slice(2).flatMap((a) => (existsSync(a) && statSync(a).isDirectory() ? find(a).sort() : [a]));

// The gates come first on a whole run (a single file given on the command line skips them): the type check
// of both tsconfigs, the linter, the format check. Any error stops npm test before a suite starts.
if (!only.length) {
  const bin = (name) => join(root, 'node_modules', '.bin', name);
  const gates = [
    ['type check', bin('tsc'), ['-p', 'tsconfig.json']],
    ['type check (web)', bin('tsc'), ['-p', 'web/tsconfig.json']],
    ['lint', bin('eslint'), ['.']],
    ['format check', bin('prettier'), ['--check', '--log-level', 'warn', '.']],
  ];
  for (const [name, cmd, args] of gates) {
    const started = Date.now();
    const g = spawnSync(cmd, args, { stdio: 'inherit' });
    if (g.status !== 0) {
      console.error(`npm test: the ${name} failed (${cmd} ${args.join(' ')}); no suite was run`);
      process.exit(g.status ?? 1);
    }
    console.log(`npm test: ${name} passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

// The suites run on vitest (vitest.config.ts): the units, then the integration suites, each file alone (the
// integration suites each run a whole stack and a browser on a 2-core machine). A file or folder given on
// the command line runs just that. The last line is the one summary CI reads: `N passed, N failed, N skipped`.
const runs = only.length
  ? [only]
  : [
      ['--project', 'unit'],
      ['--project', 'integration'],
    ];
const out = mkdtempSync(join(tmpdir(), 'voxanne-test-'));
const total = { passed: 0, failed: 0, skipped: 0 };
let status = 0;
for (const [i, args] of runs.entries()) {
  const json = join(out, `run-${i}.json`);
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${json}`,
      ...args,
    ],
    { stdio: 'inherit', env: { ...process.env, VOXANNE_TEST: '1' } },
  );
  if (r.status !== 0) status = r.status ?? 1;
  if (!existsSync(json)) {
    // no report at all: vitest itself failed (a config or collection error it has printed)
    total.failed++;
    continue;
  }
  const report = JSON.parse(readFileSync(json, 'utf8'));
  total.passed += report.numPassedTests;
  total.failed += report.numFailedTests;
  // a file that failed without a failed test (it could not be loaded, or a hook threw) counts once
  for (const f of report.testResults ?? [])
    if (f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')) total.failed++;
  total.skipped += report.numPendingTests + report.numTodoTests;
}
rmSync(out, { recursive: true, force: true });
if (total.failed && !status) status = 1;
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`);
process.exit(status);
