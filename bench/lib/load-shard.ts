/**
 * A caller process of the load generator (load-shards.ts): forked with an IPC channel, it is given the
 * stack's address and the script once, then runs each call it is sent and sends back its figures. It
 * ends when told to, or when the load generator goes away.
 */
import { dispose } from '@livekit/rtc-node';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Script } from './caller-script.ts';
import { oneCall, type CallTarget, type LoadCall } from './load-call.ts';
import { lostCall, ShardWorker, type FromShard, type ToShard } from './load-shards.ts';

const send = (m: FromShard) => process.send!(m);
const worker = new ShardWorker(send);
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const ms = (ns: number) => Math.round(ns / 1e5) / 10;
let target: CallTarget | undefined;
let script: Script | undefined;
let closing = false;

async function close(): Promise<void> {
  if (closing) return;
  closing = true;
  loop.disable();
  await dispose();
  process.disconnect?.();
  process.exit(0);
}

process.on('message', (m: ToShard) => {
  switch (m.t) {
    case 'init':
      target = m.target;
      script = m.script;
      return send({ t: 'up' });
    case 'call':
      void oneCall(m.spec, target!, worker.line(m.spec.i), script!)
        .catch((e: unknown): LoadCall => ({ ...lostCall(m.spec, 0, ''), problems: [`the call threw: ${String(e)}`] }))
        .then((call) => send({ t: 'result', i: m.spec.i, call }));
      return;
    case 'lag':
      send({ t: 'lag', lag: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) } });
      return loop.reset();
    case 'close':
      return void close();
    default:
      return worker.receive(m);
  }
});
// the load generator ended (or crashed): nothing more will come, and its rooms go with it
process.on('disconnect', () => void close());
