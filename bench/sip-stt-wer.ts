/**
 * Word error rate of the offline recogniser on the real phone path: flite speech as 8 kHz μ-law RTP
 * into LiveKit SIP, through the room to the agent (phone-band fill on), transcripts read from the
 * agent's log. One call (or one per utterance with --fresh); after each utterance it waits for her answer to finish.
 *   npm run bench:sip-stt [-- --count 20]
 *   npm run bench:sip-stt -- --say "can i speak to a person" --runs 10   (one phrase, said N times in a call;
 *     also counts the runs whose transcript asks for a person, as the hand-over rule reads it)
 *   --voice rms   (a flite voice: slt, the one the SIP tests speak in, by default; rms, awb, kal)
 *   --fresh       (each utterance in a call of its own, as the call's first words after her greeting, as the
 *     SIP tests' callers speak; without it, one call says them all in turn)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { encodeMulaw } from '@voxanne/contracts/g711';
import { resample } from '../agent/src/core/audio/resample.ts';
import { PHONE_UTTERANCES } from '../agent/bench/utterances.ts';
import { aggregateWer, wordErrorRate } from '../agent/src/core/wer.ts';
import { asksForPerson } from '../agent/src/core/receptionist/understand.ts';
import { FLITE_VOICES, type FliteVoice, synthesize } from '../agent/src/engines/flite/index.ts';
import { ROOT } from '../scripts/lib/livekit-binary.ts';
import { SipCaller } from '../test/support/sip-caller.ts';
import { BENCH_CLINIC_NUMBER, startBenchStack } from './lib/bench-stack.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20' },
    say: { type: 'string' },
    runs: { type: 'string', default: '10' },
    voice: { type: 'string', default: 'slt' },
    fresh: { type: 'boolean', default: false },
  },
});
const voice = values.voice as FliteVoice;
if (!FLITE_VOICES.includes(voice)) throw new Error(`--voice: one of ${FLITE_VOICES.join(', ')}`);
const list = values.say
  ? Array.from({ length: Number(values.runs) }, () => values.say!)
  : PHONE_UTTERANCES.slice(0, Number(values.count));
const said: string[] = [];
const waiters = new Set<() => void>();
const { stack } = await startBenchStack({
  name: 'sip-stt-wer',
  telephony: true,
  // what she heard is in "caller said" (debug level, its words under pii: kept with LOG_PII=1)
  agentEnv: { LOG_LEVEL: 'debug', LOG_PII: '1' },
  onLine: (source, line) => {
    if (source === 'agent' && line.includes('"msg":"caller said"')) {
      said.push(String(JSON.parse(line).pii?.text ?? ''));
      for (const w of [...waiters]) w();
    }
  },
});
const rows: { reference: string; hypothesis: string }[] = [];

/** Plays `text` in the caller's voice and records what she heard; then waits for her answer to finish. */
async function say(c: SipCaller, text: string): Promise<void> {
  const { samples, sampleRate } = await synthesize(text, { voice });
  const before = said.length;
  await c.phone.play(Buffer.from(encodeMulaw(resample(samples, sampleRate, 8000))));
  // her transcript of it, then her answer to finish (a missing final counts as nothing heard)
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, 8000);
    function done() {
      clearTimeout(timer);
      waiters.delete(check);
      resolve();
    }
    const check = () => {
      if (said.length > before) done();
    };
    waiters.add(check);
    check();
  });
  await c.waitQuiet(1200, 60_000);
  const hypothesis = said.slice(before).join(' ');
  rows.push({ reference: text, hypothesis });
  console.log(`  "${text}" → "${hypothesis}"`);
}

/** One call: her greeting, then each of `texts` in turn. */
async function call(texts: readonly string[]): Promise<void> {
  const c = await SipCaller.dial({ target: stack.sipAddress!, to: BENCH_CLINIC_NUMBER, from: '+15551234567' });
  try {
    await c.waitFor(() => c.audibleMs() > 500, 30_000, 'the greeting');
    await c.waitQuiet(1000, 30_000);
    for (const text of texts) await say(c, text);
  } finally {
    await c.leave();
  }
}

try {
  if (values.fresh) for (const text of list) await call([text]);
  else await call(list);
} finally {
  await stack.stop();
}
const wer = aggregateWer(rows.map((r) => wordErrorRate(r.reference, r.hypothesis)));
console.log(
  `\nphone path (RTP μ-law → LiveKit SIP → agent, phone-band fill): WER ` +
    `${(wer * 100).toFixed(1)}% over ${rows.length} utterances (flite ${voice}, ` +
    `${values.fresh ? "each a call's first words" : 'one call'})`,
);
const exact = rows.filter((r) => wordErrorRate(r.reference, r.hypothesis).wer === 0).length;
const handedOver = rows.filter((r) => asksForPerson(r.hypothesis)).length;
if (values.say)
  console.log(
    `"${values.say}": heard word for word ${exact} of ${rows.length}, ` +
      `asks for a person ${handedOver} of ${rows.length}`,
  );
writeFileSync(
  join(ROOT, 'test-artifacts', values.say ? 'sip-stt-say.json' : 'sip-stt-wer.json'),
  `${JSON.stringify(
    { voice, fresh: values.fresh, wer, exact, handedOver, rows, measured_at: new Date().toISOString() },
    null,
    2,
  )}\n`,
);
process.exit(0);
