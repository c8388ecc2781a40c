import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { ListenRecord, SpeechSegment } from '../../test/fakes/deepgram/index.ts';
import type { Script } from './caller-script.ts';
import type { CallLine, CallSpec, CallTarget, LoadCall } from './load-call.ts';
import { LoadRouting } from './load-routing.ts';
import {
  noFigures,
  ShardHost,
  ShardWorker,
  shardCount,
  shardOf,
  worstLag,
  type FromShard,
  type ShardLag,
  type ToShard,
} from './load-shards.ts';

const target: CallTarget = { livekitUrl: 'ws://127.0.0.1:7880', apiKey: 'k', apiSecret: 's' };
const script = { question: { text: 'q', pcm: new Int16Array([1, 2, 3]), onsetMs: 0, endMs: 1 } } as unknown as Script;
const segment = (startSec: number, endSec: number): SpeechSegment => ({
  audio: new Int16Array(0),
  sampleRate: 16000,
  startSec,
  endSec,
});
const tick = () => new Promise((r) => setImmediate(r));

/**
 * One host and one shard joined as a child process's IPC joins them: each message a structured clone,
 * delivered later, in order. The shard runs `run` for each call it is sent, as load-shard.ts runs oneCall.
 */
function pair(routing: LoadRouting, run: (spec: CallSpec, line: CallLine, lag: ShardLag) => Promise<LoadCall>) {
  const lag: ShardLag = { p50: 1, p99: 2, max: 3 };
  const toHost: FromShard[] = [];
  let worker!: ShardWorker;
  let up = true;
  const host = new ShardHost(
    (m: ToShard) => {
      const copy = structuredClone(m);
      setImmediate(() => {
        if (!up) return;
        if (copy.t === 'init') return send({ t: 'up' });
        if (copy.t === 'call')
          return void run(copy.spec, worker.line(copy.spec.i), lag).then((call) =>
            send({ t: 'result', i: copy.spec.i, call }),
          );
        if (copy.t === 'lag') return send({ t: 'lag', lag });
        worker.receive(copy);
      });
    },
    () => routing.line(),
  );
  const send = (m: FromShard) => {
    if (!up) return;
    toHost.push(m);
    const copy = structuredClone(m);
    setImmediate(() => host.receive(copy));
  };
  worker = new ShardWorker(send);
  return {
    host,
    toHost,
    /** the shard process dies: it sends nothing more, and the host is told (as the child's exit tells it) */
    kill: (why: string) => {
      up = false;
      host.gone(why);
    },
  };
}

const figures = (spec: CallSpec, o: Partial<LoadCall> = {}): LoadCall => ({ ...noFigures(spec.channel), ...o });

test('callers are spread over as few processes as hold them, in turn, none holding more than the limit', () => {
  assert.equal(shardCount(3, 20), 1);
  assert.equal(shardCount(20, 20), 1);
  assert.equal(shardCount(21, 20), 2);
  assert.equal(shardCount(50, 20), 3);
  assert.equal(shardCount(50, 0), 0); // 0: the callers run in the load generator
  assert.throws(() => shardCount(10, -1), /whole number/);
  assert.throws(() => shardCount(10, 2.5), /whole number/);
  for (const [calls, per] of [
    [50, 20],
    [25, 20],
    [4, 2],
    [41, 20],
  ] as const) {
    const n = shardCount(calls, per);
    const held = new Array<number>(n).fill(0);
    for (let i = 0; i < calls; i++) held[shardOf(i, n)]!++;
    assert.ok(Math.max(...held) <= per, `${calls} calls over ${n}: ${held.join(',')}`);
    assert.ok(Math.max(...held) - Math.min(...held) <= 1, `${calls} calls over ${n}: ${held.join(',')}`);
  }
  // consecutive callers (consecutive in the ramp) land in different processes
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => shardOf(i, 2)),
    [0, 1, 0, 1],
  );
});

test("a call in a shard is routed by the load generator's STT fake, and its figures come back intact", async () => {
  const routing = new LoadRouting();
  const connection = { id: 0, closed: false } as ListenRecord;
  const stt = routing.transcriberFor(connection);
  const heard: string[] = [];
  const { host } = pair(routing, async (spec, line) => {
    // what oneCall does: ready before each utterance, then the words about to be said
    await line.ready();
    line.expectParts([{ text: 'what are your opening hours', onsetMs: 100, endMs: 1100 }]);
    // her audio reaches the agent, and the agent's STT connection reaches the fake
    await tick();
    await tick();
    heard.push(await stt.final(segment(0, 1)));
    const bindings = await line.done();
    return figures(spec, {
      greetingMs: 812.5,
      v2vMs: [350, 410],
      said: 1,
      answered: 1,
      sttBindings: bindings,
      marks: { joined: 1, end: Infinity },
      hesitant: [{ text: 'um', premature: false }],
    });
  });
  host.init(target, script);
  await host.up;
  const call = await host.call({ i: 7, channel: 'web', holdMs: 0, short: true });
  assert.deepEqual(heard, ['what are your opening hours']);
  assert.equal(call.sttBindings, 1);
  assert.equal(call.greetingMs, 812.5);
  assert.deepEqual(call.v2vMs, [350, 410]);
  assert.equal(call.marks?.end, Infinity); // structured clones keep what JSON would not
  assert.deepEqual(call.hesitant, [{ text: 'um', premature: false }]);
  assert.equal(routing.unrouted, 0);
  assert.equal(host.placed, 0);
});

test('callers in two shards take turns at the routing exactly as callers in one process do', async () => {
  const routing = new LoadRouting();
  const order: string[] = [];
  const run = async (spec: CallSpec, line: CallLine) => {
    await line.ready();
    order.push(`claim ${spec.i}`);
    await tick();
    order.push(`speak ${spec.i}`);
    line.expectParts([{ text: `caller ${spec.i}`, onsetMs: 0, endMs: 500 }]);
    await tick(); // her audio takes longer to reach the fake than her words take to reach the host
    await tick();
    const said = await routing.transcriberFor({ id: spec.i, closed: false } as ListenRecord).final(segment(0, 0.5));
    return figures(spec, { problems: [said], sttBindings: await line.done() });
  };
  const a = pair(routing, run);
  const b = pair(routing, run);
  a.host.init(target, script);
  b.host.init(target, script);
  await Promise.all([a.host.up, b.host.up]);
  const calls = await Promise.all([
    a.host.call({ i: 0, channel: 'web', holdMs: 0, short: false }),
    b.host.call({ i: 1, channel: 'web', holdMs: 0, short: false }),
  ]);
  // the second caller's claim waits until the first caller's speech bound her connection
  assert.deepEqual(order, ['claim 0', 'speak 0', 'claim 1', 'speak 1']);
  assert.deepEqual(
    calls.map((c) => c.problems[0]),
    ['caller 0', 'caller 1'],
  );
  assert.deepEqual(
    calls.map((c) => c.sttBindings),
    [1, 1],
  );
});

test('a shard that dies mid-call: its calls fail with what they said, and the claim it held is freed', async () => {
  const routing = new LoadRouting();
  let claimed!: () => void;
  const holding = new Promise<void>((r) => (claimed = r));
  const { host, kill } = pair(routing, async (spec, line) => {
    await line.ready();
    claimed();
    return new Promise<LoadCall>(() => undefined); // the process dies before the call ends
  });
  host.init(target, script);
  await host.up;
  const lost = host.call({ i: 3, channel: 'sip', holdMs: 0, short: false });
  await holding;
  await tick(); // the host has granted the claim
  kill('caller process 0 exited with SIGKILL');
  const call = await lost;
  assert.equal(call.failed, true);
  assert.equal(call.dropped, true);
  assert.equal(call.channel, 'sip');
  assert.equal(call.said, 1);
  assert.equal(call.answered, 0);
  assert.match(call.problems[0]!, /caller's process ended.*SIGKILL/);
  // another caller is not kept waiting by the dead one's claim
  const other = routing.line();
  await Promise.race([
    other.ready(),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the claim was never given back')), 1000)),
  ]);
  // a call placed after the shard is gone fails at once, and asking its lag gives nothing
  assert.equal((await host.call({ i: 4, channel: 'web', holdMs: 0, short: false })).failed, true);
  assert.equal(await host.lag(), undefined);
});

test("the callers' event-loop delay is the worst shard's, figure by figure", async () => {
  assert.deepEqual(worstLag([{ p50: 1, p99: 40, max: 90 }, undefined, { p50: 3, p99: 20, max: 120 }]), {
    p50: 3,
    p99: 40,
    max: 120,
  });
  assert.equal(worstLag([undefined]), undefined);
  const { host } = pair(new LoadRouting(), (spec) => Promise.resolve(figures(spec)));
  host.init(target, script);
  await host.up;
  assert.deepEqual(await host.lag(), { p50: 1, p99: 2, max: 3 });
});
