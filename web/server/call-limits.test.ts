import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { CallsPerClient, TokenBuckets } from './call-limits.ts';
import { addressKey } from './client-address.ts';

describe('TokenBuckets', () => {
  it('gives a burst, then one token per 60/perMinute seconds, per address', () => {
    let now = 0;
    const b = new TokenBuckets({ burst: 3, perMinute: 6 }, () => now);
    assert.deepEqual([b.take('a'), b.take('a'), b.take('a')], [{ ok: true }, { ok: true }, { ok: true }]);
    assert.deepEqual(b.take('a'), { ok: false, retryAfterMs: 10_000 });
    assert.deepEqual(b.take('b'), { ok: true }, 'another address has its own bucket');
    now = 5_000;
    assert.deepEqual(b.take('a'), { ok: false, retryAfterMs: 5_000 });
    now = 10_000;
    assert.deepEqual(b.take('a'), { ok: true });
    assert.equal(b.take('a').ok, false);
    now = 10_000 + 3_600_000; // an hour later the bucket is full again, never fuller
    assert.equal([b.take('a'), b.take('a'), b.take('a'), b.take('a')].filter((t) => t.ok).length, 3);
  });

  it('with no refill, says to come back in a minute', () => {
    const b = new TokenBuckets({ burst: 1, perMinute: 0 }, () => 0);
    b.take('a');
    assert.deepEqual(b.take('a'), { ok: false, retryAfterMs: 60_000 });
  });
});

describe('CallsPerClient', () => {
  it('holds a client to its cap, asking LiveKit which rooms still exist only at the cap', async () => {
    const calls = new CallsPerClient(2);
    const asked: string[][] = [];
    let alive = new Set(['r1', 'r2']);
    const check = async (rooms: string[]) => (asked.push(rooms), new Set(rooms.filter((r) => alive.has(r))));
    assert.equal(await calls.reserve('a', 'r1', check), true);
    assert.equal(await calls.reserve('a', 'r2', check), true);
    assert.deepEqual(asked, []);
    assert.equal(await calls.reserve('a', 'r3', check), false);
    assert.equal(await calls.reserve('b', 'r4', check), true, 'another address has its own cap');
    alive = new Set(['r2']); // r1's call ended
    assert.equal(await calls.reserve('a', 'r5', check), true);
    assert.equal(calls.held('a'), 2);
    calls.release('a', 'r5');
    assert.equal(calls.held('a'), 1);
  });

  it('lets only one of two requests at once take the last place', async () => {
    const calls = new CallsPerClient(1);
    const check = async (rooms: string[]) => new Set(rooms);
    const r = await Promise.all([calls.reserve('a', 'r1', check), calls.reserve('a', 'r2', check)]);
    assert.deepEqual(r, [true, false]);
  });
});

describe('addressKey', () => {
  it('unwraps IPv4-mapped addresses and keys IPv6 by its /64', () => {
    assert.equal(addressKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('10.1.2.3'), '10.1.2.3');
    assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(addressKey('::1'), '0:0:0:0::/64');
  });
});
