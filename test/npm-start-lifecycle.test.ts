/**
 * `npm start`'s life, on its real runner (scripts/lib/dev-runner.ts, run by test/support/dev-stack-main.ts
 * in a process group of its own, as a terminal runs it):
 * - an agent that cannot start (the recogniser's library missing) stops it with one clear message;
 * - a web server that dies is started again and answers again;
 * - Ctrl-C (SIGINT to the whole group) ends a live call with its record complete in the database,
 *   and nothing of the stack is left running 10 s later.
 */
import { dispose } from '@livekit/rtc-node';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { ROOT } from '../scripts/lib/livekit-binary.ts';
import { freeStackPorts } from '../scripts/lib/ports.ts';
import { openPglite } from '../web/server/db/db.ts';
import { SimCaller } from './support/sim-caller.ts';
import { speech48k } from './support/speech.ts';
import { ARTIFACTS, buildWeb, TEST_KEY, TEST_SECRET } from './support/test-stack.ts';

interface Dev {
  proc: ChildProcess;
  lines: { stream: 'stdout' | 'stderr'; line: string }[];
  webUrl: string;
  livekitUrl: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  waitFor(re: RegExp, timeoutMs: number, since?: number): Promise<string>;
}

async function startDev(
  name: string,
  o: { agentEnv?: NodeJS.ProcessEnv; webEnv?: NodeJS.ProcessEnv } = {},
): Promise<Dev> {
  buildWeb();
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = join(ARTIFACTS, `${name}.log`);
  const ports = await freeStackPorts();
  const options = {
    ports,
    apiKey: TEST_KEY,
    apiSecret: TEST_SECRET,
    // one warm job process, as the test stacks keep (test-stack.ts): the shipped one per line up to 4
    // passed here too (4 tests, 134 s at load average 14), at ~3 s more CPU per extra process and start
    agentEnv: { LOG_LEVEL: 'debug', AGENT_IDLE_PROCESSES: '1', ...o.agentEnv },
    webEnv: o.webEnv ?? {},
  };
  // detached: its own process group, which is what a terminal's Ctrl-C signals
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/dev-stack-main.ts')], {
    cwd: ROOT,
    env: { ...process.env, VOXANNE_DEV_STACK: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: Dev['lines'] = [];
  const watchers = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: proc[stream]! }).on('line', (line) => {
      lines.push({ stream, line });
      appendFileSync(logFile, `${stream === 'stderr' ? '!' : ' '} ${line}\n`);
      for (const w of [...watchers]) w();
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    proc.once('exit', (code, signal) => r({ code, signal })),
  );
  const waitFor = (re: RegExp, timeoutMs: number, since = 0) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const hit = lines.slice(since).find((l) => re.test(l.line));
        if (!hit) return;
        done();
        resolve(hit.line);
      };
      const done = () => {
        watchers.delete(check);
        clearTimeout(timer);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no line matching ${re} within ${timeoutMs} ms (see ${logFile})`));
      }, timeoutMs);
      watchers.add(check);
      void exited.then(() =>
        setTimeout(() => {
          if (!watchers.has(check)) return;
          done();
          reject(new Error(`npm start exited before printing ${re} (see ${logFile})`));
        }, 200),
      );
      check();
    });
  return {
    proc,
    lines,
    webUrl: `http://127.0.0.1:${ports.web}`,
    livekitUrl: `ws://127.0.0.1:${ports.livekit}`,
    exited,
    waitFor,
  };
}

/** Every process below `pid`, with its command line (from /proc: a fresh Debian has no `ps`). */
function descendants(pid: number): { pid: number; args: string }[] {
  const rows: { pid: number; ppid: number; args: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      rows.push({ pid: Number(name), ppid, args });
    } catch {
      // the process ended while we looked
    }
  }
  const out: { pid: number; args: string }[] = [];
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    for (const r of rows.filter((x) => x.ppid === p)) {
      out.push({ pid: r.pid, args: r.args });
      todo.push(r.pid);
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/**
 * The processes of `procs` still running `withinMs` after `fromMs`: polled, so it comes back as soon as
 * every one has exited (an exited process does not come back) instead of always sitting out the window
 */
async function survivors<P extends { pid: number }>(procs: P[], fromMs: number, withinMs = 10_000): Promise<P[]> {
  while (procs.some((p) => alive(p.pid)) && Date.now() < fromMs + withinMs)
    await new Promise((r) => setTimeout(r, 100));
  return procs.filter((p) => alive(p.pid));
}

const leftovers: number[] = [];
afterAll(async () => {
  await dispose();
  // a failed test must not leave a stack behind for the next suite
  for (const pid of leftovers) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

test('an agent that cannot start: one clear message and a non-zero exit within 30 s', async () => {
  const dev = await startDev('npm-start-agent-cannot-start', {
    agentEnv: { POCKETSPHINX_LIB: '/nowhere/libpocketsphinx.so.3' },
  });
  leftovers.push(-dev.proc.pid!);
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref());
  const r = await Promise.race([dev.exited, timeout]);
  assert.notEqual(r, 'timeout', 'npm start still running 30 s later');
  assert.equal((r as { code: number }).code, 1);
  const about = dev.lines.filter((l) => l.line.includes('/nowhere/libpocketsphinx.so.3'));
  // the agent's error, once, with its stack; then npm start's own last word naming it
  const fatal = about.filter((l) => l.line.startsWith('agent') || l.line.includes('"level":60'));
  assert.equal(fatal.length, 1, about.map((l) => l.line).join('\n'));
  const logged = JSON.parse(fatal[0]!.line.replace(/^\S*agent\S*\s+/, '')) as {
    msg: string;
    error: { message: string; stack: string };
  };
  assert.match(
    logged.error.message,
    /library \/nowhere\/libpocketsphinx\.so\.3 could not be loaded .*install Debian's libpocketsphinx3 .*or set POCKETSPHINX_LIB/,
  );
  assert.match(logged.error.stack, /DecoderError: .*\n\s+at /);
  const last = dev.lines.filter((l) => l.stream === 'stderr').at(-1)?.line ?? '';
  assert.match(
    last,
    /^Voxanne cannot start: agent cannot start: the offline speech recogniser's library \/nowhere\/libpocketsphinx\.so\.3 could not be loaded/,
  );
  assert.ok(
    !dev.lines.some((l) => /supervised process run failed|process exited before initializing/.test(l.line)),
    'no restart loop',
  );
  assert.ok(!dev.lines.some((l) => /Voxanne is ready/.test(l.line)), 'no stack was presented as ready');
});

test('Ctrl-C during start-up stops what had started; nothing is left running 10 s later', async () => {
  const dev = await startDev('npm-start-ctrl-c-while-starting');
  leftovers.push(-dev.proc.pid!);
  // livekit-server and the agent worker are up, the web server not yet
  await dev.waitFor(/"msg":"starting worker"/, 120_000);
  const procs = [{ pid: dev.proc.pid!, args: 'npm start' }, ...descendants(dev.proc.pid!)];
  leftovers.push(...procs.map((p) => p.pid));
  assert.ok(
    procs.some((p) => p.args.includes('agent/src/main.ts')),
    procs.map((p) => p.args).join('\n'),
  );
  const signalledAt = Date.now();
  process.kill(-dev.proc.pid!, 'SIGINT');
  const exit = await dev.exited;
  assert.equal(exit.code, 0);
  assert.deepEqual(await survivors(procs, signalledAt), [], 'processes still running 10 s after Ctrl-C');
  assert.ok(
    !dev.lines.some((l) => /Voxanne (failed to start|cannot start|is ready)/.test(l.line)),
    'an interrupted start is not reported as a failure',
  );
});

describe('a running npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'voxanne-npm-start-'));
  let dev: Dev | undefined;

  test('a web server that dies is restarted and answers again', async () => {
    dev = await startDev('npm-start-lifecycle', { webEnv: { DATA_DIR: dataDir } });
    leftovers.push(-dev.proc.pid!);
    await dev.waitFor(/Voxanne is ready/, 180_000);
    const web = descendants(dev.proc.pid!).find((p) => p.args.includes('web/server/main.ts'));
    assert.ok(web, 'the web server process');
    const since = dev.lines.length;
    process.kill(web.pid, 'SIGKILL');
    await dev.waitFor(/web server stopped unexpectedly \(code null\); restarting it in \d+ ms/, 10_000, since);
    await dev.waitFor(/web server restarted/, 60_000, since);
    const health = await fetch(`${dev.webUrl}/api/health`);
    assert.equal(health.status, 200);
    const page = await fetch(`${dev.webUrl}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<html/i);
    const again = descendants(dev.proc.pid!).find((p) => p.args.includes('web/server/main.ts'));
    assert.ok(again && again.pid !== web.pid, 'a new web server process');
    assert.equal(dev.proc.exitCode, null, 'npm start kept running');
  });

  test('Ctrl-C ends a live call with its record complete, and nothing is left running 10 s later', async () => {
    assert.ok(dev, 'the stack of the previous test');
    const c = await SimCaller.join({
      url: dev.livekitUrl,
      apiKey: TEST_KEY,
      apiSecret: TEST_SECRET,
      room: `ctrl-c-${Date.now()}`,
      publishMic: true,
    });
    const listening = () => c.states().filter((x) => x === 'LISTENING').length;
    await c.waitFor(() => listening() >= 2, 60_000, 'the greeting to finish');
    const said = c.transcripts('agent').length;
    await c.play(await speech48k('what are your hours', { trailingSilenceMs: 700 }));
    await c.waitFor(
      () => c.transcripts('agent').length > said && c.states().at(-1) === 'LISTENING',
      45_000,
      'her answer',
    );

    // the caller is still on the line: Ctrl-C
    const procs = [{ pid: dev.proc.pid!, args: 'npm start' }, ...descendants(dev.proc.pid!)];
    leftovers.push(...procs.map((p) => p.pid));
    assert.ok(
      procs.some((p) => p.args.includes('job_proc_lazy_main')),
      `the agent's job processes are counted: ${procs.map((p) => p.args).join('\n')}`,
    );
    const since = dev.lines.length;
    const signalledAt = Date.now();
    process.kill(-dev.proc.pid!, 'SIGINT');
    const exit = await dev.exited;
    assert.equal(exit.code, 0);
    assert.deepEqual(await survivors(procs, signalledAt), [], 'processes still running 10 s after Ctrl-C');
    await c.leave().catch(() => {}); // the room is gone with the server; the caller's side just closes

    const out = dev.lines.slice(since).map((l) => l.line);
    assert.ok(
      out.some((l) => /"msg":"call ended"/.test(l) && /agent stopping/.test(l)),
      'the call ended on Ctrl-C',
    );
    assert.ok(
      !out.some((l) => /records server unavailable|call records left undelivered|not delivered/.test(l)),
      out.filter((l) => /records/.test(l)).join('\n'),
    );

    const db = await openPglite(dataDir);
    try {
      const calls = await db.query<{ id: string; status: string; ended_at: unknown; summary: string | null }>(
        "select id, status, ended_at, summary from call_sessions where room like 'ctrl-c-%'",
      );
      assert.equal(calls.length, 1);
      // the standby call the web server held (WEB_STANDBY_CALLS, default 1) ended with the rest and, nobody
      // having taken it, left no call behind: no record, no dashboard call
      const standbys = dev.lines
        .filter((l) => l.line.includes('"msg":"standby ready"'))
        .map((l) => /"room":"([^"]+)"/.exec(l.line)?.[1]);
      assert.ok(standbys.length >= 1, 'npm start holds a standby call');
      assert.ok(
        out.some((l) => l.includes('"msg":"no caller joined"')),
        'her standby job ended on Ctrl-C',
      );
      const recorded = (await db.query<{ room: string }>('select room from call_sessions')).map((r) => r.room);
      assert.deepEqual(
        recorded.filter((r) => standbys.includes(r)),
        [],
        'no call record for a standby',
      );
      const call = calls[0]!;
      assert.equal(call.status, 'completed');
      assert.ok(call.ended_at, 'the call has its end');
      assert.ok(call.summary, 'and its summary');
      const turns = await db.query<{ speaker: string; text: string }>(
        'select speaker, text from conversation_turns where call_id = $1',
        [call.id],
      );
      assert.ok(
        turns.some((t) => t.speaker === 'caller'),
        'the caller turn',
      );
      assert.ok(
        turns.some((t) => t.speaker === 'agent'),
        'her answer',
      );
    } finally {
      await db.close();
    }
  });
});
