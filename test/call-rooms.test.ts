/**
 * Issue 13's attacks on a call, against a real livekit-server, the real web server and a real
 * @livekit/agents worker with Voxanne's admission (each job a process that just holds its line):
 * listening in, kicking the caller or the agent, and taking more lines than the worker has.
 * One LiveKit, one worker, one web server for the file; the standby calls (WEB_STANDBY_CALLS) get a
 * second web server on the same LiveKit and worker at the end. The first has none (testConfig's 0):
 * its tests count each job and room a click opens, and a standby would add its own.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { initializeLogger, Worker, WorkerOptions } from '@livekit/agents';
import { dispose, Room, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { AccessToken, RoomAgentDispatch, RoomServiceClient } from 'livekit-server-sdk';
import { pino } from 'pino';
import { parseCallRoomMetadata, type CallTokenResponse } from '@voxanne/contracts/call-room';
import { WorkerAdmission } from '../agent/src/worker/admission.ts';
import { freeTcpPort } from '../scripts/lib/ports.ts';
import { rawRequest, startWebServer, testConfig, type Running } from '../web/server/test-support.ts';
import { startLivekit, type TestLivekit } from '../web/test/livekit-support.ts';

const LINE_AGENT = fileURLToPath(new URL('../agent/src/worker/testing/line-agent.ts', import.meta.url));
const MAX_CALLS = 1;

let lk: TestLivekit;
let web: Running;
let worker: InstanceType<typeof Worker>;
let rooms: RoomServiceClient;
const refusals: object[] = [];
/** every job a worker took, by worker ('line taken' of its admission) */
const taken: { worker: string; room: string }[] = [];
/** lines each worker holds now, from its admission's 'line taken' and 'line free' */
const held: Record<string, number> = { A: 0, B: 0 };
const lineLog = (worker: string) => (o: object, m: string) => {
  if (m === 'line taken') {
    taken.push({ worker, ...(o as { room: string }) });
    held[worker]!++;
  } else if (m === 'line free') held[worker]!--;
};

/** A worker with Voxanne's admission whose jobs just hold their line (line-agent.ts); not yet running. */
async function makeWorker(admission: WorkerAdmission): Promise<InstanceType<typeof Worker>> {
  return new Worker(
    new WorkerOptions({
      agent: LINE_AGENT,
      wsURL: lk.url,
      apiKey: lk.apiKey,
      apiSecret: lk.apiSecret,
      agentName: 'voxanne',
      host: '127.0.0.1',
      port: await freeTcpPort(),
      numIdleProcesses: 1,
      initializeProcessTimeout: 60_000,
      // the warm process that never got a job is not waited for at the end
      shutdownProcessTimeout: 2000,
      requestFunc: admission.requestFunc,
      loadFunc: admission.loadFunc,
      loadThreshold: 1,
      logLevel: 'warn',
    }),
  );
}

async function runWorker(w: InstanceType<typeof Worker>): Promise<void> {
  const registered = new Promise<void>((resolve) => w.event.once('worker_registered', () => resolve()));
  void w.run();
  await registered;
}
const webLog: { msg: string; why?: string }[] = [];
const joined: Room[] = [];

beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  lk = await startLivekit();
  rooms = new RoomServiceClient(lk.url.replace(/^ws/, 'http'), lk.apiKey, lk.apiSecret);
  const livekit = { url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret };
  const admission = new WorkerAdmission({
    maxCalls: MAX_CALLS,
    livekit,
    log: {
      info: lineLog('A'),
      warn: (o, m) => m === 'job refused: every line busy' && refusals.push(o),
    },
  });
  await admission.install();
  worker = await makeWorker(admission);
  await runWorker(worker);
  web = await startWebServer(
    // the per-address limits are app.test.ts's subject; here every request comes from 127.0.0.1
    testConfig({
      livekitUrl: lk.url,
      livekitApiKey: lk.apiKey,
      livekitApiSecret: lk.apiSecret,
      tokenBurst: 1000,
      maxCallsPerClient: 1000,
    }),
    { logger: pino({ level: 'info' }, { write: (line: string) => void webLog.push(JSON.parse(line)) }) },
  );
});

afterAll(async () => {
  for (const r of joined) await r.disconnect().catch(() => {});
  await web?.stop();
  await worker?.close();
  await lk?.stop();
  await dispose();
});

async function openCall(
  body = '',
): Promise<{ status: number; json: Partial<CallTokenResponse> & { error?: string; code?: string }; ms: number }> {
  const t0 = performance.now();
  const res = await rawRequest(web.port, 'POST', '/api/token', body);
  return { status: res.status, json: JSON.parse(res.body), ms: performance.now() - t0 };
}

async function join(url: string, token: string): Promise<Room> {
  const room = new Room();
  joined.push(room);
  await room.connect(url, token, { autoSubscribe: true, dynacast: false });
  return room;
}

const agentsIn = (r: Room) =>
  [...r.remoteParticipants.values()].filter((p: RemoteParticipant) => p.identity.startsWith('agent-'));

async function untilAgentIn(r: Room): Promise<void> {
  if (agentsIn(r).length) return;
  await new Promise<void>((resolve) => {
    const on = () => agentsIn(r).length && (r.off(RoomEvent.ParticipantConnected, on), resolve());
    r.on(RoomEvent.ParticipantConnected, on);
  });
}

/** Opens a call once the worker has a free line again (a job process takes a moment to exit after its call). */
async function openWhenFree(): Promise<Awaited<ReturnType<typeof openCall>>> {
  let r = await openCall();
  for (let i = 0; r.status === 503 && r.json.code === 'lines-busy' && i < 80; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    r = await openCall();
  }
  return r;
}

async function endCall(r: Room, name: string): Promise<void> {
  await r.disconnect();
  await rooms.deleteRoom(name).catch(() => {});
}

describe('a call nobody else can join or break', () => {
  it('listen-in and both kicks fail: no token names a live call, and its room admits its one caller only', async () => {
    const call = await openCall();
    assert.equal(call.status, 200, JSON.stringify(call.json));
    const { url, token, room: name, identity } = call.json as CallTokenResponse;
    const caller = await join(url, token);
    await untilAgentIn(caller);
    const agentIdentity = agentsIn(caller)[0]!.identity;
    let callerDropped = false;
    caller.on(RoomEvent.Disconnected, () => (callerDropped = true));

    // 1. listening in: the stranger asks for a token to the call's room, as the probe did
    const listen = await openCall(JSON.stringify({ room: name, identity: 'stranger' }));
    assert.equal(listen.status, 400);
    assert.match(listen.json.error!, /^room: not accepted; the server chooses/);
    // 2. kicking the caller or the agent: a token in their identity
    for (const who of [identity, agentIdentity]) {
      const kick = await openCall(JSON.stringify({ room: name, identity: who }));
      assert.equal(kick.status, 400);
    }
    // what the stranger can get is a call of their own: another room, another identity
    const own = await openCall();
    assert.equal(own.status, 503, 'the one line is taken by the caller');
    assert.equal(own.json.code, 'lines-busy');

    // even a second valid token for the room (as if one had leaked) is refused by LiveKit: one caller per room
    const at = new AccessToken(lk.apiKey, lk.apiSecret, { identity: 'caller-second', ttl: 60 });
    at.addGrant({ room: name, roomJoin: true, canSubscribe: true });
    await assert.rejects(join(url, await at.toJwt()));

    assert.equal(callerDropped, false, 'the caller is still in the call');
    assert.ok(caller.isConnected);
    assert.deepEqual(
      agentsIn(caller).map((p) => p.identity),
      [agentIdentity],
      'her agent is still in the call',
    );
    const names = (await rooms.listParticipants(name)).map((p) => p.identity).sort();
    assert.deepEqual(names, [agentIdentity, identity].sort(), 'nobody else is in the room');
    await endCall(caller, name);
  });
});

describe('lines', () => {
  it('a job above the limit is refused when its request arrives; the page hears "lines busy" at once', async () => {
    const first = await openWhenFree();
    assert.equal(first.status, 200, JSON.stringify(first.json));
    const caller = await join(first.json.url!, first.json.token!);
    await untilAgentIn(caller);
    const before = refusals.length;
    const logFrom = webLog.length;
    // several at once, as the probe's one process opening six rooms
    const more = await Promise.all([openCall(), openCall(), openCall()]);
    for (const r of more) {
      assert.equal(r.status, 503);
      assert.deepEqual(r.json, { error: 'All our lines are busy; please try again in a minute', code: 'lines-busy' });
    }
    // each answered from the worker's refusal (the room marked busy), not from the wait for an agent running out
    assert.deepEqual(
      webLog
        .slice(logFrom)
        .filter((l) => l.msg === 'token refused: no agent free')
        .map((l) => l.why),
      ['refused', 'refused', 'refused'],
    );
    assert.equal(refusals.length - before, 3, 'the worker refused each of them');
    console.log(`lines busy answered in ${more.map((r) => Math.round(r.ms)).join(', ')} ms`);
    // refused rooms are closed: no agent waits in them, nobody can join them
    const live = (await rooms.listRooms()).map((r) => r.name);
    for (const r of more) assert.ok(!live.includes(r.json.room ?? '—'));
    assert.equal(live.length, 1);

    // the call ends (its job process exits): the line is free again
    await endCall(caller, first.json.room!);
    const next = await openWhenFree();
    assert.equal(next.status, 200, 'a freed line takes the next call');
    const again = await join(next.json.url!, next.json.token!);
    await untilAgentIn(again);
    await endCall(again, next.json.room!);
  });
});

describe('two workers', () => {
  it('never take more calls than their lines together, and each room gets one agent from one worker', async () => {
    // a second worker of one line beside the first: two lines in all
    const admissionB = new WorkerAdmission({
      maxCalls: MAX_CALLS,
      livekit: { url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret },
      log: {
        info: lineLog('B'),
        warn: () => {},
      },
    });
    await admissionB.install();
    const workerB = await makeWorker(admissionB);
    try {
      await runWorker(workerB);
      // both lines free: the earlier tests' job processes exit a moment after their calls
      for (let i = 0; (held.A !== 0 || held.B !== 0) && i < 240; i++) await new Promise((r) => setTimeout(r, 250));
      assert.deepEqual(held, { A: 0, B: 0 });
      const from = taken.length;
      // five callers at once, as the probe's one process opening rooms
      const calls = await Promise.all([openCall(), openCall(), openCall(), openCall(), openCall()]);
      const ok = calls.filter((c) => c.status === 200);
      const busy = calls.filter((c) => c.status === 503);
      assert.equal(ok.length, 2, `two of five got a line, one per worker (${calls.map((c) => c.status).join(', ')})`);
      assert.equal(ok.length + busy.length, 5);
      for (const c of busy) assert.equal(c.json.code, 'lines-busy');
      const byRoom = new Map<string, string[]>();
      for (const t of taken.slice(from)) byRoom.set(t.room, [...(byRoom.get(t.room) ?? []), t.worker]);
      for (const c of ok) assert.equal(byRoom.get(c.json.room!)?.length, 1, 'one job, taken by one worker');
      assert.ok(
        [...byRoom.values()].every((ws) => ws.length === 1),
        'no room was taken twice',
      );
      const perWorker = (w: string) => taken.slice(from).filter((t) => t.worker === w).length;
      assert.deepEqual([perWorker('A'), perWorker('B')], [1, 1], 'each worker took one call: its one line');
      // in each room the caller meets exactly one agent
      for (const c of ok) {
        const r = await join(c.json.url!, c.json.token!);
        await untilAgentIn(r);
        await new Promise((res) => setTimeout(res, 500));
        assert.equal(agentsIn(r).length, 1, 'one agent in the room');
        await endCall(r, c.json.room!);
      }
      console.log(`two workers, five callers at once: ${ok.length} taken, ${busy.length} told the lines are busy`);
    } finally {
      await workerB.close();
    }
  });
});

describe('standby calls', () => {
  let standbyWeb: Running;
  const standbyLog: { msg: string; room?: string; standby?: boolean }[] = [];
  const readyRooms = () => standbyLog.filter((l) => l.msg === 'standby ready').map((l) => l.room!);
  async function untilStandbyReady(count: number): Promise<string> {
    for (let i = 0; readyRooms().length < count && i < 400; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(readyRooms().length >= count, `standby ${count} ready`);
    return readyRooms()[count - 1]!;
  }
  const tokenFrom = async (port: number) => {
    const res = await rawRequest(port, 'POST', '/api/token', '');
    return { status: res.status, json: JSON.parse(res.body) as Partial<CallTokenResponse> & { code?: string } };
  };

  beforeAll(async () => {
    // every earlier call's line free: the worker has one
    for (let i = 0; held.A !== 0 && i < 240; i++) await new Promise((r) => setTimeout(r, 250));
    standbyWeb = await startWebServer(
      testConfig({
        livekitUrl: lk.url,
        livekitApiKey: lk.apiKey,
        livekitApiSecret: lk.apiSecret,
        tokenBurst: 1000,
        maxCallsPerClient: 1000,
        webStandbyCalls: 1,
      }),
      {
        logger: pino({ level: 'info' }, { write: (line: string) => void standbyLog.push(JSON.parse(line)) }),
        // the next standby is tried 0.5 s after the worker refused one (its line held), not 5 s
        standbyRetryMs: 500,
      },
    );
  });
  afterAll(async () => {
    await standbyWeb?.stop();
  });

  it('a click gets the standby her job already holds, claimed first; a second click at once never does', async () => {
    const standby = await untilStandbyReady(1);
    const before = (await rooms.listParticipants(standby)).filter((p) => p.identity.startsWith('agent-'));
    assert.equal(before.length, 1, 'her job is in the room before anyone clicks');
    const [a, b] = await Promise.all([tokenFrom(standbyWeb.port), tokenFrom(standbyWeb.port)]);
    const granted = [a, b].filter((r) => r.status === 200);
    assert.equal(granted.length, 1, `one line, one call (${a.status}, ${b.status})`);
    assert.equal(granted[0]!.json.room, standby);
    const other = a === granted[0] ? b : a;
    assert.equal(other.status, 503, 'the other click took the usual path, and the worker had no line left');
    assert.equal(other.json.code, 'lines-busy');
    const [r] = await rooms.listRooms([standby]);
    const marks = parseCallRoomMetadata(r?.metadata);
    assert.equal(marks.claimed, true, 'claimed before its token left: no worker ends it now');
    assert.equal(marks.caller, granted[0]!.json.identity, 'the token is for the identity the room admits');
    // the caller joins and meets the agent already there
    const caller = await join(granted[0]!.json.url!, granted[0]!.json.token!);
    await untilAgentIn(caller);
    assert.equal(agentsIn(caller)[0]!.identity, before[0]!.identity);
    await endCall(caller, standby);
  });

  it('a phone call that finds every line taken ends the unclaimed standby and takes its line', async () => {
    const standby = await untilStandbyReady(2);
    const phoneRoom = `phone-${Date.now()}`;
    // a phone call's room names no web caller: LiveKit SIP's dispatch rule opens it so
    await rooms.createRoom({
      name: phoneRoom,
      emptyTimeout: 30,
      agents: [new RoomAgentDispatch({ agentName: 'voxanne' })],
    });
    for (let i = 0; !taken.some((t) => t.room === phoneRoom) && i < 100; i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.ok(
      taken.some((t) => t.room === phoneRoom),
      'the phone call was taken',
    );
    const live = (await rooms.listRooms()).map((x) => x.name);
    assert.ok(!live.includes(standby), 'the standby was closed for it');
    await rooms.deleteRoom(phoneRoom).catch(() => {});
  });
});
