/**
 * The caller's timing sweep on the whole stack (issue 10, point 4): a real livekit-server, the agent
 * worker with the offline engines, and a caller who starts talking at every offset of the issue around
 * the end of her greeting and around the end of her answer. Every offset must get an answer within
 * ANSWER_BOUND_MS of the caller's last word: she never goes silent on a caller, whenever the caller
 * starts. One stack for the file, one call per offset (the greeting case, then the answer case).
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { dispose } from '@livekit/rtc-node';
import { SimCaller } from './support/sim-caller.ts';
import {
  ANSWER_BOUND_MS,
  SWEEP_OFFSETS_MS,
  calibrateCalls,
  describeResult,
  sweepCall,
  sweepScript,
  type Calibration,
  type OnsetResult,
  type SweepScript,
} from './support/onset-sweep.ts';
import { startTestStack, type TestStack } from './support/test-stack.ts';

let stack: TestStack;
let script: SweepScript;
let cal: Calibration;
const calibrations: Calibration[] = [];
let calls = 0;
/** how far her measured end may be from the predicted one where she was not talked over */
const PREDICTION_TOLERANCE_MS = 250;
/** how far off a timer may put the caller's onset on a busy 2-core machine (seen: 74 ms at a load of 15) */
const ONSET_SLACK_MS = 100;
/** what the sweep placed, for the closing check of its own accuracy */
const placed: OnsetResult[] = [];
const callers = new Set<SimCaller>();

/** a call per warm job process, so every call starts alike (the agent warms the next one meanwhile) */
async function newCall(tag: string): Promise<SimCaller> {
  calls++;
  await warmProcesses(calls, 90_000);
  const c = await SimCaller.join({
    url: stack.livekitUrl,
    apiKey: stack.apiKey,
    apiSecret: stack.apiSecret,
    room: `sweep-${tag}-${Math.random().toString(36).slice(2, 8)}`,
    publishMic: true,
  });
  callers.add(c);
  return c;
}

function warmProcesses(n: number, timeoutMs: number): Promise<void> {
  const warm = () => stack.lines.filter((l) => l.source === 'agent' && l.line.includes('"msg":"engines ready"')).length;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (warm() < n) return;
      clearTimeout(timer);
      stack.watchers.delete(check);
      resolve();
    };
    const timer = setTimeout(() => {
      stack.watchers.delete(check);
      reject(new Error(`no warm job process for call ${n} within ${timeoutMs} ms (see ${stack.logFile})`));
    }, timeoutMs);
    stack.watchers.add(check);
    check();
  });
}

async function hangUp(c: SimCaller): Promise<void> {
  callers.delete(c);
  await c.leave();
}

beforeAll(async () => {
  [stack, script] = await Promise.all([startTestStack('timing-sweep'), sweepScript()]);
  const calibrated = await calibrateCalls(script, () => newCall('calibration'), hangUp);
  calibrations.push(...calibrated.all);
  cal = calibrated.cal;
});

afterAll(async () => {
  await Promise.allSettled([...callers].map((c) => c.leave()));
  await stack?.stop();
  await dispose();
});

test('calibration: her greeting and her first answer have a measurable length at the caller', () => {
  for (const k of calibrations)
    console.log(`calibration call: greeting ${Math.round(k.greetingMs)} ms, answer ${Math.round(k.answerMs)} ms`);
  console.log(
    `taken: greeting ${Math.round(cal.greetingMs)} ms, answer ${Math.round(cal.answerMs)} ms ("${cal.answerStart}")`,
  );
  // the sweep places onsets up to 1500 ms before her end, inside the utterance
  assert.ok(cal.greetingMs > 1500, `greeting lasts ${cal.greetingMs} ms`);
  assert.ok(cal.answerMs > 1500, `answer lasts ${cal.answerMs} ms`);
});

for (const offsetMs of SWEEP_OFFSETS_MS) {
  test(`onset ${offsetMs} ms from the end of her greeting and answer: answered in ${ANSWER_BOUND_MS} ms`, async () => {
    // The onset is placed by a timer on this (possibly loaded) machine; a call whose onset landed more than
    // ONSET_SLACK_MS from its aim tested another offset, so it is placed again in a new call (once).
    for (let attempt = 1; ; attempt++) {
      const c = await newCall(`${offsetMs}-${attempt}`);
      try {
        const results = await sweepCall(c, script, cal, offsetMs);
        for (const r of results) console.log(describeResult(r));
        console.log(`states ${c.states().join(' > ')}`);
        assert.equal(
          results.length,
          2,
          `both the greeting and the answer case ran: ${results.map(describeResult).join(' | ')}`,
        );
        // she must answer wherever the onset landed: a failure is a failure even at a misplaced onset
        for (const r of results) {
          assert.equal(r.problem, undefined, describeResult(r));
          assert.ok(r.answerMs !== undefined && r.answerMs <= ANSWER_BOUND_MS, describeResult(r));
        }
        const missed = results.filter((r) => Math.abs(r.onsetAt - r.predictedEndAt - offsetMs) > ONSET_SLACK_MS);
        if (missed.length && attempt < 2) {
          const at = missed.map((r) => Math.round(r.onsetAt - r.predictedEndAt)).join(', ');
          console.log(`onset missed its aim (${at} ms); placing it again`);
          continue;
        }
        placed.push(...results);
        // the onset really was where it was meant to be, relative to her predicted end (timers, a loaded machine)
        for (const r of results)
          assert.ok(
            Math.abs(r.onsetAt - r.predictedEndAt - offsetMs) <= ONSET_SLACK_MS,
            `onset placed at ${Math.round(r.onsetAt - r.predictedEndAt)} ms for ${offsetMs}`,
          );
        return;
      } finally {
        await hangUp(c);
      }
    }
  });
}

test(`onsets placed as meant: her measured end is within ${PREDICTION_TOLERANCE_MS} ms of the predicted`, () => {
  // Only where the caller started after she had finished can her own end be seen. An onset placed well
  // before her predicted end cuts her short: a quiet run before it is a gap between her sentences (seen on
  // a loaded CI machine: -1836 ms for the -1500 onset), not her end, so those onsets cannot check the aim.
  const seen = placed.filter(
    (r) => r.offsetMs >= -PREDICTION_TOLERANCE_MS && r.voiceStoppedAt !== undefined && r.voiceStoppedAt <= r.onsetAt,
  );
  for (const r of seen)
    console.log(
      `${r.around} ${r.offsetMs}: her end ${Math.round(r.voiceStoppedAt! - r.predictedEndAt)} ms from predicted`,
    );
  assert.ok(seen.length >= 2, `her own end was seen in ${seen.length} cases`);
  for (const r of seen)
    assert.ok(Math.abs(r.voiceStoppedAt! - r.predictedEndAt) <= PREDICTION_TOLERANCE_MS, describeResult(r));
});
