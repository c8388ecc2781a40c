import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { benchTable, replaceBenchTable } from './readme-table.ts';

const p = (p50: number) => ({ p50, p95: p50 + 10, p99: p50 + 20, n: 12, min: 0, max: 0 });
const pipeline = (v: number, premature: number) => ({
  v2v_ms: p(v),
  barge_in_ms: p(100),
  greeting_ms: p(200),
  overhead_ms: p(v - 350),
  premature_reply_rate: premature / 10,
  hesitant: { n: 10, premature, v2v_ms: p(v + 50) },
  load_average: { start: [3.25, 2, 1], end: [4.5, 2, 1] },
});

describe('benchTable: the README table from latest.json', () => {
  it('has a column per pipeline measured, the premature rate, the load and the jitter rows', () => {
    const t = benchTable({
      voxanne: { ...pipeline(400, 0), timeline: { barge_in_ms: { onset_to_duck: p(40) }, greeting_ms: {} } },
      stock: pipeline(900, 3),
      jitter: { voxanne: pipeline(500, 1), calls: 3 },
      provider_budget_ms: 350,
      settings: { deepgram_endpointing_ms: 100 },
      calls: 6,
    });
    const lines = t.split('\n');
    assert.equal(lines[0], '| metric (ms) | voxanne p50 / p95 / p99 | stock p50 / p95 / p99 | target (voxanne) |');
    assert.ok(lines.includes('| voice-to-voice, fluent questions | 400 / 410 / 420 | 900 / 910 / 920 | p95 ≤ 450 |'));
    assert.ok(
      lines.some((l) => l.startsWith('| premature replies (hesitant questions) | 0% (0 of 10) | 30% (3 of 10) |')),
    );
    assert.ok(lines.some((l) => l.startsWith('| load average (1 min) during the calls | 3.3 → 4.5 |')));
    assert.ok(lines.includes('| **jitter profile**: voice-to-voice, fluent | 500 / 510 / 520 | — | |'));
    assert.match(t, /Deepgram endpointing 100 ms/);
    assert.ok(lines.includes('| barge-in step: caller onset → her voice paused (agent) | 40 / 50 / 60 | — |  |'));
    assert.ok(!lines.some((l) => l.startsWith('| greeting step')), 'no row for a step nobody measured');
  });

  it('replaces only what lies between its markers, and leaves a README without them alone', () => {
    const start = '<!-- bench-table: made by npm run bench from bench/results/latest.json -->';
    const readme = `a\n${start}\nold\n<!-- /bench-table -->\nb\n`;
    assert.equal(replaceBenchTable(readme, 'NEW'), `a\n${start}\n\nNEW\n\n<!-- /bench-table -->\nb\n`);
    assert.equal(replaceBenchTable('no markers', 'NEW'), undefined);
  });
});
