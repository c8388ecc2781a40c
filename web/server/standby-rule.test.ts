import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { StandbyRule } from './standby-rule.ts';

const MAX_AGE = 600_000;
const RETRY = 5000;

function rule(size = 1) {
  let t = 1000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  return { clock, r: new StandbyRule({ size, maxAgeMs: MAX_AGE, retryMs: RETRY, now: clock.now }) };
}

/** opens what the plan asks for, names room-1, room-2, … */
function fill(r: StandbyRule, from = 1): string[] {
  const { open } = r.plan();
  const names = Array.from({ length: open }, (_, i) => `room-${from + i}`);
  for (const n of names) r.opening(n, `caller-of-${n}`);
  return names;
}

describe('StandbyRule', () => {
  it('opens up to its size, and counts the ones still opening', () => {
    const { r } = rule(2);
    assert.deepEqual(fill(r), ['room-1', 'room-2']);
    assert.deepEqual(r.plan(), { close: [], open: 0 });
  });

  it('hands out only a ready standby, once: a second claim gets none (the click takes the usual path)', () => {
    const { r } = rule(1);
    fill(r);
    assert.equal(r.claim(), undefined, 'not ready yet');
    assert.equal(r.ready('room-1'), true);
    const first = r.claim();
    assert.equal(first?.room, 'room-1');
    assert.equal(first?.identity, 'caller-of-room-1');
    assert.equal(r.claim(), undefined);
    // and the pool opens the next
    assert.equal(r.plan().open, 1);
  });

  it('two clicks at once with two ready standbys get two different rooms, the older first', () => {
    const { r, clock } = rule(2);
    r.opening('a', 'ca');
    clock.advance(10);
    r.opening('b', 'cb');
    r.ready('b');
    r.ready('a');
    const got = [r.claim()?.room, r.claim()?.room];
    assert.deepEqual(got, ['a', 'b']);
  });

  it('a standby reaching its maximum age is closed and replaced; one just short of it is handed out', () => {
    const { r, clock } = rule(1);
    fill(r);
    r.ready('room-1');
    clock.advance(MAX_AGE - 1);
    assert.deepEqual(r.plan(), { close: [], open: 0 });
    clock.advance(1);
    assert.equal(r.claim(), undefined, 'too old to hand out');
    assert.deepEqual(r.plan(), { close: ['room-1'], open: 1 });
  });

  it('after a failed open (lines full, LiveKit down) no new standby is tried before the retry delay', () => {
    const { r, clock } = rule(1);
    fill(r);
    r.failed('room-1');
    assert.equal(r.plan().open, 0);
    clock.advance(RETRY - 1);
    assert.equal(r.plan().open, 0);
    clock.advance(1);
    assert.equal(r.plan().open, 1);
  });

  it('a room the pool closed itself is simply forgotten: no retry delay', () => {
    const { r } = rule(1);
    fill(r);
    r.ready('room-1');
    r.dropped('room-1');
    assert.equal(r.plan().open, 1);
  });

  it('a settings save closes the ready standbys, and one opening under the old settings when it is ready', () => {
    const { r } = rule(2);
    r.opening('old-ready', 'c1');
    r.ready('old-ready');
    r.opening('old-opening', 'c2');
    assert.deepEqual(r.settingsChanged(), ['old-ready']);
    assert.equal(r.claim(), undefined);
    assert.equal(r.ready('old-opening'), false, 'prepared under the old settings: closed, never handed out');
    assert.equal(r.plan().open, 2);
    r.opening('new', 'c3');
    assert.equal(r.ready('new'), true);
    assert.equal(r.claim()?.room, 'new');
  });

  it('a settings save ends the wait after a failure: the fresh standby is opened at once', () => {
    const { r } = rule(1);
    fill(r);
    r.failed('room-1');
    r.settingsChanged();
    assert.equal(r.plan().open, 1);
  });

  it('a claimed standby given back is handed out again; every room held is listed for the stop', () => {
    const { r } = rule(2);
    fill(r);
    r.ready('room-1');
    const line = r.claim()!;
    assert.deepEqual(r.rooms(), ['room-2']);
    r.giveBack(line);
    assert.deepEqual(r.rooms().sort(), ['room-1', 'room-2']);
    assert.deepEqual(r.readyRooms(), ['room-1']);
    assert.equal(r.claim()?.room, 'room-1');
  });

  it('size 0 opens nothing and hands out nothing', () => {
    const { r } = rule(0);
    assert.deepEqual(r.plan(), { close: [], open: 0 });
    assert.equal(r.claim(), undefined);
  });
});
