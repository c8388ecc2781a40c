// Benchmark of the embedded flite TTS: time to first audio of the streaming TTS and real-time factor.
//   cd /work/main && node --import tsx agent/bench/tts-bench.ts [--voice slt] [--rounds 3]
// Time to first audio = from the first pushText() of a reply to its first 20 ms frame leaving the
// stream (48 kHz). RTF = compute time / audio duration (lower is faster; 0.05 = 20x real time).
import { initializeLogger, tts } from '@livekit/agents';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { FLITE_VOICES, type FliteVoice, sharedFlitePool } from '../src/engines/flite/flite-pool.ts';
import { FliteTTS } from '../src/engines/flite/flite-tts.ts';
import { synthesize } from '../src/engines/flite/synthesize.ts';

const REPLIES = [
  'Thank you for calling Riverside Family Clinic, this is Voxanne. How can I help you today?',
  'Sure, I can help you book an appointment.',
  'Could I have your full name, please?',
  'And what is your date of birth?',
  'Thank you. Which doctor would you like to see?',
  'Dr. Patel has openings on Tuesday at nine thirty and Thursday at two fifteen.',
  'Great, I have booked you with Dr. Patel on Thursday at two fifteen in the afternoon.',
  'You will receive a text message confirming the appointment.',
  'Our clinic is open Monday to Friday from eight in the morning until six in the evening.',
  'We are closed on weekends and public holidays.',
  'Parking is free in the lot behind the building.',
  'Please bring your insurance card and a photo ID to your first visit.',
  'I am sorry, I did not quite catch that. Could you say it again?',
  'If this is a medical emergency, please hang up and call nine one one.',
  'I can move your appointment to next Monday at ten. Does that work for you?',
  'Your appointment on Friday has been cancelled.',
  'A nurse will call you back within one business day.',
  'Is there anything else I can help you with?',
  'The clinic is located at 42 Harbor Street, on the second floor.',
  'Thank you for calling, have a great day!',
];

function percentile(sorted: number[], p: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

function summary(name: string, values: number[], unit: string, digits = 1): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(digits);
  return (
    `${name.padEnd(34)} n=${String(s.length).padStart(3)}  p50 ` +
    `${f(percentile(s, 50))}  p95 ${f(percentile(s, 95))}  p99 ${f(percentile(s, 99))}  max ${f(s.at(-1)!)} ${unit}`
  );
}

/** Streams a reply word by word (like LLM deltas) and times it. */
async function streamReply(
  engine: FliteTTS,
  text: string,
): Promise<{ firstAudioMs: number; totalMs: number; audioMs: number }> {
  const stream = engine.stream();
  const t0 = performance.now();
  for (const word of text.split(/(?<= )/)) stream.pushText(word);
  stream.endInput();
  let firstAudioMs = -1;
  let audioMs = 0;
  for await (const a of stream) {
    if (a === tts.SynthesizeStream.END_OF_STREAM) break;
    if (firstAudioMs < 0) firstAudioMs = performance.now() - t0;
    audioMs += (a.frame.samplesPerChannel / a.frame.sampleRate) * 1000;
  }
  stream.close();
  return { firstAudioMs, totalMs: performance.now() - t0, audioMs };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { voice: { type: 'string', default: 'slt' }, rounds: { type: 'string', default: '3' } },
  });
  const voice = values.voice as FliteVoice;
  if (!FLITE_VOICES.includes(voice)) throw new Error(`unknown voice ${values.voice}`);
  const rounds = Number(values.rounds);
  initializeLogger({ pretty: false, level: 'warn' });

  const coldStart = performance.now();
  await synthesize('Hello.', { voice });
  const coldMs = performance.now() - coldStart;

  // raw engine: flite in the worker, at its native rate, one sentence per call
  const rawRtf: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const text of REPLIES) {
      const t = performance.now();
      const { samples, sampleRate } = await synthesize(text, { voice });
      rawRtf.push((performance.now() - t) / ((samples.length / sampleRate) * 1000));
    }
  }

  const engine = new FliteTTS({ voice });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  const ttfa: number[] = [];
  const pipelineRtf: number[] = [];
  let audioTotalMs = 0;
  let wallTotalMs = 0;
  loop.enable();
  for (let r = 0; r < rounds; r++) {
    for (const text of REPLIES) {
      const res = await streamReply(engine, text);
      ttfa.push(res.firstAudioMs);
      pipelineRtf.push(res.totalMs / res.audioMs);
      audioTotalMs += res.audioMs;
      wallTotalMs += res.totalMs;
    }
  }
  loop.disable();

  console.log(`flite ${voice}: ${REPLIES.length} receptionist replies x ${rounds} rounds, Node ${process.version}`);
  console.log(`cold start (compile wasm + start worker + first synthesis): ${coldMs.toFixed(0)} ms`);
  console.log(summary('time to first audio (stream, 48k)', ttfa, 'ms'));
  console.log(summary('RTF flite only (native rate)', rawRtf, '', 3));
  console.log(summary('RTF stream incl. resample to 48k', pipelineRtf, '', 3));
  console.log(
    `overall: ${(audioTotalMs / 1000).toFixed(1)} s of audio in ${(wallTotalMs / 1000).toFixed(2)} s -> RTF ` +
      `${(wallTotalMs / audioTotalMs).toFixed(3)} (${(audioTotalMs / wallTotalMs).toFixed(1)}x real time)`,
  );
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `caller event-loop delay while streaming: p50 ${ms(loop.percentile(50))}  p99 ` +
      `${ms(loop.percentile(99))}  max ${ms(loop.max)} ms`,
  );
  await sharedFlitePool().close();
}

await main();
