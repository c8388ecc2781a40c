import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from './clock.ts';
import {
  busyLineDue,
  JobAdmission,
  jobKindOf,
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
    assert.deepEqual(answers[4], { accept: false, active: 4, max: 4, standbys: [] });
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

describe('standby calls and lines', () => {
  const full = (d: ReturnType<JobAdmission['request']>) => {
    assert.equal(d.accept, false);
    return d as Extract<typeof d, { accept: false }>;
  };

  it('a room is a standby only while it is unclaimed', () => {
    assert.equal(jobKindOf(JSON.stringify({ channel: 'web', standby: true })), 'standby');
    assert.equal(jobKindOf(JSON.stringify({ channel: 'web', standby: true, claimed: true })), 'call');
    assert.equal(jobKindOf(JSON.stringify({ channel: 'web' })), 'call');
    assert.equal(jobKindOf(undefined), 'call');
  });

  it('a call that finds every line taken is offered the standbys, oldest first; a standby is offered none', () => {
    const clock = new ManualClock();
    const a = new JobAdmission(3, clock);
    a.request('s-old', 'standby', 'room-old');
    clock.advance(1000);
    a.request('c1', 'call', 'room-c1');
    clock.advance(1000);
    a.request('s-new', 'standby', 'room-new');
    assert.deepEqual(full(a.request('sip', 'call', 'room-sip')).standbys, [
      { jobId: 's-old', room: 'room-old' },
      { jobId: 's-new', room: 'room-new' },
    ]);
    assert.deepEqual(full(a.request('s3', 'standby', 'room-s3')).standbys, []);
  });

  it('ending a standby frees its line at once for the call, before its process has exited', () => {
    const a = new JobAdmission(1, new ManualClock());
    a.request('s1', 'standby', 'room-s1');
    a.launched('s1');
    const d = full(a.request('sip', 'call'));
    assert.equal(a.evicted(d.standbys[0]!.jobId), true);
    assert.deepEqual(a.request('sip', 'call'), { accept: true });
    assert.equal(a.active, 1);
    // its process exits later: the place it held is not given back twice
    assert.equal(a.ended('s1'), false);
    assert.equal(a.active, 1);
  });

  it('a call is never ended for another: evicted refuses it, and a claimed standby becomes a call', () => {
    const a = new JobAdmission(2, new ManualClock());
    a.request('c1', 'call');
    a.request('s1', 'standby', 'room-s1');
    assert.equal(a.evicted('c1'), false);
    assert.deepEqual([a.active, a.calls], [2, 1]);
    a.claimed('s1');
    assert.equal(a.calls, 2);
    assert.equal(a.evicted('s1'), false);
    assert.deepEqual(full(a.request('sip', 'call')).standbys, []);
    assert.equal(a.active, 2);
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
