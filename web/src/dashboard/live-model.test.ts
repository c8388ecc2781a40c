import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { applyLiveEvent, parseLiveEvent } from './live-model.ts';
import type { LiveCall } from '@voxanne/contracts/dashboard';

const call = (id: string, state: LiveCall['state'], since: string, startedAt = '2026-11-23T10:00:00Z'): LiveCall => ({
  id,
  caller: '***-***-0142',
  channel: 'sip',
  state,
  since,
  startedAt,
});

describe('live calls', () => {
  it('adds a new call, updates its state, and drops it when it ends', () => {
    let calls: LiveCall[] = [];
    calls = applyLiveEvent(calls, call('b', 'LISTENING', '2026-11-23T10:00:05Z', '2026-11-23T10:00:05Z'));
    calls = applyLiveEvent(calls, call('a', 'SPEAKING', '2026-11-23T10:00:01Z', '2026-11-23T10:00:00Z'));
    assert.deepEqual(
      calls.map((c) => c.id),
      ['a', 'b'],
      'oldest call first',
    );
    calls = applyLiveEvent(calls, call('b', 'PROCESSING', '2026-11-23T10:00:07Z', '2026-11-23T10:00:05Z'));
    assert.equal(calls.find((c) => c.id === 'b')!.state, 'PROCESSING');
    assert.equal(calls.length, 2);
    calls = applyLiveEvent(calls, call('a', 'ENDED', '2026-11-23T10:00:09Z'));
    assert.deepEqual(
      calls.map((c) => c.id),
      ['b'],
    );
    assert.deepEqual(
      applyLiveEvent(calls, call('zzz', 'ENDED', '2026-11-23T10:00:09Z')),
      calls,
      'ending an unknown call changes nothing',
    );
  });

  it('ignores a late event older than the state shown', () => {
    const calls = [call('a', 'SPEAKING', '2026-11-23T10:00:09Z')];
    assert.equal(applyLiveEvent(calls, call('a', 'LISTENING', '2026-11-23T10:00:02Z'))[0]!.state, 'SPEAKING');
  });

  it('parses event data and refuses what is not a call', () => {
    assert.deepEqual(
      parseLiveEvent(JSON.stringify(call('a', 'LISTENING', '2026-11-23T10:00:02Z'))),
      call('a', 'LISTENING', '2026-11-23T10:00:02Z'),
    );
    assert.equal(parseLiveEvent('not json'), null);
    assert.equal(parseLiveEvent('{"id":1}'), null);
    assert.equal(parseLiveEvent('null'), null);
  });
});
