import assert from 'node:assert/strict';
import { test } from 'vitest';
import { classify, parseStat, type ProcSample } from './proc-sampler.ts';

test('/proc/<pid>/stat is read after the command, whatever spaces and parentheses the command holds', () => {
  // fields as Linux writes them: pid (comm) state ppid … utime(14) stime(15) … rss(24)
  const rest = 'S 77 1 1 0 -1 0 0 0 0 0 250 50 0 0 20 0 11 0 100 9000000 3000 0';
  assert.deepEqual(parseStat(`1234 (node (job) x) ${rest}`), { ppid: 77, ticks: 300, rssPages: 3000 });
});

test('the stack’s processes are told apart: the worker, its job and inference processes, the servers', () => {
  const p = (pid: number, ppid: number, cmdline = 'node'): ProcSample => ({
    pid,
    ppid,
    ticks: 0,
    rssBytes: 0,
    cmdline,
  });
  const all = [
    p(10, 1),
    p(11, 10, 'node job_proc_lazy_main.js'),
    p(12, 10, 'node inference_proc_lazy_main.js'),
    p(13, 11, 'node decoder-worker'),
    p(20, 1),
    p(30, 1),
    p(40, 1),
  ];
  const byPid = new Map(all.map((x) => [x.pid, x]));
  const roots = { agent: 10, livekit: 20, web: 30 };
  assert.deepEqual(
    all.map((x) => classify(x, byPid, roots)),
    ['worker', 'job', 'inference', 'job', 'livekit', 'web', undefined],
  );
});
