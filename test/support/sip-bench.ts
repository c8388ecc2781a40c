/**
 * Voxanne over the phone leg, timed as the web benchmark times the web leg: the same caller script
 * (bench/lib/caller-script.ts), the same Deepgram and Groq fakes at the customer's provider budget,
 * but the caller is a phone (sipp + RTP through real LiveKit SIP) instead of a WebRTC participant.
 *   node --import tsx test/support/sip-bench.ts [--calls 5]
 * Prints p50/p95 of voice-to-voice, barge-in and greeting, and writes test-artifacts/sip-bench.json.
 */
import { dispose } from '@livekit/rtc-node';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BenchTranscriber } from '../../bench/lib/bench-transcriber.ts';
import { defaultScript, runCall, type CallFigures } from '../../bench/lib/caller-script.ts';
import { percentiles } from '../../bench/lib/stats.ts';
import { ROOT } from '../../scripts/lib/livekit-binary.ts';
import { freeTcpPort, freeUdpPort } from '../../scripts/lib/ports.ts';
import { startStack } from '../../scripts/lib/stack.ts';
import { freeTelephonyPorts } from '../../scripts/lib/telephony.ts';
import { parseProvisionConfig } from '../../sip/src/config.ts';
import { provision } from '../../sip/src/provision.ts';
import { startFakeDeepgram } from '../fakes/deepgram/index.ts';
import { startFakeGroq } from '../fakes/groq/fake-groq.ts';
import type { RecordedRequest } from '../fakes/groq/types.ts';
import type { SimCaller } from './sim-caller.ts';
import { SipCaller } from './sip-caller.ts';

/** as bench/run.ts: STT final 150 ms after speech end, LLM first token 100 ms, TTS first byte 100 ms */
const BUDGET = { endpointingMs: 100, sttFinalMs: 50, llmFirstTokenMs: 100, ttsFirstByteMs: 100 };
const REPLIES: [RegExp, string][] = [
  [/hours/i, "We're open Monday to Wednesday from eight a m to five p m. Thursday we're open until seven. Friday until four, and Saturday mornings."],
  [
    /BBL/i,
    'Our Brazilian butt lift moves fat from the waist or thighs to shape the buttocks. ' +
      'It costs eight thousand to twelve thousand dollars, depending on your plan. ' +
      'Recovery takes about two weeks, and most people go back to desk work after ten days. ' +
      'Every procedure starts with a consultation with one of our board certified surgeons. ' +
      'Would you like the front desk to call you back about a consultation?',
  ],
  [/located/i, "We're at twelve hundred Harbor Boulevard, Suite three hundred, in San Diego."],
];
const answer = (req: RecordedRequest) => ({
  content: REPLIES.find(([re]) => re.test(String(req.messages.at(-1)?.content ?? '')))?.[1] ?? "Sorry, I didn't catch that. Could you say it again?",
});

export async function runSipBench(calls: number, log: (line: string) => void = console.log) {
  const stt = new BenchTranscriber();
  const dg = await startFakeDeepgram({ transcriber: stt, profile: { sttFinalMs: BUDGET.sttFinalMs, ttsFirstByteMs: BUDGET.ttsFirstByteMs, ttsSpeedup: 4 } });
  const groq = await startFakeGroq({ responder: answer, latency: { firstTokenMs: BUDGET.llmFirstTokenMs, tokensPerSecond: 700 } });
  const logFile = join(ROOT, 'test-artifacts', 'sip-bench.log');
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  writeFileSync(logFile, '');
  let warm = 0;
  const warmWaiters = new Set<() => void>();
  const apiKey = 'benchkey';
  const apiSecret = 'voxanne-bench-secret-0123456789abcdef0123';
  const stack = await startStack({
    ports: { livekit: await freeTcpPort(), livekitTcp: await freeTcpPort(), livekitUdp: await freeUdpPort(), web: 0, agentHealth: await freeTcpPort() },
    apiKey,
    apiSecret,
    webMode: 'static',
    web: false,
    telephony: await freeTelephonyPorts(),
    agentEnv: {
      DEEPGRAM_API_KEY: dg.apiKey,
      DEEPGRAM_BASE_URL: dg.url,
      DEEPGRAM_ENDPOINTING_MS: String(BUDGET.endpointingMs),
      GROQ_API_KEY: groq.apiKey,
      GROQ_BASE_URL: groq.baseURL,
      LOG_LEVEL: 'info',
    },
    log: (source, line) => {
      appendFileSync(logFile, `${source.padEnd(8)} ${line}\n`);
      if (source === 'agent' && /engines ready/.test(line)) {
        warm++;
        for (const w of [...warmWaiters]) w();
      }
    },
  });
  const figures: (CallFigures & { answerToGreetingMs?: number; inviteToGreetingMs?: number })[] = [];
  try {
    const clinic = '+15550100200';
    await provision(parseProvisionConfig({ LIVEKIT_URL: stack.livekitUrl, LIVEKIT_API_KEY: apiKey, LIVEKIT_API_SECRET: apiSecret, SIP_NUMBERS: clinic, SIP_ALLOWED_ADDRESSES: '127.0.0.1/32' }), {
      dryRun: false,
      log: () => {},
    });
    const script = await defaultScript();
    for (let i = 0; i < calls; i++) {
      // each call takes the warm job process; wait for its replacement so every call starts alike
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no warm job process for call ${i + 1}`)), 90_000);
        const check = () => {
          if (warm < i + 1) return;
          clearTimeout(timer);
          warmWaiters.delete(check);
          resolve();
        };
        warmWaiters.add(check);
        check();
      });
      const c = await SipCaller.dial({ target: stack.sipAddress!, to: clinic, from: `+1555123${String(4000 + i)}` });
      try {
        // the script reads only the measuring surface SipCaller shares with SimCaller
        const f = await runCall(c as unknown as SimCaller, stt, script);
        const greetingAt = c.firstAudibleAfter(c.invitedAtMs);
        figures.push({ ...f, ...(greetingAt ? { inviteToGreetingMs: greetingAt - c.invitedAtMs } : {}) });
        log(`  sip call ${i + 1}/${calls}: greeting ${Math.round(f.greetingMs ?? NaN)} ms after the answer (${Math.round(greetingAt ? greetingAt - c.invitedAtMs : NaN)} ms after the INVITE), v2v ${f.v2vMs.map(Math.round).join('/')} ms, barge-in ${f.bargeInMs.map(Math.round).join('/')} ms${f.problems.length ? `, ${f.problems.join('; ')}` : ''}`);
      } catch (e) {
        figures.push({ v2vMs: [], bargeInMs: [], problems: [String(e)] });
        log(`  sip call ${i + 1}/${calls}: failed: ${String(e)}`);
      } finally {
        await c.leave();
      }
    }
  } finally {
    await stack.stop();
    await dg.close();
    await groq.close();
  }
  const result = {
    v2v_ms: percentiles(figures.flatMap((f) => f.v2vMs)),
    barge_in_ms: percentiles(figures.flatMap((f) => f.bargeInMs)),
    greeting_after_answer_ms: percentiles(figures.flatMap((f) => (f.greetingMs === undefined ? [] : [f.greetingMs]))),
    greeting_after_invite_ms: percentiles(figures.flatMap((f) => (f.inviteToGreetingMs === undefined ? [] : [f.inviteToGreetingMs]))),
    problems: figures.flatMap((f) => f.problems),
    calls,
    provider_budget: BUDGET,
    measured_at: new Date().toISOString(),
  };
  return result;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { values } = parseArgs({ options: { calls: { type: 'string', default: '5' } } });
  const r = await runSipBench(Number(values.calls));
  await dispose();
  for (const k of ['v2v_ms', 'barge_in_ms', 'greeting_after_answer_ms', 'greeting_after_invite_ms'] as const) {
    const s = r[k];
    console.log(`${k.padEnd(26)} p50 ${String(s.p50).padStart(5)}  p95 ${String(s.p95).padStart(5)}  n ${s.n}`);
  }
  for (const p of r.problems) console.log(`problem: ${p}`);
  writeFileSync(join(ROOT, 'test-artifacts', 'sip-bench.json'), `${JSON.stringify(r, null, 2)}\n`);
  console.log('wrote test-artifacts/sip-bench.json');
}
