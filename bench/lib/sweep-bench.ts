/**
 * The bench's timing sweep (`npm run bench`, alone with `--only sweep`): the whole-stack sweep of
 * test/timing-sweep.test.ts, measured. The caller starts at every offset of issue 10 around the end
 * of her greeting and of her answer; each figure is the caller's last word → her answer's first
 * audio at the caller. Offline engines, as `npm start` runs with no keys, with the agent's own
 * settings (nothing bench-only). Offsets are taken round by round, so a busy moment on the machine
 * falls on all of them alike.
 */
import { SimCaller } from '../../test/support/sim-caller.ts';
import {
  CALIBRATION_CALLS,
  SWEEP_OFFSETS_MS,
  calibrateCalls,
  describeResult,
  sweepCall,
  sweepScript,
  type Around,
  type Calibration,
  type OnsetResult,
} from '../../test/support/onset-sweep.ts';
import { startBenchStack } from './bench-stack.ts';
import { percentiles, type Percentiles } from './stats.ts';

export interface SweepOffsetFigures {
  offset_ms: number;
  /** caller's last word → her first audio, per case */
  greeting_ms: Percentiles;
  answer_ms: Percentiles;
  /** onsets that got no answer: nothing within the wait, or a reply that was not the answer (a resumed line) */
  unanswered: number;
}

export interface SweepFigures {
  engines: 'offline';
  calls_per_offset: number;
  offsets: SweepOffsetFigures[];
  /** the slowest answer of the whole sweep (null: none came); unanswered onsets are counted apart */
  worst_ms: number | null;
  unanswered: number;
  /** her utterances' lengths at the caller, which place the onsets (the shortest of the calibration calls) */
  calibration: { greeting_ms: number; answer_ms: number };
  /**
   * her measured end − the predicted one, where the caller started
   * after she had finished: how exactly onsets were placed
   */
  end_prediction_error_ms: Percentiles;
  samples: Record<string, { greeting: number[]; answer: number[] }>;
  problems: string[];
  measured_at: string;
}

export async function runSweepBench(
  callsPerOffset: number,
  log: (line: string) => void = console.log,
): Promise<SweepFigures> {
  const { stack, apiKey, apiSecret, warmed } = await startBenchStack({
    name: 'bench-sweep',
    agentEnv: { LOG_LEVEL: process.env.BENCH_AGENT_LOG_LEVEL ?? 'info' },
  });
  const results: OnsetResult[] = [];
  const problems: string[] = [];
  let calls = 0;
  const join = async (tag: string) => {
    // each call takes the warm job process; wait for its replacement so every call starts alike
    await warmed(++calls);
    return SimCaller.join({
      url: stack.livekitUrl,
      apiKey,
      apiSecret,
      room: `bench-sweep-${tag}-${Date.now()}`,
      publishMic: true,
    });
  };
  try {
    const script = await sweepScript();
    const { cal } = await calibrateCalls(
      script,
      () => join('calibration'),
      (c) => c.leave(),
      (k, i) =>
        log(
          `  sweep calibration ${i + 1}/${CALIBRATION_CALLS}: greeting ` +
            `${Math.round(k.greetingMs)} ms, answer ${Math.round(k.answerMs)} ms at the caller`,
        ),
    );
    for (let round = 0; round < callsPerOffset; round++) {
      for (const offsetMs of SWEEP_OFFSETS_MS) {
        const c = await join(String(offsetMs));
        try {
          const rs = await sweepCall(c, script, cal, offsetMs);
          results.push(...rs);
          for (const r of rs) {
            log(`  sweep ${round + 1}/${callsPerOffset}: ${describeResult(r)}`);
            if (r.problem) problems.push(describeResult(r));
          }
          if (rs.length < 2)
            problems.push(`answer ${offsetMs} ms, round ${round + 1}: not reached (no answer to the first question)`);
        } catch (e) {
          problems.push(`offset ${offsetMs} ms, round ${round + 1}: ${String(e)}`);
          log(`  sweep ${round + 1}/${callsPerOffset}: offset ${offsetMs} ms failed: ${String(e)}`);
        } finally {
          await c.leave();
        }
      }
    }
    return summarize(results, cal, callsPerOffset, problems);
  } finally {
    await stack.stop();
  }
}

function summarize(results: OnsetResult[], cal: Calibration, callsPerOffset: number, problems: string[]): SweepFigures {
  // a reply that was not the answer (she resumed her greeting first) is not an answer time
  const answered = (offsetMs: number, around: Around) =>
    results.flatMap((r) =>
      r.offsetMs === offsetMs && r.around === around && r.answerMs !== undefined && !r.problem ? [r.answerMs] : [],
    );
  const offsets = SWEEP_OFFSETS_MS.map((offsetMs) => ({
    offset_ms: offsetMs,
    greeting_ms: percentiles(answered(offsetMs, 'greeting')),
    answer_ms: percentiles(answered(offsetMs, 'answer')),
    // a call whose first question went unanswered never reaches its second: both count as unanswered
    unanswered: 2 * callsPerOffset - answered(offsetMs, 'greeting').length - answered(offsetMs, 'answer').length,
  }));
  const all = results.flatMap((r) => (r.answerMs === undefined || r.problem ? [] : [r.answerMs]));
  const seenEnds = results.flatMap((r) =>
    r.voiceStoppedAt !== undefined && r.voiceStoppedAt <= r.onsetAt ? [r.voiceStoppedAt - r.predictedEndAt] : [],
  );
  return {
    engines: 'offline',
    calls_per_offset: callsPerOffset,
    offsets,
    worst_ms: all.length ? Math.round(Math.max(...all)) : null,
    unanswered: offsets.reduce((n, o) => n + o.unanswered, 0),
    calibration: { greeting_ms: Math.round(cal.greetingMs), answer_ms: Math.round(cal.answerMs) },
    end_prediction_error_ms: percentiles(seenEnds),
    samples: Object.fromEntries(
      SWEEP_OFFSETS_MS.map((o) => [
        String(o),
        { greeting: answered(o, 'greeting').map(Math.round), answer: answered(o, 'answer').map(Math.round) },
      ]),
    ),
    problems,
    measured_at: new Date().toISOString(),
  };
}

/** The sweep as a console table. */
export function sweepTable(s: SweepFigures): string[] {
  const cell = (p: Percentiles) => (p.n ? `${p.p50} / ${p.p95} / ${p.p99}`.padStart(20) : '—'.padStart(20));
  const lines = [
    `\nsweep (offline engines, ${s.calls_per_offset} call(s) per offset): caller's ` +
      `last word → her first audio, ms p50 / p95 / p99`,
    `${'onset'.padStart(8)}${'around her greeting'.padStart(22)}` +
      `${'around her answer'.padStart(22)}${'unanswered'.padStart(12)}`,
  ];
  for (const o of s.offsets)
    lines.push(
      `${String(o.offset_ms).padStart(8)}  ${cell(o.greeting_ms)}  ` +
        `${cell(o.answer_ms)}${String(o.unanswered).padStart(12)}`,
    );
  lines.push(
    `worst ${s.worst_ms ?? '—'} ms; unanswered ${s.unanswered}; her end vs prediction (where seen) p50/p95 ` +
      `${s.end_prediction_error_ms.p50}/${s.end_prediction_error_ms.p95} ms, n ${s.end_prediction_error_ms.n}`,
  );
  return lines;
}
