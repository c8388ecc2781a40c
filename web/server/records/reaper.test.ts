// The reaper: which open calls it closes (pure), and closing them on PGlite and PostgreSQL.
import assert from 'node:assert/strict';
import { beforeAll, it, test } from 'vitest';
import { pino } from 'pino';
import { addState, endCall, startCall } from '../db/calls.ts';
import { forEachDatabase } from '../db/testing/databases.ts';
import { LiveHub } from './live-hub.ts';
import { Reaper, reapable, REAP_REASON, type OpenCall } from './reaper.ts';
import { makeClinic } from './testing.ts';

const NOW = new Date('2026-03-03T18:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const open = (id: string, room: string, quietMs: number): OpenCall => ({
  id,
  tenantId: 't',
  room,
  lastActivity: ago(quietMs),
});

test('closes the calls whose room is gone and which have been quiet for the grace period, nothing else', () => {
  const calls = [
    open('live', 'room-live', 600_000),
    open('ghost', 'room-gone', 61_000),
    open('fresh-ghost', 'room-gone-2', 5_000),
    open('edge', 'room-gone-3', 60_000),
  ];
  const rooms = new Set(['room-live', 'another']);
  assert.deepEqual(
    reapable(calls, rooms, NOW, 60_000).map((c) => c.id),
    ['ghost', 'edge'],
  );
  assert.deepEqual(
    reapable(calls, new Set(), NOW, 0).map((c) => c.id),
    ['live', 'ghost', 'fresh-ghost', 'edge'],
  );
  // LiveKit could not be asked: no call is closed on a guess
  assert.deepEqual(reapable(calls, undefined, NOW, 0), []);
  assert.deepEqual(reapable([], rooms, NOW, 0), []);
});

forEachDatabase('reaper', (h) => {
  let tenantId: string;
  const logger = pino({ level: 'silent' });
  beforeAll(async () => {
    tenantId = (await makeClinic(h.db, 'reaped')).tenant.id;
    const start = (callId: string, room: string) =>
      startCall(h.db, tenantId, {
        callId,
        room,
        channel: 'web',
        callerIdentity: 'u',
        startedAt: ago(600_000),
        engines: { stt: 'a', llm: 'b', tts: 'c', mode: 'offline' },
      });
    await start('r-ghost', 'gone');
    await start('r-live', 'here');
    await start('r-quiet-but-recent', 'gone-2');
    await addState(h.db, 'r-quiet-but-recent', { id: 'x1', state: 'LISTENING', at: ago(1000) });
    await start('r-ended', 'gone-3');
    await endCall(h.db, tenantId, 'r-ended', { endedAt: ago(500_000), status: 'completed' });
  });

  it('closes the ghost call as failed with a timeline entry, once; live, recent, ended calls untouched', async () => {
    const hub = new LiveHub();
    const seen: string[] = [];
    hub.subscribe(tenantId, (c) => seen.push(`${c.id}:${c.state}`));
    const reaper = new Reaper({
      db: h.db,
      hub,
      logger,
      livekit: { url: 'ws://127.0.0.1:9', apiKey: 'k', apiSecret: 's' },
      intervalMs: 0,
      graceMs: 60_000,
      now: () => NOW,
      listRooms: async () => ['here'],
    });
    assert.equal(await reaper.sweep(), 1);
    assert.equal(await reaper.sweep(), 0, 'a second pass finds nothing more');
    const rows = await h.db.query<{ id: string; status: string; outcome: string | null }>(
      `select id, status, outcome from call_sessions where tenant_id = $1 order by id`,
      [tenantId],
    );
    assert.deepEqual(
      rows.map((r) => [r.id, r.status]),
      [
        ['r-ended', 'completed'],
        ['r-ghost', 'failed'],
        ['r-live', 'in_progress'],
        ['r-quiet-but-recent', 'in_progress'],
      ],
    );
    assert.equal(rows.find((r) => r.id === 'r-ghost')!.outcome, 'agent lost');
    const states = await h.db.query<{ state: string; reason: string }>(
      `select state, reason from call_states where call_id = 'r-ghost'`,
    );
    assert.deepEqual(states, [{ state: 'REAPED', reason: REAP_REASON }]);
    assert.deepEqual(seen, ['r-ghost:ENDED'], 'the Live page hears of it');
  });

  it('closes nothing when LiveKit cannot be asked', async () => {
    const reaper = new Reaper({
      db: h.db,
      hub: new LiveHub(),
      logger,
      livekit: { url: 'ws://127.0.0.1:9', apiKey: 'k', apiSecret: 's' },
      intervalMs: 0,
      graceMs: 0,
      now: () => NOW,
      listRooms: async () => {
        throw new Error('connection refused');
      },
    });
    assert.equal(await reaper.sweep(), 0);
    const open = await h.db.query(`select id from call_sessions where tenant_id = $1 and status = 'in_progress'`, [
      tenantId,
    ]);
    assert.equal(open.length, 2);
  });
});
