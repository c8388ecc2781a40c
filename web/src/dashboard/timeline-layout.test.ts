import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { formatOffset, layoutTimeline, LANES } from './timeline-layout.ts';
import type { StateChange, Turn } from '@voxanne/contracts/dashboard';

const T0 = Date.parse('2026-11-23T10:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms).toISOString();
const state = (s: StateChange['state'], ms: number, reason?: string): StateChange => ({
  state: s,
  at: at(ms),
  reason: reason ?? null,
});
const turn = (index: number, speaker: Turn['speaker'], startMs: number, endMs: number, interrupted = false): Turn => ({
  index,
  speaker,
  text: 'x',
  startedAt: at(startMs),
  endedAt: at(endMs),
  interrupted,
  metrics: { sttFinalMs: null, endOfTurnMs: null, llmFirstTokenMs: null, ttsFirstByteMs: null, v2vMs: null },
});

describe('state timeline layout', () => {
  const states = [
    state('IDLE', 0),
    state('SPEAKING', 200),
    state('LISTENING', 3000),
    state('PROCESSING', 5000),
    state('SPEAKING', 5500),
    state('INTERRUPTED', 7000, 'barge-in'),
    state('LISTENING', 7100),
  ];

  it('puts each state on its lane, from its change to the next, scaled to the width', () => {
    const l = layoutTimeline(
      { startedAt: at(0), endedAt: at(10_000), states, turns: [], now: new Date(T0 + 60_000) },
      40,
      1000,
    );
    assert.equal(l.durationMs, 10_000);
    assert.deepEqual(
      l.segments.map((s) => [s.state, s.startMs, s.endMs]),
      [
        ['SPEAKING', 200, 3000],
        ['LISTENING', 3000, 5000],
        ['PROCESSING', 5000, 5500],
        ['SPEAKING', 5500, 7000],
        ['INTERRUPTED', 7000, 7100],
        ['LISTENING', 7100, 10_000],
      ],
      'IDLE is not drawn; the last state runs to the end of the call',
    );
    const first = l.segments[0]!;
    assert.equal(first.lane, LANES.indexOf('SPEAKING'));
    assert.equal(first.x, 40 + 20);
    assert.equal(first.w, 280);
    assert.equal(l.segments[4]!.reason, 'barge-in');
    const last = l.segments.at(-1)!;
    assert.equal(last.x + last.w, 1040, 'the timeline ends at the right edge');
  });

  it('marks barge-ins from INTERRUPTED states and interrupted agent turns, once each', () => {
    const turns = [
      turn(0, 'agent', 200, 3000),
      turn(2, 'agent', 5500, 7050, true),
      turn(4, 'agent', 8000, 9000, true),
      turn(5, 'caller', 9000, 9500, true),
    ];
    const l = layoutTimeline({ startedAt: at(0), endedAt: at(10_000), states, turns, now: new Date(T0) }, 0, 1000);
    assert.deepEqual(
      l.bargeIns.map((b) => b.atMs),
      [7000, 9000],
      'the turn cut at 7.05 s is the INTERRUPTED state at 7 s; the one at 9 s had no ' +
        'state recorded; caller turns are not barge-ins',
    );
    assert.deepEqual(
      l.bargeIns.map((b) => b.x),
      [700, 900],
    );
  });

  it('keeps very short states visible and inside the drawing', () => {
    const l = layoutTimeline(
      {
        startedAt: at(0),
        endedAt: at(600_000),
        states: [state('SPEAKING', 0), state('INTERRUPTED', 599_990)],
        turns: [],
        now: new Date(T0),
      },
      0,
      600,
    );
    const blip = l.segments[1]!;
    assert.equal(blip.w, 2);
    assert.ok(blip.x + blip.w <= 600);
  });

  it('runs a call in progress up to now, sorts states and clamps ones recorded before the start', () => {
    const l = layoutTimeline(
      {
        startedAt: at(1000),
        endedAt: null,
        states: [state('LISTENING', 3000), state('SPEAKING', 500)],
        turns: [],
        now: new Date(T0 + 5000),
      },
      0,
      400,
    );
    assert.equal(l.durationMs, 4000);
    assert.deepEqual(
      l.segments.map((s) => [s.state, s.startMs, s.endMs]),
      [
        ['SPEAKING', 0, 2000],
        ['LISTENING', 2000, 4000],
      ],
    );
  });

  it('labels time ticks from 0:00 at readable spacing', () => {
    const l = layoutTimeline(
      { startedAt: at(0), endedAt: at(95_000), states: [], turns: [], now: new Date(T0) },
      0,
      700,
    );
    assert.equal(l.ticks[0]!.label, '0:00');
    assert.ok(l.ticks.length >= 3 && l.ticks.length <= 11, `${l.ticks.length} ticks`);
    for (let i = 1; i < l.ticks.length; i++)
      assert.ok(l.ticks[i]!.x - l.ticks[i - 1]!.x >= 60, 'labels do not overlap');
    assert.equal(formatOffset(65_000), '1:05');
  });

  it('handles a call with no states at all', () => {
    const l = layoutTimeline({ startedAt: at(0), endedAt: at(0), states: [], turns: [], now: new Date(T0) }, 0, 300);
    assert.deepEqual(l.segments, []);
    assert.deepEqual(l.bargeIns, []);
    assert.equal(l.durationMs, 1);
  });
});
