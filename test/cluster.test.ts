/**
 * Voxanne on LiveKit's own distributed mode (`npm run cluster`, scripts/lib/cluster.ts): two
 * livekit-server nodes sharing one Redis, two agent workers (one registered with each node), LiveKit
 * SIP and the web server, one cluster for the whole file. Rooms land on both nodes and calls on both
 * workers; then a third worker joins (a scale-up) and a phone call through LiveKit SIP (connected to the
 * second node) is answered; a worker killed with kill -9 (its whole process group, as when its machine
 * dies) has its call taken over by another within 5 s, the conversation reloaded from the records; the
 * worker holding that call, sent SIGTERM, drains (the call goes on to its end, a new call goes
 * elsewhere). The kill and the drain come last: each takes a worker away.
 *
 * Waits are on events and log lines, with generous deadlines (this runs on a loaded 2-core machine);
 * the one timed assertion is the issue's 5 s, from the kill to the new agent's join as LiveKit records it.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { dispose, RoomEvent, type RemoteParticipant } from '@livekit/rtc-node';
import { Redis } from 'ioredis';
import { RoomServiceClient } from 'livekit-server-sdk';
import { parseProvisionConfig, type ProvisionConfig } from '../sip/src/config.ts';
import { provision } from '../sip/src/provision.ts';
import { SimCaller } from './support/sim-caller.ts';
import { RtpPhone } from './support/sip-rtp.ts';
import { sippCall, type SippCall } from './support/sip-sipp.ts';
import { concat, silence, speech48k } from './support/speech.ts';
import {
  startTestCluster,
  waitForLines,
  warmJobProcesses,
  workerLogs,
  workerOfCall,
  type TestCluster,
} from './support/test-cluster.ts';
import { waitForLog } from './support/test-stack.ts';
import type { ChildHandle } from '../scripts/lib/procs.ts';

const CLINIC = '+15550100200';
const CALLER = '+15551234567';
/** the issue's bound: the other worker's agent is in the room within 5 s of the kill */
const BACK_WITHIN_MS = 5000;
/** deadlines against a hang, not timings: a loaded machine may take this long */
const WAIT_MS = 60_000;

let cluster: TestCluster | undefined;
let rooms: RoomServiceClient;
let addressQuestion: Int16Array;
const callers = new Set<SimCaller>();
const sipps: SippCall[] = [];
const phones: RtpPhone[] = [];
let redis: Redis | undefined;
/** the third worker, started once the first two have shown their dispatch; ready once this resolves */
let spare: Promise<unknown> | undefined;

/** the calls the cases share: a and b from the first web case, c placed during the drain */
const calls: Record<string, { c: SimCaller; callId: string; room: string; worker: string }> = {};

const t0 = performance.now();
const mark = (what: string) => console.log(`+${Math.round(performance.now() - t0)} ms: ${what}`);

beforeAll(async () => {
  [cluster, addressQuestion] = await Promise.all([
    // the demo clinic and dev mode: the test logs in to the dashboard API to change a setting below
    startTestCluster(
      'cluster',
      {},
      {
        // no standby call (WEB_STANDBY_CALLS): these calls open their own rooms, as the load bench's do; a
        // standby would hold a line on a worker LiveKit chose and make "the least loaded" a coin toss. The
        // standby call is tested in call-rooms.test.ts and npm-start-lifecycle.test.ts
        webEnv: { VOXANNE_DEMO_SEED: '1', VOXANNE_DEV: '1', WEB_STANDBY_CALLS: '0' },
        spareWorkers: 1,
      },
    ),
    speech48k('Where are you located?'),
  ]);
  mark('cluster started');
  redis = new Redis(cluster.redisUrl);
  rooms = new RoomServiceClient(cluster.nodes[1]!.livekitUrl.replace(/^ws/, 'http'), cluster.apiKey, cluster.apiSecret);
  const config: ProvisionConfig = parseProvisionConfig({
    LIVEKIT_URL: cluster.nodes[1]!.livekitUrl,
    LIVEKIT_API_KEY: cluster.apiKey,
    LIVEKIT_API_SECRET: cluster.apiSecret,
    SIP_NUMBERS: CLINIC,
    SIP_ALLOWED_ADDRESSES: '127.0.0.1/32',
  });
  await Promise.all([provision(config, { dryRun: false, log: () => {} }), longSilenceTimeout(cluster.webUrl)]);
  mark('cluster ready');
});

afterAll(async () => {
  await Promise.allSettled([...callers].map((c) => c.leave()));
  for (const s of sipps) await s.child.stop();
  for (const p of phones) p.close();
  redis?.disconnect();
  await cluster?.stop();
  await dispose();
});

/**
 * The clinic's silence timeout at its longest (60 s, Settings): a call here waits for a worker to start
 * or drain with nobody speaking, and her silence prompts and goodbye (3 s apart by default) would end
 * it. The owner's own setting, through the dashboard API as the page sends it.
 */
async function longSilenceTimeout(webUrl: string): Promise<void> {
  const api = async (method: string, path: string, body?: unknown, cookie?: string) => {
    const res = await fetch(`${webUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', origin: webUrl, ...(cookie ? { cookie } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.equal(res.status, 200, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return { body: (await res.json()) as Record<string, unknown>, setCookie: res.headers.get('set-cookie') };
  };
  const login = await api('POST', '/api/auth/login', { email: 'demo@voxanne.local', password: 'voxanne-demo' });
  const cookie = login.setCookie!.split(';')[0]!;
  const { body: settings } = await api('GET', '/api/settings', undefined, cookie);
  await api('PUT', '/api/settings', { ...settings, silenceTimeoutMs: 60_000 }, cookie);
}

const isAddressAnswer = (t: string) => /harbor/i.test(t);
const agentIds = (c: SimCaller) =>
  [...c.room.remoteParticipants.values()].map((p) => p.identity).filter((id) => id.startsWith('agent-'));
/** her transcripts since sinceMs: final ones, or with interims too (what she has started saying) */
const agentSaidSince = (c: SimCaller, sinceMs: number, finalOnly = true) =>
  c.messages.flatMap((m) =>
    m.atMs >= sinceMs && m.msg.type === 'transcript' && m.msg.speaker === 'agent' && (m.msg.final || !finalOnly)
      ? [m.msg.text]
      : [],
  );

/**
 * A web caller joining through `node`, with the worker whose job took the call. `listening`: also
 * waits for her greeting to end (the caller is about to speak); otherwise for the start of it.
 */
async function newCall(tag: string, node: number, listening: boolean): Promise<(typeof calls)[string]> {
  const s = cluster!;
  const room = `cluster-${tag}-${Math.random().toString(36).slice(2, 8)}`;
  const c = await SimCaller.join({
    url: s.nodes[node]!.livekitUrl,
    apiKey: s.apiKey,
    apiSecret: s.apiSecret,
    room,
    publishMic: true,
  });
  callers.add(c);
  await c.waitFor(() => c.messages.length > 0, WAIT_MS, `${tag}: a first data message from her`);
  const callId = c.messages[0]!.msg.callId;
  await waitForLines(s, () => workerOfCall(s, callId) !== undefined, WAIT_MS, `${tag}: a worker's "call started"`);
  await c.waitFor(() => c.audibleMs() >= 1000, WAIT_MS, `${tag}: the greeting`);
  if (listening)
    await c.waitFor(() => c.states().at(-1) === 'LISTENING', WAIT_MS, `${tag}: LISTENING after the greeting`);
  return (calls[tag] = { c, callId, room, worker: workerOfCall(s, callId)! });
}

/** The caller asks; resolves once `done` holds (her answer), the microphone silent again. */
async function say(c: SimCaller, pcm: Int16Array, done: () => boolean, what: string): Promise<void> {
  const stop = new AbortController();
  const playing = c.play(concat(pcm, silence(WAIT_MS)), stop.signal);
  try {
    await c.waitFor(done, WAIT_MS, what);
  } finally {
    stop.abort();
    await playing;
  }
}

async function hangUp(c: SimCaller): Promise<void> {
  callers.delete(c);
  await c.leave();
}

const isRunning = (c: ChildHandle) => c.proc.exitCode === null && !c.proc.signalCode;
const childOf = (name: string) => {
  const child = cluster!.children.find((c) => c.name === name && isRunning(c));
  assert.ok(child, `worker ${name} is running`);
  return child;
};
/** the workers running now, by name */
const runningWorkers = () =>
  cluster!.children.filter((c) => c.name.startsWith('agent') && isRunning(c)).map((c) => c.name);

test('rooms are placed on both LiveKit nodes, and calls are dispatched to both workers', async () => {
  const s = cluster!;
  const a = await newCall('a', 0, false);
  // LiveKit asks the least loaded worker: once the first worker has told it of its call, the next goes to the other.
  // A job request goes to every node's workers, and LiveKit takes the best claim among those in within 200 ms of the
  // first (psrpc's affinity short-circuit): on a loaded machine the other node's claim can come too late and the busy
  // worker gets the call (the fresh-clone CI of 923a009, once). So a second caller is placed up to three times.
  await waitForLog(s, a.worker, /"load":0\.[1-9][^}]*"msg":"worker load changed"/, WAIT_MS);
  let b = await newCall('b', 1, true);
  for (let tries = 1; b.worker === a.worker && tries < 3; tries++) {
    console.log(`call b went to ${a.worker} too (try ${tries}): placed again`);
    await hangUp(b.c);
    b = await newCall('b', 1, true);
  }
  console.log(`call a on ${a.worker}, call b on ${b.worker}`);
  assert.notEqual(a.worker, b.worker, 'the two calls went to different workers');
  // a's part is done; b stays for the kill
  await hangUp(a.c);

  // LiveKit's node selector places each room at random among the nodes it takes for available (stats
  // renewed within 5 s: on a loaded machine one may drop out for a moment), and records the choice in Redis
  const nodeOf = async (room: string) => {
    const node = await redis!.hget('room_node_map', room);
    assert.ok(node, `room ${room} is on a node`);
    return node;
  };
  const placed = [await nodeOf(a.room), await nodeOf(b.room)];
  const empty: string[] = [];
  // one room at a time until both nodes hold one (all 40 on one node by chance: 1 in 10^12)
  while (new Set(placed).size < 2 && empty.length < 40) {
    const name = `cluster-empty-${empty.length}-${Math.random().toString(36).slice(2, 6)}`;
    await rooms.createRoom({ name, emptyTimeout: 5 });
    empty.push(name);
    placed.push(await nodeOf(name));
  }
  const nodes = new Set(placed);
  console.log(`room placement: ${[...nodes].map((n) => `${n}: ${placed.filter((p) => p === n).length}`).join(', ')}`);
  assert.equal(nodes.size, 2, 'the rooms are spread over both nodes');
  assert.equal(await redis!.hlen('nodes'), 2, 'both nodes are registered in the shared Redis');
  await Promise.all(empty.map((name) => rooms.deleteRoom(name)));
  // a third worker joins (on the first node, as a scale-up would), so that after the kill below two are
  // left for the drain; it starts while the next cases run
  spare = s.startWorker(2, 'agent-3');
  spare.catch(() => undefined); // awaited by the kill case: a failure is that case's, not an unhandled rejection
  mark('placement and dispatch');
});

test('LiveKit SIP against the cluster: a phone call is answered and greeted', async () => {
  const s = cluster!;
  const phone = await RtpPhone.open();
  phones.push(phone);
  const call = await sippCall({ target: s.sipAddress!, to: CLINIC, from: CALLER, rtpPort: phone.port, log: () => {} });
  sipps.push(call);
  phone.remote = await call.answerMedia(WAIT_MS);
  phone.keepLineOpen(call.child.exited);
  await phone.waitFor(() => phone.audibleMs() >= 1000, WAIT_MS, 'her greeting over RTP');
  const phoneCall = () => s.lines.find((l) => l.source.startsWith('agent') && l.line.includes('"msg":"phone call"'));
  await waitForLines(s, () => phoneCall() !== undefined, WAIT_MS, 'a worker\'s "phone call"');
  assert.match(phoneCall()!.line, /"dialled":"\+15550100200"/);
  await call.hangUp();
  assert.equal(await call.child.exited, 0, 'sipp completed its scenario (BYE answered with 200)');
  mark('SIP');
});

test('a worker killed with SIGKILL: another takes its call within 5 s, the conversation reloaded', async () => {
  const s = cluster!;
  const b = calls.b!;
  // something to remember: after the kill, the conversation so far is in the records only
  const asked = performance.now();
  await say(b.c, addressQuestion, () => agentSaidSince(b.c, asked).some(isAddressAnswer), 'b: her answer');
  await b.c.waitFor(() => b.c.states().at(-1) === 'LISTENING', WAIT_MS, 'b: LISTENING after the answer');
  await spare;
  // a cluster between calls: every worker holds a warm job process (AGENT_IDLE_PROCESSES), as it does once
  // the start of the one a call just used is over; the takeover is measured from that state
  const survivors = runningWorkers().filter((w) => w !== b.worker);
  assert.equal(survivors.length, 2, `two workers besides ${b.worker}: ${survivors.join(', ')}`);
  await waitForLines(
    s,
    () => survivors.every((w) => warmJobProcesses(s, w) > 0),
    WAIT_MS,
    `a warm job process on ${survivors.join(' and ')}`,
  );
  mark('survivors warm');

  const victim = childOf(b.worker);
  const before = agentIds(b.c);
  const joined = new Promise<RemoteParticipant>((resolve) => {
    const onJoin = (p: RemoteParticipant) => {
      if (!p.identity.startsWith('agent-') || before.includes(p.identity)) return;
      b.c.room.off(RoomEvent.ParticipantConnected, onJoin);
      resolve(p);
    };
    b.c.room.on(RoomEvent.ParticipantConnected, onJoin);
  });
  const killedAt = performance.now();
  const killedAtEpochMs = Date.now();
  // the worker and its job processes at once, as when its machine dies
  process.kill(-victim.proc.pid!, 'SIGKILL');
  mark('killed');

  const agent = await Promise.race([
    joined,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('b: no new agent in the room within 20 s')), 20_000).unref(),
    ),
  ]);
  const seenMs = performance.now() - killedAt;
  // when the agent joined, by LiveKit's own clock (the caller learns of it a little later)
  const info = (await rooms.listParticipants(b.room)).find((p) => p.identity === agent.identity);
  assert.ok(info, `${agent.identity} is a participant of ${b.room}`);
  const backMs = Number(info.joinedAtMs) - killedAtEpochMs;
  console.log(
    `kill -9 of worker ${b.worker}: ${agent.identity} joined the room after ${backMs} ms ` +
      `(seen by the caller after ${Math.round(seenMs)} ms)`,
  );
  const restoredBy = () => workerOfCall(s, b.callId, 'call restored');
  await waitForLines(s, () => restoredBy() !== undefined, WAIT_MS, 'b: a worker\'s "call restored"');
  calls.b = { ...b, worker: restoredBy()! }; // whatever the checks below find, the call is that worker's now
  assert.ok(backMs <= BACK_WITHIN_MS, `an agent is back within ${BACK_WITHIN_MS} ms (took ${backMs} ms)`);
  await b.c.waitFor(() => !agentIds(b.c).some((id) => before.includes(id)), 5000, 'b: the dead agent removed');

  // one survivor claims the lost worker (a Redis SET NX) and has its call dispatched again
  const claims = survivors.flatMap((w) => workerLogs(s, w).filter((l) => l.msg === 'agent worker lost'));
  assert.equal(claims.length, 1, `one survivor claimed the lost worker: ${JSON.stringify(claims)}`);
  assert.equal(claims[0]!.calls, 1);
  assert.ok(survivors.includes(restoredBy()!), `a surviving worker took the call over (${restoredBy()})`);
  console.log(`${restoredBy()} restored the call`);

  // what she names came back from the records: no process that heard the question or her answer is alive
  const line = /Sorry, I lost you for a moment\. You were asking about where we are\. What else can I help you with\?/;
  await b.c.waitFor(() => agentSaidSince(b.c, killedAt).some((t) => line.test(t)), WAIT_MS, 'b: her "lost you" line');
  assert.ok(b.c.audibleMs(killedAt) >= 1000, `her voice is heard again (${b.c.audibleMs(killedAt)} ms)`);
  await b.c.waitFor(() => b.c.states().at(-1) === 'LISTENING', WAIT_MS, 'b: LISTENING after the line');
  assert.ok(
    b.c.messages.filter((m) => m.atMs >= killedAt).every((m) => m.msg.callId === b.callId),
    'the same call goes on',
  );
  mark('takeover');
});

test('a worker sent SIGTERM drains: its call goes on to its end, a new call goes to the other worker', async () => {
  const s = cluster!;
  const b = calls.b!;
  const draining = b.worker;
  const worker = childOf(draining);
  const since = s.lines.length;
  worker.proc.kill('SIGTERM'); // the worker alone: its job processes finish their calls
  await waitForLog(s, draining, /draining worker/, WAIT_MS, since);

  // a caller arriving now goes to the other worker; meanwhile the draining worker's call goes on (the
  // one it took over from the killed worker): a question still gets its answer
  const asked = performance.now();
  const [c] = await Promise.all([
    newCall('c', 0, false),
    say(b.c, addressQuestion, () => agentSaidSince(b.c, asked).some(isAddressAnswer), 'b: her answer during the drain'),
  ]);
  console.log(`during the drain of ${draining}: the new call went to ${c.worker}`);
  assert.notEqual(c.worker, draining, 'the new call went to the worker that is not draining');
  assert.equal(worker.proc.exitCode, null, 'the draining worker waits for its call');

  // the caller hangs up; with no call left, the worker is done
  await hangUp(b.c);
  const code = await Promise.race([
    worker.exited,
    new Promise<string>((r) => setTimeout(() => r('still running'), WAIT_MS).unref()),
  ]);
  assert.equal(code, 143, 'the worker exited after draining (SIGTERM)');
  const recovered = s.lines.filter((l) => /call recovery dispatched/.test(l.line) && l.line.includes(b.room));
  assert.equal(recovered.length, 1, "b's call was recovered once (after the kill), never after the drain");
  await hangUp(c.c);
  mark('drain');
});
