/**
 * Where the greeting's and the barge-in's time goes: the caller's marks (bench process) set beside the
 * agent's own log lines (its pino `time`, epoch ms), one clock on one machine. Splits
 *   greeting: caller joined → the agent sees the caller → the greeting gate opens → her first frame is
 *             written → the first audible frame at the caller;
 *   barge-in: the caller's onset → the agent's duck (inbound path + onset detector) → her audio gone at
 *             the caller (outbound path); and the onset → the VAD's confirmation.
 */
import { percentiles, type Percentiles } from './stats.ts';

/** what the caller saw of one call, epoch ms (performance.timeOrigin + performance.now()) */
export interface CallerMarks {
  joined: number;
  /** the first frame of her track received (silence or not) */
  firstFrame?: number;
  greetingHeard?: number;
  bargeInOnset?: number;
  bargeInStopped?: number;
  end: number;
}

type AgentMark = 'callStarted' | 'greetingStarts' | 'speaking' | 'ducked' | 'bargeIn';

const MESSAGES: Record<string, AgentMark> = {
  'call started': 'callStarted',
  'greeting starts': 'greetingStarts',
  'ducked on a sound onset': 'ducked',
  'barge-in': 'bargeIn',
};

export const epochNow = () => performance.timeOrigin + performance.now();

/** The agent's marks, from its log lines as a stack prints them. */
export class AgentTimeline {
  readonly marks: { what: AgentMark; at: number }[] = [];

  onLine(line: string): void {
    const at = line.indexOf('{');
    if (at < 0 || !line.includes('"msg":"')) return;
    let o: { msg?: string; time?: number; to?: string };
    try {
      o = JSON.parse(line.slice(at)) as typeof o;
    } catch {
      return;
    }
    if (typeof o.time !== 'number' || !o.msg) return;
    const what = o.msg === 'state' && o.to === 'SPEAKING' ? 'speaking' : MESSAGES[o.msg];
    if (what) this.marks.push({ what, at: o.time });
  }

  /** the first mark of a kind in [from, to] */
  first(what: AgentMark, from: number, to: number): number | undefined {
    return this.marks.find((m) => m.what === what && m.at >= from && m.at <= to)?.at;
  }
}

export type Split = Record<string, number>;

/** One call's steps (ms), where both sides left their marks. */
export function splitCall(c: CallerMarks, a: AgentTimeline): { greeting: Split; bargeIn: Split } {
  const greeting: Split = {};
  const called = a.first('callStarted', c.joined - 2000, c.end);
  const gate = called && a.first('greetingStarts', called, c.end);
  const firstOut = gate && a.first('speaking', gate, c.end);
  if (called) greeting.join_to_agent_sees_caller = called - c.joined;
  if (called && gate) greeting.gate = gate - called;
  if (gate && firstOut) greeting.first_frame_out = firstOut - gate;
  if (firstOut && c.greetingHeard) greeting.out_to_heard = c.greetingHeard - firstOut;
  if (c.firstFrame !== undefined) greeting.join_to_first_frame_at_caller = c.firstFrame - c.joined;
  const bargeIn: Split = {};
  if (c.bargeInOnset !== undefined) {
    // the log's ms resolution: a duck logged in the onset's own millisecond is not before it
    const duck = a.first('ducked', c.bargeInOnset - 1, c.bargeInOnset + 1000);
    const vad = a.first('bargeIn', c.bargeInOnset - 1, c.bargeInOnset + 2000);
    if (duck) bargeIn.onset_to_duck = duck - c.bargeInOnset;
    if (duck && c.bargeInStopped) bargeIn.duck_to_silence_at_caller = c.bargeInStopped - duck;
    if (vad) bargeIn.onset_to_vad = vad - c.bargeInOnset;
  }
  return { greeting, bargeIn };
}

/** p50/p95/p99 of each step over the calls */
export function summarizeSplits(splits: Split[]): Record<string, Percentiles> {
  const keys = [...new Set(splits.flatMap((s) => Object.keys(s)))];
  return Object.fromEntries(keys.map((k) => [k, percentiles(splits.flatMap((s) => (k in s ? [s[k]!] : [])))]));
}
