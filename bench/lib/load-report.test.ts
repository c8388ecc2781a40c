import assert from 'node:assert/strict';
import { test } from 'vitest';
import {
  countEvent,
  loadPanels,
  loadSubtitle,
  mergeLoadRows,
  noEvents,
  parseCalls,
  parseDuration,
  parseMix,
} from './load-report.ts';
import { panelSvg } from './plot.ts';
import { percentiles } from './stats.ts';
import type { LoadStep } from './load-run.ts';

test('durations, mixes and call lists are read as written, and anything else is refused by name', () => {
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('90s'), 90_000);
  assert.equal(parseDuration('45'), 45_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.throws(() => parseDuration('soon'), /duration/);
  assert.deepEqual(parseMix('4:1'), { web: 4, sip: 1 });
  assert.throws(() => parseMix('0:0'), /--mix/);
  assert.throws(() => parseMix('web'), /--mix/);
  assert.deepEqual(parseCalls('1,10,25,50'), [1, 10, 25, 50]);
  assert.throws(() => parseCalls('0'), /--calls/);
  assert.throws(() => parseCalls('101'), /--calls/);
});

test('a run replaces only the rows it measured; fault rows are kept apart from clean ones', () => {
  const row = (calls: number, tag: string, faults?: object) => ({ calls, tag, ...(faults ? { faults } : {}) });
  const old = [row(1, 'old'), row(10, 'old'), row(25, 'old', {})] as unknown as LoadStep[];
  const fresh = [row(10, 'new'), row(25, 'new')] as unknown as LoadStep[];
  const merged = mergeLoadRows(old, fresh) as unknown as { calls: number; tag: string; faults?: object }[];
  assert.deepEqual(
    merged.map((r) => [r.calls, r.tag, !!r.faults]),
    [
      [1, 'old', false],
      [10, 'new', false],
      [25, 'new', false],
      [25, 'old', true],
    ],
  );
});

test('the plot has a strip per row of load.json in each panel, every sample a dot, fault rows named as such', () => {
  const row = (calls: number, v2v: number[], faults?: object) =>
    ({
      calls,
      v2v_ms: percentiles(v2v),
      barge_in_ms: percentiles([200]),
      greeting_ms: percentiles([900, 950]),
      samples: { v2v, barge_in: [200], greeting: [900, 950] },
      load_average: { start: [1.5], end: [2] },
      measured_at: '2026-12-07T02:00:00.000Z',
      ...(faults ? { faults } : {}),
    }) as unknown as LoadStep;
  const rows = [row(1, [300, 320]), row(10, [310, 400, 420]), row(25, [900, 1200], { provider: {} })];
  const panels = loadPanels(rows);
  assert.deepEqual(
    panels.map((p) => p.series.map((s) => s.pipeline)),
    new Array(3).fill(['1 call', '10 calls', '25 calls + faults']),
  );
  const v2v = panelSvg(panels[0]!);
  assert.equal(v2v.match(/<circle /g)?.length, 7);
  assert.match(v2v, /voice-to-voice/);
  assert.equal(panelSvg(panels[2]!).match(/<circle /g)?.length, 6);
  assert.match(loadSubtitle(rows), /measured 2026-12-07; load average \(1 min\) 1 call: 1.5 → 2, 10 calls/);
});

test("a step counts the stack's fallbacks, records held and calls recorded by source and exact message", () => {
  const counts = noEvents();
  const line = (msg: string, extra = '') => `{"level":40,"time":1,"pid":2${extra},"msg":${JSON.stringify(msg)}}`;
  countEvent(counts, 'agent', line('provider failed mid-reply; apologising and answering with the fallback'));
  countEvent(counts, 'agent', line('provider failed mid-reply; apologising and answering with the fallback'));
  countEvent(counts, 'agent', line('records server unavailable; holding call records', ',"queued":2'));
  countEvent(counts, 'web', line('call recorded', ',"callId":"x"'));
  // the same text from another process, another message, or no JSON at all: not counted
  countEvent(counts, 'agent', line('call recorded'));
  countEvent(counts, 'agent', line('call recorded later'));
  countEvent(counts, 'web', 'Server is listening on port 43565');
  // a message field inside the data (a transcript under pii) is not the line's message
  countEvent(counts, 'agent', line('state', ',"pii":{"text":"fallback failed too \\"quoted\\""}'));
  assert.deepEqual(counts, { provider_fallbacks: 2, fallbacks_failed: 0, records_held: 1, calls_recorded: 1 });
});
