/**
 * The load generator's smoke run (`npm run load` is the benchmark; this is its 3-call run in npm
 * test): three web callers at once on one whole stack (livekit-server, the agent worker, the web
 * server and its records database) on the Deepgram/Groq fakes. Every call must be greeted and get
 * her answer to its question, each caller's words recognised on its own STT connection. Speed is not
 * asserted here; it is what the benchmark prints.
 */
import { dispose } from '@livekit/rtc-node';
import assert from 'node:assert/strict';
import { afterAll, it } from 'vitest';
import { runLoad } from '../bench/lib/load-run.ts';

afterAll(async () => {
  await dispose();
});

it('three concurrent calls are each greeted and answered, with nothing lost', { timeout: 180_000 }, async () => {
  const lines: string[] = [];
  const r = await runLoad({
    name: 'load-smoke',
    calls: 3,
    rampMs: 2000,
    // three warm job processes (AGENT_IDLE_PROCESSES=3), so a loaded machine's slow process start-up
    // cannot make a caller wait past the script's patience
    warm: 3,
    holdMs: 0,
    mix: { web: 1, sip: 0 },
    // the callers in this process: a caller process would add its start-up (seconds on a loaded machine)
    // to npm test; the split over caller processes is tested in bench/lib/load-shards.test.ts
    roomsPerShard: 0,
    script: 'short',
    log: (l) => lines.push(l),
  });
  const why = `${lines.join('\n')}\nproblems: ${r.problems.join('; ')}`;
  assert.equal(r.calls, 3);
  assert.equal(r.dropped, 0, why);
  assert.equal(r.failed, 0, why);
  assert.equal(r.greeting_ms.n, 3, why);
  // each caller asked one question and heard her answer to it, recognised on its own connection
  assert.equal(r.turns_said, 3, why);
  assert.equal(r.turns_lost, 0, why);
  assert.equal(r.v2v_ms.n, 3, why);
  assert.equal(r.stt_unrouted, 0, why);
  assert.equal(r.records_lost, 0, why);
  // the resources were measured while all three calls were up
  assert.ok(r.processes.job.processes >= 3, `job processes seen: ${r.processes.job.processes}`);
  assert.ok(r.processes.livekit.cpuCores > 0 && r.processes.worker.rssMbMean > 0);
});
