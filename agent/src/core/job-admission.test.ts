import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { JobAdmission, UNLAUNCHED_JOB_TIMEOUT_MS } from './job-admission.ts';

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
