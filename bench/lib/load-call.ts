/**
 * One call of the load generator, as one caller makes it: a web caller (SimCaller, a LiveKit
 * participant) or a phone caller (SipCaller, sipp with RTP) runs the benchmark's script
 * (caller-script.ts) and, with a hold, keeps asking short questions until the hold is over. It runs
 * in the load generator's own process or in one of its caller processes (load-shard.ts): what it
 * tells the STT fake goes through a CallLine, which is the routing itself (load-routing.ts) or a
 * stand-in for it over the process's IPC channel (load-shards.ts).
 */
import { randomBytes } from 'node:crypto';
import { SimCaller } from '../../test/support/sim-caller.ts';
import { SipCaller } from '../../test/support/sip-caller.ts';
import { BENCH_CLINIC_NUMBER } from './bench-stack.ts';
import type { TimedPart } from './bench-transcriber.ts';
import { runCall, type CallFigures, type Script, type ScriptTranscriber } from './caller-script.ts';
import { noFigures } from './load-shards.ts';

export interface LoadCall extends CallFigures {
  channel: 'web' | 'sip';
  /** the caller never heard the greeting (no agent, or the call could not be placed) */
  dropped: boolean;
  /** the script stopped early (a wait timed out or the call failed) */
  failed: boolean;
  /** utterances the caller said, and how many of them she answered */
  said: number;
  answered: number;
  /** how often the STT connection of this call was (re)bound: above 1, her agent reconnected */
  sttBindings: number;
}

/** Where the callers call: the stack's LiveKit (web callers) and LiveKit SIP (phone callers). */
export interface CallTarget {
  livekitUrl: string;
  apiKey: string;
  apiSecret: string;
  sipAddress?: string;
}

/** What one call does: its number in the step, its channel, how long it holds, and whether it runs the short script. */
export interface CallSpec {
  i: number;
  channel: 'web' | 'sip';
  holdMs: number;
  /** 'short': the caller hears the greeting and asks one question (the smoke run in npm test) */
  short: boolean;
}

/** A caller's line to the STT fake: before each utterance `ready`, then what she is about to say. */
export interface CallLine {
  ready(): Promise<void>;
  expectParts(parts: TimedPart[]): void;
  /** the call is over: gives back a claim still held; resolves with how often a connection was bound to her */
  done(): Promise<number>;
}

/** Counts what the caller said, around the line that routes her STT. */
class CountingLine implements ScriptTranscriber {
  said = 0;
  constructor(readonly line: CallLine) {}
  async ready(): Promise<void> {
    await this.line.ready();
    this.said++;
  }
  expect(text: string, onsetMs = 0, endMs = 0): void {
    this.line.expectParts([{ text, onsetMs, endMs }]);
  }
  expectParts(parts: TimedPart[]): void {
    this.line.expectParts(parts);
  }
}

/** One call: the benchmark's script, then short questions until the hold is over. */
export async function oneCall(
  spec: CallSpec,
  target: CallTarget,
  callLine: CallLine,
  script: Script,
): Promise<LoadCall> {
  const { i, channel, holdMs, short } = spec;
  const line = new CountingLine(callLine);
  const started = performance.now();
  let c: SimCaller | SipCaller | undefined;
  const out: LoadCall = noFigures(channel);
  try {
    c =
      channel === 'web'
        ? await SimCaller.join({
            url: target.livekitUrl,
            apiKey: target.apiKey,
            apiSecret: target.apiSecret,
            room: `load-${i}-${randomBytes(6).toString('hex')}`,
            publishMic: true,
          })
        : await SipCaller.dial({
            target: target.sipAddress!,
            to: BENCH_CLINIC_NUMBER,
            from: `+1555123${String(4000 + (i % 6000))}`,
          });
    const caller = c as SimCaller; // the script reads only the measuring surface both callers share
    try {
      if (short) {
        await caller.waitFor(() => caller.firstAudibleAfter(caller.joinedAtMs) !== undefined, 15_000, 'the greeting');
        out.greetingMs = caller.firstAudibleAfter(caller.joinedAtMs)! - caller.joinedAtMs;
        await caller.waitQuiet(800, 30_000);
      } else await runCall(caller, line, script, i, undefined, out);
      while (performance.now() - started < holdMs || (short && out.v2vMs.length === 0)) {
        await line.ready();
        line.expect(script.question.text, script.question.onsetMs, script.question.endMs);
        const at = performance.now();
        await caller.play(script.question.pcm);
        const end = at + script.question.endMs;
        await caller.waitFor(() => caller.firstAudibleAfter(end) !== undefined, 15_000, 'an answer (hold)');
        out.v2vMs.push(caller.firstAudibleAfter(end)! - end);
        await caller.waitQuiet(1000, 30_000);
      }
    } catch (e) {
      out.failed = true;
      out.problems.push(String(e));
    }
  } catch (e) {
    out.failed = true;
    out.problems.push(`could not place the call: ${String(e)}`);
  } finally {
    out.sttBindings = await callLine.done();
    await c?.leave().catch(() => undefined);
  }
  out.dropped = out.greetingMs === undefined;
  out.said = line.said;
  // every utterance but the interruption's own (its answer is counted as the v2v after it) gets one answer
  out.answered = out.v2vMs.length + (out.hesitant ?? []).length;
  return out;
}
