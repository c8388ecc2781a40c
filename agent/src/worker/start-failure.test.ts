import { initializeLogger } from '@livekit/agents';
import { strict as assert } from 'node:assert';
import { fork } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, it } from 'vitest';
import {
  AGENT_CANNOT_START_EXIT,
  checkBeforeRegistering,
  guardPrewarm,
  stopWhenAJobCannotStart,
} from './start-failure.ts';
import { onAgentStopping } from './agent-stopping.ts';

initializeLogger({ pretty: false, level: 'fatal' });

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
const exitSpy = () => {
  const codes: number[] = [];
  return {
    codes,
    exit: (code: number): never => {
      codes.push(code);
      throw new Exited(code);
    },
  };
};

describe('a job process that cannot start', () => {
  it('logs its error once with the stack, tells its worker, and the worker stops with 78', async () => {
    const worker: number[] = [];
    const undo = stopWhenAJobCannotStart({ exit: (code) => void worker.push(code) });
    try {
      const child = fork(new URL('./testing/failing-job.ts', import.meta.url), [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      const lines: string[] = [];
      createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
      createInterface({ input: child.stderr! }).on('line', (l) => lines.push(l));
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      assert.equal(code, AGENT_CANNOT_START_EXIT);
      await new Promise((r) => setImmediate(r)); // the signal is delivered as a macrotask
      assert.deepEqual(worker, [AGENT_CANNOT_START_EXIT]);
      const about = lines.filter((l) => l.includes('/nowhere/libfoo.so'));
      assert.equal(about.length, 1, lines.join('\n'));
      const logged = JSON.parse(about[0]!) as {
        level: number;
        msg: string;
        error: { type: string; message: string; stack: string };
      };
      assert.equal(logged.level, 60);
      assert.equal(logged.msg, 'agent cannot start: its engines failed to load');
      assert.equal(logged.error.type, 'DecoderError');
      assert.match(logged.error.stack, /^DecoderError: the library \/nowhere\/libfoo\.so could not be loaded\n\s+at /);
    } finally {
      undo();
    }
  });

  it('a prewarm that works is left alone', async () => {
    const told: string[] = [];
    const spy = exitSpy();
    let ran = false;
    await guardPrewarm(async () => void (ran = true), { notifyWorker: () => told.push('told'), exit: spy.exit })({});
    assert.deepEqual([ran, told, spy.codes], [true, [], []]);
  });

  it('a failing prewarm outside a worker still ends with 78 (injected hooks)', async () => {
    const told: string[] = [];
    const spy = exitSpy();
    await assert.rejects(
      guardPrewarm(
        async () => {
          throw new Error('no model');
        },
        { notifyWorker: () => told.push('told'), exit: spy.exit },
      )({}),
      Exited,
    );
    assert.deepEqual([told, spy.codes], [['told'], [AGENT_CANNOT_START_EXIT]]);
  });
});

describe('the worker checks before registering', () => {
  it('returns what the check returns', async () => {
    assert.equal(await checkBeforeRegistering(async () => 42), 42);
  });
  it('a failing check exits with 78', async () => {
    const spy = exitSpy();
    await assert.rejects(
      checkBeforeRegistering(
        async () => {
          throw new Error('KNOWLEDGE_BASE_PATH: not found');
        },
        { exit: spy.exit },
      ),
      Exited,
    );
    assert.deepEqual(spy.codes, [AGENT_CANNOT_START_EXIT]);
  });
});

describe('onAgentStopping', () => {
  it('fires once, on the worker shutdown request or a signal, and not after dispose', () => {
    const calls: string[] = [];
    onAgentStopping(() => calls.push('a'));
    process.emit('message', { case: 'pingRequest', value: {} }, undefined);
    assert.equal(calls.length, 0);
    process.emit('message', { case: 'shutdownRequest', value: {} }, undefined);
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(calls, ['a']);

    const dispose = onAgentStopping(() => calls.push('b'));
    process.emit('SIGINT', 'SIGINT');
    assert.deepEqual(calls, ['a', 'b']);
    const never = onAgentStopping(() => calls.push('c'));
    never();
    process.emit('SIGTERM', 'SIGTERM');
    assert.deepEqual(calls, ['a', 'b']);
    dispose();
  });
});
