// Integration tests against the real Debian pocketsphinx library, with speech from the project's
// flite engine (agent/src/engines/flite). Audio goes in as 20 ms frames, faster than real time:
// the endpointer runs on the audio clock, so pacing does not change what it decides.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { initializeLogger, stt } from '@livekit/agents';
import { AudioFrame, AudioResampler, dispose } from '@livekit/rtc-node';
import { wordErrorRate } from '../../core/wer.ts';
import { loadKnowledgeBase } from '../../knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { sharedFlitePool, synthesize } from '../flite/index.ts';
import { DEBIAN_POCKETSPHINX, PocketsphinxDecoder } from './decoder.ts';
import {
  buildDomainModel,
  DEFAULT_DOMAIN_WEIGHT,
  DEFAULT_PHONE_DOMAIN_WEIGHT,
  MissingPronunciationError,
  type DomainModel,
} from './domain-model.ts';
import { PocketsphinxSTT } from './pocketsphinx-stt.ts';
import { concatPcm } from '../../core/audio/frames.ts';
import { resample } from '../../core/audio/resample.ts';
import { asksForPerson } from '../../core/receptionist/understand.ts';
import { decodeMulaw, encodeMulaw } from '@voxanne/contracts/g711';

initializeLogger({ pretty: false, level: 'info' });

const RATE = 16000;
let kb: KnowledgeBase;
let cacheDir: string;
let model: DomainModel;

async function speech(text: string, voice: 'slt' | 'rms' | 'awb' = 'slt'): Promise<Int16Array> {
  const s = await synthesize(text, { voice });
  assert.equal(s.sampleRate, RATE);
  return s.samples;
}

function silence(ms: number): Int16Array {
  return new Int16Array((RATE * ms) / 1000);
}

function whiteNoise(ms: number, peak: number): Int16Array {
  const out = new Int16Array((RATE * ms) / 1000);
  let x = 987654321;
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    out[i] = Math.round((x / 2147483648 - 0.5) * 2 * peak);
  }
  return out;
}

function frames(audio: Int16Array, rate = RATE, channels = 1): AudioFrame[] {
  const per = (rate / 50) * channels; // 20 ms
  const out: AudioFrame[] = [];
  for (let i = 0; i < audio.length; i += per) {
    const chunk = audio.slice(i, i + per);
    out.push(new AudioFrame(chunk, rate, channels, chunk.length / channels));
  }
  return out;
}

type Seen = { type: stt.SpeechEventType; text?: string };

/** Streams the audio through a fresh stream and returns every event. */
async function transcribe(
  engine: PocketsphinxSTT,
  audio: Int16Array,
  options?: { phoneBand?: boolean },
): Promise<Seen[]> {
  const stream = engine.stream(options);
  const seen: Seen[] = [];
  const reading = (async () => {
    for await (const ev of stream) seen.push({ type: ev.type, text: ev.alternatives?.[0]?.text });
  })();
  for (const f of frames(audio)) stream.pushFrame(f);
  stream.endInput();
  await reading;
  stream.close();
  return seen;
}

const finals = (seen: Seen[]) =>
  seen.filter((e) => e.type === stt.SpeechEventType.FINAL_TRANSCRIPT).map((e) => e.text ?? '');

beforeAll(async () => {
  kb = await loadKnowledgeBase();
  cacheDir = await mkdtemp(join(tmpdir(), 'voxanne-ps-test-'));
  model = await buildDomainModel(kb, { cacheDir });
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
  await sharedFlitePool().close();
  // rtc-node's native client (used by AudioResampler) keeps the process alive until disposed
  await dispose();
});

describe('buildDomainModel', () => {
  it('writes an ARPA model and dictionary that pocketsphinx loads', async () => {
    assert.ok(model.sentences.includes('what are your opening hours'));
    // services, names and days of the month are classes; a member of several words is one compound
    assert.ok(model.vocabulary.includes('tummy_tuck') && model.vocabulary.includes('tuesday'));
    assert.ok(model.sentences.includes('how much is a [service]'));
    assert.ok(model.classes.ordinal!.includes('twenty_second'));
    assert.deepEqual(model.spelled, ['bbl']);
    const decoder = new PocketsphinxDecoder({
      hmm: '/usr/share/pocketsphinx/model/en-us/en-us',
      lm: model.lmPath,
      dict: model.dictPath,
    });
    await decoder.ready;
    const r = await decoder.recognize(await speech('how much is botox'));
    assert.equal(r.text, 'how much is botox');
    await decoder.close();
    assert.equal(decoder.closed, true);
  });

  it('interpolates the general English model: words and phrasings the clinic never wrote are heard', async () => {
    assert.equal(model.general?.lmPath, '/usr/share/pocketsphinx/model/en-us/en-us.lm.bin');
    const dict = await readFile(model.dictPath, 'utf8');
    assert.match(dict, /^sister /m, 'a general word the clinic’s sentences lack is in the dictionary');
    const general = { lm: model.general!.lmPath, domainWeight: model.general!.domainWeight };
    const decoder = new PocketsphinxDecoder({
      hmm: DEBIAN_POCKETSPHINX.hmm,
      lm: model.lmPath,
      dict: model.dictPath,
      general,
    });
    const alone = new PocketsphinxDecoder({ hmm: DEBIAN_POCKETSPHINX.hmm, lm: model.lmPath, dict: model.dictPath });
    try {
      const audio = await speech('can i bring my sister with me');
      const mixed = await decoder.recognize(audio);
      assert.equal(mixed.text, 'can i bring my sister with me');
      // the clinic's model alone cannot say "sister" however clear the audio
      assert.doesNotMatch((await alone.recognize(audio)).text, /sister/);
      // a class member of two words comes back as its words
      assert.equal(
        (await decoder.recognize(await speech('i would like a tummy tuck'))).text,
        'i would like a tummy tuck',
      );
    } finally {
      await Promise.all([decoder.close(), alone.close()]);
    }
  });

  it('decodes each stream with its line’s model: a phone stream with the phone settings', async () => {
    const general = { lm: model.general!.lmPath, domainWeight: model.general!.domainWeight };
    // phone lines on the clinic's model alone, wideband interpolated: the word "sister" tells them apart
    const engine = new PocketsphinxSTT({
      lm: model.lmPath,
      dict: model.dictPath,
      general,
      phone: { general: false },
      prewarm: false,
    });
    try {
      assert.deepEqual(engine.interpolation('wideband'), general);
      assert.equal(engine.interpolation('phone'), undefined);
      const audio = concatPcm(silence(300), await speech('can i bring my sister with me'), silence(800));
      const wide = finals(await transcribe(engine, audio));
      assert.match(wide.join(' '), /sister/, 'the wideband stream hears the general word');
      const phone = finals(await transcribe(engine, audio, { phoneBand: true }));
      assert.equal(phone.length, 1, `one final on the phone stream, got ${JSON.stringify(phone)}`);
      assert.doesNotMatch(phone[0]!, /sister/, 'the phone stream decodes with the clinic’s model alone');
    } finally {
      await engine.close();
    }
  });

  it('a phone stream starts its cepstral mean at the phone line’s: a caller’s first words, 8 kHz μ-law', async () => {
    // the first utterance of a fresh stream, slt through μ-law and back, as LiveKit SIP hands it over;
    // decoded against the wideband model's starting mean it came out 'can i pay the very thing'
    const s = await synthesize('can I speak to a person', { voice: 'slt' });
    const pcm8k = resample(s.samples, s.sampleRate, 8000);
    const phoneAudio = resample(decodeMulaw(encodeMulaw(pcm8k)), 8000, RATE);
    const engine = await PocketsphinxSTT.forKnowledgeBase(kb, { model: { cacheDir }, prewarm: false });
    try {
      const heard = finals(
        await transcribe(engine, concatPcm(silence(500), phoneAudio, silence(800)), { phoneBand: true }),
      );
      assert.equal(heard.length, 1, `one final, got ${JSON.stringify(heard)}`);
      assert.ok(asksForPerson(heard[0]!), `"${heard[0]}" reads as a request for a person`);
    } finally {
      await engine.close();
    }
  });

  it('writes the phone line’s decoder settings to its cache directory, once a phone stream opens', async () => {
    const own = await mkdtemp(join(tmpdir(), 'voxanne-ps-cache-'));
    const engine = new PocketsphinxSTT({ lm: model.lmPath, dict: model.dictPath, cacheDir: own, prewarm: false });
    try {
      await transcribe(engine, silence(300));
      assert.deepEqual(await readdir(own), [], 'a web stream writes nothing');
      await transcribe(engine, silence(300), { phoneBand: true });
      const written = await readdir(own);
      assert.equal(written.length, 1, JSON.stringify(written));
      assert.match(written[0]!, /^phone-feat-[0-9a-f]{16}\.params$/);
      assert.match(await readFile(join(own, written[0]!), 'utf8'), /^-cmninit 50\.32,/m);
      // phone lines score 8 Gaussians a codebook; web lines keep pocketsphinx's defaults
      assert.deepEqual(engine.lineFlags('phone'), { '-topn': '8', '-featparams': join(own, written[0]!) });
      assert.deepEqual(engine.lineFlags('wideband'), {});
    } finally {
      await engine.close();
      await rm(own, { recursive: true, force: true });
    }
  });

  it('lets decoderArgs override the phone line’s flags', async () => {
    const engine = new PocketsphinxSTT({
      lm: model.lmPath,
      dict: model.dictPath,
      cacheDir,
      decoderArgs: { '-topn': '4' },
      prewarm: false,
    });
    try {
      assert.equal(engine.lineFlags('phone')['-topn'], '4');
      assert.equal(engine.lineFlags('wideband')['-topn'], '4');
    } finally {
      await engine.close();
    }
  });

  it('builds the phone line’s weight from the model options, 1 meaning the clinic’s model alone', async () => {
    const alone = await PocketsphinxSTT.forKnowledgeBase(kb, {
      model: { cacheDir, general: { phoneDomainWeight: 1 } },
      prewarm: false,
    });
    const mixed = await PocketsphinxSTT.forKnowledgeBase(kb, {
      model: { cacheDir, general: { phoneDomainWeight: 0.85 } },
      prewarm: false,
    });
    const byDefault = await PocketsphinxSTT.forKnowledgeBase(kb, { model: { cacheDir }, prewarm: false });
    try {
      assert.equal(alone.interpolation('phone'), undefined);
      assert.equal(alone.interpolation('wideband')?.domainWeight, DEFAULT_DOMAIN_WEIGHT);
      assert.equal(mixed.interpolation('phone')?.domainWeight, 0.85);
      assert.equal(byDefault.interpolation('phone')?.domainWeight, DEFAULT_PHONE_DOMAIN_WEIGHT);
      await assert.rejects(
        buildDomainModel(kb, { cacheDir, general: { phoneDomainWeight: 0 } }),
        /phoneDomainWeight must be above 0 and at most 1/,
      );
    } finally {
      await Promise.all([alone.close(), mixed.close(), byDefault.close()]);
    }
  });

  it('reuses the files for an unchanged clinic', async () => {
    const again = await buildDomainModel(kb, { cacheDir });
    assert.equal(again.lmPath, model.lmPath);
    assert.equal(again.dictPath, model.dictPath);
  });

  it('names the words it cannot pronounce, or skips them when asked', async () => {
    const odd: KnowledgeBase = {
      ...kb,
      services: [
        ...kb.services,
        { ...kb.services[0]!, id: 'odd', name: 'zorbulation', aliases: ['zorbulation', 'qwxplasty'] },
      ],
    };
    await assert.rejects(buildDomainModel(odd, { cacheDir }), (err: unknown) => {
      assert.ok(err instanceof MissingPronunciationError);
      assert.deepEqual(err.words, ['qwxplasty', 'zorbulation']);
      assert.match(err.message, /"qwxplasty", "zorbulation"/);
      return true;
    });
    const skipped = await buildDomainModel(odd, { cacheDir, onMissingWord: 'skip' });
    assert.deepEqual(skipped.skippedWords, ['qwxplasty', 'zorbulation']);
    assert.ok(!skipped.vocabulary.includes('zorbulation'));
    const fixed = await buildDomainModel(odd, {
      cacheDir,
      extraPronunciations: { zorbulation: 'Z AO R B Y AH L EY SH AH N', qwxplasty: 'K W IH K S P L AE S T IY' },
    });
    assert.ok(fixed.vocabulary.includes('zorbulation'));
  });
});

describe('PocketsphinxSTT', () => {
  let engine: PocketsphinxSTT;
  beforeAll(() => {
    engine = new PocketsphinxSTT({ lm: model.lmPath, dict: model.dictPath });
  });
  afterAll(async () => {
    await engine.close();
    assert.equal(engine.liveDecoders, 0);
  });

  it('describes itself', () => {
    assert.equal(engine.label, 'pocketsphinx.STT');
    assert.equal(engine.description, 'pocketsphinx (offline)');
    assert.deepEqual(engine.capabilities, { streaming: true, interimResults: true });
  });

  for (const text of [
    'what are your opening hours',
    'how much is a tummy tuck',
    "I'd like to book an appointment on tuesday",
  ]) {
    it(`recognises "${text}" with WER ≤ 0.34`, async () => {
      const seen = await transcribe(engine, concatPcm(silence(300), await speech(text), silence(800)));
      const heard = finals(seen);
      assert.equal(heard.length, 1, `one final, got ${JSON.stringify(heard)}`);
      const { wer } = wordErrorRate(text, heard[0]!);
      assert.ok(wer <= 0.34, `heard "${heard[0]}" for "${text}": WER ${wer.toFixed(2)}`);
    });
  }

  it('emits START_OF_SPEECH, then interim results, then FINAL and END_OF_SPEECH', async () => {
    const seen = await transcribe(
      engine,
      concatPcm(silence(300), await speech('do you offer financing'), silence(800)),
    );
    const types = seen.map((e) => e.type).filter((t) => t !== stt.SpeechEventType.RECOGNITION_USAGE);
    const T = stt.SpeechEventType;
    assert.equal(types[0], T.START_OF_SPEECH);
    assert.equal(types[1], T.INTERIM_TRANSCRIPT);
    assert.deepEqual(types.slice(-2), [T.FINAL_TRANSCRIPT, T.END_OF_SPEECH]);
    assert.ok(
      types.slice(1, -2).every((t) => t === T.INTERIM_TRANSCRIPT),
      `only interims in between: ${types.join(',')}`,
    );
    assert.ok(seen.filter((e) => e.type === T.INTERIM_TRANSCRIPT).every((e) => e.text && e.text.length > 0));
    assert.equal(seen.at(-1)!.type, T.RECOGNITION_USAGE);
  });

  it('gives two finals for two utterances one second apart', async () => {
    const audio = concatPcm(
      silence(200),
      await speech('how much is botox'),
      silence(1000),
      await speech('thank you goodbye'),
      silence(800),
    );
    const seen = await transcribe(engine, audio);
    const heard = finals(seen);
    assert.equal(heard.length, 2, JSON.stringify(heard));
    assert.ok(wordErrorRate('how much is botox', heard[0]!).wer <= 0.34, heard[0]);
    assert.ok(wordErrorRate('thank you goodbye', heard[1]!).wer <= 0.34, heard[1]);
    const T = stt.SpeechEventType;
    const marks = seen.map((e) => e.type).filter((t) => t === T.START_OF_SPEECH || t === T.END_OF_SPEECH);
    assert.deepEqual(marks, [T.START_OF_SPEECH, T.END_OF_SPEECH, T.START_OF_SPEECH, T.END_OF_SPEECH]);
  });

  it('hears no words in 3 s of white noise, 3 s of silence or 3 s of clipped noise', async () => {
    for (const [name, audio] of [
      ['white noise', whiteNoise(3000, 8000)],
      ['silence', silence(3000)],
      ['clipped noise', whiteNoise(3000, 32767 * 4).map((x) => Math.max(-32768, Math.min(32767, x)))],
    ] as const) {
      const seen = await transcribe(engine, audio);
      assert.deepEqual(
        finals(seen).filter((t) => t.trim()),
        [],
        `${name} produced words`,
      );
      assert.ok(
        seen.some((e) => e.type === stt.SpeechEventType.RECOGNITION_USAGE),
        `${name}: the stream ran to its end`,
      );
    }
  });

  it('accepts 48 kHz stereo frames', async () => {
    const mono = concatPcm(silence(300), await speech('where are you located'), silence(800));
    const up = new AudioResampler(RATE, 48000, 1);
    const hi = [...up.push(new AudioFrame(mono, RATE, 1, mono.length)), ...up.flush()];
    up.close();
    const mono48 = concatPcm(...hi.map((f) => f.data));
    const stereo = new Int16Array(mono48.length * 2);
    mono48.forEach((x, i) => {
      stereo[2 * i] = x;
      stereo[2 * i + 1] = x;
    });
    const stream = engine.stream();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const ev of stream)
        if (ev.type === stt.SpeechEventType.FINAL_TRANSCRIPT) seen.push(ev.alternatives![0].text);
    })();
    for (const f of frames(stereo, 48000, 2)) stream.pushFrame(f);
    stream.endInput();
    await reading;
    assert.equal(seen.length, 1);
    assert.ok(wordErrorRate('where are you located', seen[0]!).wer <= 0.34, seen[0]);
  });

  it('recognises a whole buffer without streaming', async () => {
    const audio = await speech('can i book a consultation for friday');
    const ev = await engine.recognize(frames(audio));
    assert.equal(ev.type, stt.SpeechEventType.FINAL_TRANSCRIPT);
    assert.ok(
      wordErrorRate('can i book a consultation for friday', ev.alternatives![0].text).wer <= 0.34,
      ev.alternatives![0].text,
    );
    const quiet = await engine.recognize(frames(silence(1000)));
    assert.equal(quiet.alternatives![0].text, '');
  });
});

describe('PocketsphinxSTT resources', () => {
  it('frees the decoder when a stream is closed mid-utterance', async () => {
    const engine = new PocketsphinxSTT({ lm: model.lmPath, dict: model.dictPath, prewarm: false });
    const stream = engine.stream();
    const types: stt.SpeechEventType[] = [];
    let started!: () => void;
    const speechStarted = new Promise<void>((resolve) => (started = resolve));
    const reading = (async () => {
      for await (const ev of stream) {
        types.push(ev.type);
        if (ev.type === stt.SpeechEventType.START_OF_SPEECH) started();
      }
    })();
    const audio = await speech('i would like to schedule a consultation on thursday afternoon');
    // half the sentence: the utterance is open when the stream closes
    for (const f of frames(audio.subarray(0, audio.length / 2))) stream.pushFrame(f);
    await speechStarted;
    assert.equal(engine.liveDecoders, 1);
    stream.close();
    await reading;
    await stream.finished;
    assert.equal(engine.liveDecoders, 0);
    assert.ok(!types.includes(stt.SpeechEventType.FINAL_TRANSCRIPT));
    assert.throws(() => stream.pushFrame(frames(silence(20))[0]!), /closed/);
    await engine.close();
  });

  it('frees the spare decoder on close and refuses new streams', async () => {
    const engine = new PocketsphinxSTT({ lm: model.lmPath, dict: model.dictPath });
    assert.equal(engine.liveDecoders, 1);
    await engine.close();
    assert.equal(engine.liveDecoders, 0);
    const stream = engine.stream();
    const errors: Error[] = [];
    engine.on('error', (e) => errors.push(e.error));
    for await (const _ of stream) assert.fail('a closed engine emits nothing');
    assert.match(errors[0]?.message ?? '', /closed/);
  });

  it('reports a model that does not load as a stream error instead of hanging', async () => {
    const engine = new PocketsphinxSTT({ lm: '/nonexistent/model.lm', dict: model.dictPath, prewarm: false });
    const errors: Error[] = [];
    engine.on('error', (e) => errors.push(e.error));
    const stream = engine.stream();
    for (const f of frames(silence(200))) stream.pushFrame(f);
    for await (const _ of stream) assert.fail('no events from a decoder that never loaded');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.message, /pocketsphinx/);
    assert.equal(engine.liveDecoders, 0);
    await engine.close();
  });
});
