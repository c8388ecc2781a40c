import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { pino } from 'pino';
import { STANDBY_EMPTY_TIMEOUT_SECONDS, type CallRoomMetadata } from '@voxanne/contracts/call-room';
import type { AgentAnswer, CallRoomSpec, CallRooms } from './call-rooms.ts';
import { StandbyPool, type StandbyRooms } from './standby-pool.ts';

/** LiveKit as the pool sees it: rooms open at once; a worker answers as told; her voice is published when told */
function fakeLivekit(o: { answer?: AgentAnswer; stale?: string[] } = {}) {
  const live = new Map<string, CallRoomMetadata>();
  const opened: CallRoomSpec[] = [];
  const closed: string[] = [];
  const published = new Set<string>();
  const waiting = new Map<string, (ok: boolean) => void>();
  const rooms: CallRooms & StandbyRooms = {
    async open(spec) {
      opened.push(spec);
      live.set(spec.room, spec.metadata);
    },
    async agentAssigned() {
      return o.answer ?? 'taken';
    },
    async close(room) {
      closed.push(room);
      live.delete(room);
    },
    async alive(names) {
      return new Set(names.filter((n) => live.has(n)));
    },
    agentReady: (room) =>
      new Promise((resolve) => (published.has(room) ? resolve(live.has(room)) : waiting.set(room, resolve))),
    async setMetadata(room, metadata) {
      if (!live.has(room)) throw new Error('room not found');
      live.set(room, metadata);
    },
    async unclaimedStandbys() {
      return o.stale ?? [];
    },
  };
  const publish = (room: string) => {
    published.add(room);
    waiting.get(room)?.(live.has(room));
  };
  return { rooms, live, opened, closed, publish };
}

const logger = pino({ level: 'silent' });
const tick = () => new Promise((r) => setTimeout(r, 5));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await tick();
  assert.ok(cond(), 'condition not reached');
}
const admitAll = async () => true;

async function readyPool(lk: ReturnType<typeof fakeLivekit>) {
  const pool = new StandbyPool({ size: 1, tenant: 'demo', rooms: lk.rooms, logger, tickMs: 60_000 });
  await pool.start();
  await until(() => lk.opened.length === 1);
  lk.publish(lk.opened[0]!.room);
  await tick();
  return pool;
}

describe('StandbyPool', () => {
  it("closes an earlier run's standbys, then opens one that names its caller and outlives a normal room", async () => {
    const lk = fakeLivekit({ stale: ['call-old'] });
    const pool = new StandbyPool({ size: 1, tenant: 'demo', rooms: lk.rooms, logger, tickMs: 60_000 });
    await pool.start();
    assert.deepEqual(lk.closed, ['call-old']);
    const spec = lk.opened[0]!;
    assert.equal(spec.emptyTimeoutSeconds, STANDBY_EMPTY_TIMEOUT_SECONDS);
    assert.deepEqual(Object.keys(spec.metadata).sort(), ['caller', 'channel', 'standby', 'tenant']);
    assert.equal(spec.metadata.standby, true);
    assert.equal(spec.metadata.tenant, 'demo');
    await pool.stop();
  });

  it('two clicks at once: one gets the standby (marked claimed before its names leave), the other none', async () => {
    const lk = fakeLivekit();
    const pool = await readyPool(lk);
    const spec = lk.opened[0]!;
    const [a, b] = await Promise.all([pool.claim('demo', admitAll), pool.claim('demo', admitAll)]);
    const got = [a, b].filter((x) => typeof x === 'object');
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], { room: spec.room, identity: spec.metadata.caller });
    assert.equal(lk.live.get(spec.room)?.claimed, true);
    // the next standby is on its way
    await until(() => lk.opened.length === 2);
    await pool.stop();
  });

  it("another clinic's click never gets this clinic's standby", async () => {
    const lk = fakeLivekit();
    const pool = await readyPool(lk);
    assert.equal(await pool.claim('other-clinic', admitAll), undefined);
    assert.equal(typeof (await pool.claim('demo', admitAll)), 'object');
    await pool.stop();
  });

  it('an address at its cap is refused and the standby stays for the next click', async () => {
    const lk = fakeLivekit();
    const pool = await readyPool(lk);
    assert.equal(await pool.claim('demo', async () => false), 'refused');
    assert.equal(typeof (await pool.claim('demo', admitAll)), 'object');
    await pool.stop();
  });

  it('a standby closed from outside (a worker ended it for a phone call) is not handed out', async () => {
    const lk = fakeLivekit();
    const pool = await readyPool(lk);
    lk.live.delete(lk.opened[0]!.room);
    assert.equal(await pool.claim('demo', admitAll), undefined);
    await pool.stop();
  });

  it('a settings save closes the ready standby and opens a fresh one', async () => {
    const lk = fakeLivekit();
    const pool = await readyPool(lk);
    const old = lk.opened[0]!.room;
    pool.settingsChanged();
    await until(() => lk.opened.length === 2);
    assert.ok(lk.closed.includes(old));
    assert.equal(await pool.claim('demo', admitAll), undefined, 'the fresh one is not ready yet');
    lk.publish(lk.opened[1]!.room);
    await tick();
    assert.equal((await pool.claim('demo', admitAll)) instanceof Object, true);
    await pool.stop();
  });

  it('a standby refused by the workers (every line busy) is closed, and not retried at once', async () => {
    const lk = fakeLivekit({ answer: 'refused' });
    const pool = new StandbyPool({ size: 1, tenant: 'demo', rooms: lk.rooms, logger, tickMs: 10 });
    await pool.start();
    await until(() => lk.closed.length === 1);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(lk.opened.length, 1, 'no second try within the retry delay');
    await pool.stop();
  });

  it('stop closes every standby it holds and opens no more', async () => {
    const lk = fakeLivekit();
    const pool = await readyPool(lk);
    await pool.stop();
    assert.deepEqual(lk.closed, [lk.opened[0]!.room]);
    assert.equal(lk.live.size, 0);
    assert.equal(await pool.claim('demo', admitAll), undefined);
  });
});
