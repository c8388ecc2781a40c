/**
 * Voxanne over the phone leg (`npm run bench -- --sip`), timed as the web benchmark times the web leg:
 * the same caller script (caller-script.ts), the same Deepgram and Groq fakes at the customer's provider
 * budget, but the caller is a phone (sipp + RTP through real LiveKit SIP) instead of a WebRTC
 * participant. Greeting is timed from the answer (200 OK), and also from the INVITE.
 */
import { BENCH_CLINIC_NUMBER, startBenchStack } from './bench-stack.ts';
import type { BenchTranscriber } from './bench-transcriber.ts';
import { defaultScript, runCall, type CallFigures } from './caller-script.ts';
import { percentiles } from './stats.ts';
import type { AgentTimeline } from './timeline.ts';
import type { SimCaller } from '../../test/support/sim-caller.ts';
import { SipCaller } from '../../test/support/sip-caller.ts';

/** `agentEnv` points the agent at the benchmark's fakes; `stt` is the STT fake's transcriber (it knows the script). */
export async function runSipBench(
  calls: number,
  stt: BenchTranscriber,
  agentEnv: NodeJS.ProcessEnv,
  log: (line: string) => void = console.log,
  timeline?: AgentTimeline,
) {
  const { stack, warmed } = await startBenchStack({
    name: 'bench-sip',
    telephony: true,
    agentEnv,
    onLine: (source, line) => source === 'agent' && timeline?.onLine(line),
  });
  const figures: (CallFigures & { inviteToGreetingMs?: number })[] = [];
  try {
    const script = await defaultScript();
    for (let i = 0; i < calls; i++) {
      // each call takes the warm job process; wait for its replacement so every call starts alike
      await warmed(i + 1);
      const c = await SipCaller.dial({
        target: stack.sipAddress!,
        to: BENCH_CLINIC_NUMBER,
        from: `+1555123${String(4000 + i)}`,
      });
      try {
        // the script reads only the measuring surface SipCaller shares with SimCaller
        const f = await runCall(c as unknown as SimCaller, stt, script, i);
        const greetingAt = c.firstAudibleAfter(c.invitedAtMs);
        figures.push({ ...f, ...(greetingAt ? { inviteToGreetingMs: greetingAt - c.invitedAtMs } : {}) });
        log(
          `  sip call ${i + 1}/${calls}: greeting ${Math.round(f.greetingMs ?? NaN)} ms ` +
            `after the answer (${Math.round(greetingAt ? greetingAt - c.invitedAtMs : NaN)} ` +
            `ms after the INVITE), v2v ${f.v2vMs.map(Math.round).join('/')} ms, barge-in ` +
            `${f.bargeInMs.map(Math.round).join('/')} ms${f.problems.length ? `, ${f.problems.join('; ')}` : ''}`,
        );
      } catch (e) {
        figures.push({ v2vMs: [], bargeInMs: [], problems: [String(e)] });
        log(`  sip call ${i + 1}/${calls}: failed: ${String(e)}`);
      } finally {
        await c.leave();
      }
    }
  } finally {
    await stack.stop();
  }
  return {
    figures,
    /** the run's greeting is timed from the answer (200 OK); this is from the INVITE, ringing included */
    greeting_after_invite_ms: percentiles(
      figures.flatMap((f) => (f.inviteToGreetingMs === undefined ? [] : [f.inviteToGreetingMs])),
    ),
  };
}
