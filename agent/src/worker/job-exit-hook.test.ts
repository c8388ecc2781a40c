// The private hook (job-exit-hook.ts) against the real @livekit/agents executor: a forked job
// process, killed or ending, is reported with its job and call. An upgrade of the library that
// moves the pieces the hook uses fails here.
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { initializeLogger } from '@livekit/agents';
import {
  AGENTS_VERSION_HOOKED,
  jobProcExecutorClass,
  onJobLaunched,
  onJobProcessExit,
  type JobExitListener,
} from './job-exit-hook.ts';

const FIXTURE = fileURLToPath(new URL('./testing/fixture-agent.ts', import.meta.url));

type Exit = Parameters<JobExitListener>[0];

initializeLogger({ pretty: false, level: 'warn' });

interface Executor {
  proc: { pid?: number; kill(sig: string): boolean; on(ev: 'message', f: (m: { case?: string }) => void): void };
  start(): Promise<void>;
  initialize(o?: object): Promise<void>;
  launchJob(info: object): Promise<void>;
  join(): Promise<void>;
}

async function runJob(jobId: string, metadata: string, kill: boolean): Promise<Exit> {
  const Executor = (await jobProcExecutorClass()) as unknown as new (o: object) => Executor;
  const exits: Exit[] = [];
  const off = await onJobProcessExit((e) => exits.push(e));
  const launched: string[] = [];
  const offLaunched = await onJobLaunched((id) => launched.push(id));
  try {
    const ex = new Executor({
      agent: FIXTURE,
      initializeTimeout: 30_000,
      closeTimeout: 5000,
      memoryWarnMB: 0,
      memoryLimitMB: 0,
      pingInterval: 2500,
      pingTimeout: 60_000,
      highPingThreshold: 500,
    });
    await ex.start();
    await ex.initialize({ sessionEndTimeout: 5000 });
    const announced = new Promise<void>((resolve) =>
      ex.proc.on('message', (m) => m?.case === 'voxanne.callStarted' && resolve()),
    );
    await ex.launchJob({
      acceptArguments: { name: '', identity: `agent-${jobId}`, metadata: '' },
      job: {
        id: jobId,
        room: { name: `room-${jobId}`, sid: 'RM_x', metadata: '' },
        metadata,
        agentName: '',
        dispatchId: '',
        type: 0,
      },
      url: 'ws://127.0.0.1:9',
      token: '',
      workerId: 'W_test',
    });
    // the worker's admission counts the job as running from here (worker/admission.ts)
    assert.deepEqual(launched, [jobId], 'the launch is reported with its job id');
    await announced;
    if (kill) ex.proc.kill('SIGKILL');
    await ex.join();
    assert.equal(exits.length, 1, 'one exit reported');
    return exits[0]!;
  } finally {
    off();
    offLaunched();
  }
}

test(`a killed job process: signal, job, room, agent and call reported (agents ${AGENTS_VERSION_HOOKED})`, async () => {
  const exit = await runJob('AJ_killed', '', true);
  assert.equal(exit.signal, 'SIGKILL');
  assert.equal(exit.code, null);
  assert.deepEqual(exit.job, { id: 'AJ_killed', room: 'room-AJ_killed', identity: 'agent-AJ_killed' });
  assert.equal(exit.callId, 'call-of-AJ_killed');
  assert.equal(exit.callEnded, false);
});

test('a job that ends its call exits 0 and says so', async () => {
  const exit = await runJob('AJ_clean', 'end', false);
  assert.equal(exit.code, 0);
  assert.equal(exit.signal, null);
  assert.equal(exit.callId, 'call-of-AJ_clean');
  assert.equal(exit.callEnded, true);
});
