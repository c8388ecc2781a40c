import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from './clock.ts';
import {
  busyLineDue,
  JobAdmission,
  MAX_BUSY_LINES,
  UNLAUNCHED_JOB_TIMEOUT_MS,
  wantsBusyLine,
} from './job-admission.ts';

describe('JobAdmission', () => {
  it('refuses the request above the limit the moment it arrives, before any process has started a job', () => {
    const a = new JobAdmission(4, new ManualClock());
    // six requests within the same instant (the probe's six rooms): four accepted, two refused
    const answers = ['j1', 'j2', 'j3', 'j4', 'j5', 'j6'].map((id) => a.request(id));
    assert.deepEqual(
      answers.map((d) => d.accept),
      [true, true, true, true, false, false],
    );
    assert.deepEqual(answers[4], { accept: false, active: 4, max: 4 });
    assert.equal(a.load(), 1);
  });

  it('gives a place back when the job process exits, and only then', () => {
    const a = new JobAdmission(1, new ManualClock());
    assert.equal(a.request('j1').accept, true);
    a.launched('j1');
    assert.equal(a.request('j2').accept, false);
    a.ended('j1');
    assert.equal(a.load(), 0);
    assert.equal(a.request('j2').accept, true);
  });

  it('holds a running call however long it lasts', () => {
    const clock = new ManualClock();
    const a = new JobAdmission(1, clock);
    a.request('j1');
    a.launched('j1');
    clock.advance(3_600_000);
    assert.equal(a.request('j2').accept, false);
  });

  it('forgets an accepted job no process ever started, after the library would have given up on it', () => {
    const clock = new ManualClock();
    const a = new JobAdmission(1, clock);
    a.request('j1');
    clock.advance(UNLAUNCHED_JOB_TIMEOUT_MS - 1);
    assert.equal(a.request('j2').accept, false);
    clock.advance(1);
    assert.equal(a.request('j2').accept, true);
  });

  it('accepts a repeated request for a job it holds without taking a second place', () => {
    const a = new JobAdmission(2, new ManualClock());
    a.request('j1');
    assert.equal(a.request('j1').accept, true);
    assert.equal(a.active, 1);
  });
});

describe('the busy line', () => {
  it('is for an inbound phone call only: not a web caller (the page says so), not a call she places', () => {
    assert.equal(wantsBusyLine(JSON.stringify({ tenant: 'riverside' })), true);
    assert.equal(wantsBusyLine(undefined), true);
    const web = { tenant: 'riverside', caller: 'caller-abcdefghijklmnopqrstuvwxyz' };
    assert.equal(wantsBusyLine(JSON.stringify(web)), false);
    const outbound = { tenant: 'riverside', direction: 'outbound', purpose: 'reminder' };
    assert.equal(wantsBusyLine(JSON.stringify(outbound)), false);
  });

  it('is due once the grace is over only if no worker took the call and nobody plays it yet', () => {
    assert.equal(busyLineDue(JSON.stringify({ tenant: 'riverside', busy: true }), 0), true);
    assert.equal(busyLineDue(JSON.stringify({ tenant: 'riverside', busy: true, taken: true }), 0), false);
    assert.equal(busyLineDue(JSON.stringify({ tenant: 'riverside', busy: true, busyLine: true }), 0), false);
  });

  it('a worker plays a few at once at most; beyond that the phone rings on', () => {
    const room = JSON.stringify({ tenant: 'riverside', busy: true });
    assert.equal(busyLineDue(room, MAX_BUSY_LINES - 1), true);
    assert.equal(busyLineDue(room, MAX_BUSY_LINES), false);
  });
});

describe('two workers', () => {
  /** LiveKit's JobRequest loop (livekit-server 1.13 agentservice.go): each worker in turn until one accepts */
  function offer(workers: JobAdmission[], jobId: string, order: number[]): number | undefined {
    for (const w of order) if (workers[w]!.request(jobId).accept) return w;
    return undefined;
  }

  it('never take more calls together than their lines, and a job (one per room) goes to one worker only', () => {
    const workers = [new JobAdmission(2, new ManualClock()), new JobAdmission(2, new ManualClock())];
    // ten rooms at once, each offered first to whichever worker LiveKit's weighted pick names
    const takenBy = Array.from({ length: 10 }, (_, i) => offer(workers, `room${i}-job`, i % 3 ? [0, 1] : [1, 0]));
    assert.equal(takenBy.filter((w) => w !== undefined).length, 4);
    assert.deepEqual(
      workers.map((w) => w.active),
      [2, 2],
    );
    // LiveKit repeats a request to the worker that holds it (a reconnect): still one place, one worker
    const held = takenBy.findIndex((w) => w !== undefined);
    assert.equal(workers[takenBy[held]!]!.request(`room${held}-job`).accept, true);
    assert.deepEqual(
      workers.map((w) => w.active),
      [2, 2],
    );
  });
});
