/**
 * DeepgramSTT against the local fake Deepgram: the official SDK's live client runs for real, on
 * real audio (a WAV written at test time: speech, 1 s silence, speech, 1 s silence). The fake
 * endpoints on that audio and transcribes its segments with the scripted texts.
 */
import { APIStatusError, initializeLogger, stt } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, test } from 'vitest';
import {
  concatPcm,
  noise,
  silence,
  speechLike,
  startFakeDeepgram,
  type FakeDeepgram,
} from '../../../../test/fakes/deepgram/index.ts';
import { encodeWav, parseWav } from '../../core/audio/wav.ts';
import { DeepgramSTT, type DeepgramSTTOptions } from './deepgram-stt.ts';

const T = stt.SpeechEventType;
const A = 'Hello, I need an appointment.';
const B = 'Tomorrow at ten, please.';
const FAST_RETRY = { maxRetry: 3, retryIntervalMs: 20, timeoutMs: 5000 };

let dir: string;
beforeAll(async () => {
  initializeLogger({ pretty: false, level: 'warn' });
  dir = await mkdtemp(join(tmpdir(), 'voxanne-dg-stt-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Writes a WAV file and reads it back: the frames under test come from a real audio file. */
async function wavAudio(name: string, pcm: Int16Array, rate: number): Promise<Int16Array> {
  const path = join(dir, `${name}.wav`);
  await writeFile(path, encodeWav(pcm, rate));
  const wav = parseWav(await readFile(path));
  assert.equal(wav.sampleRate, rate);
  return wav.samples;
}

function twoUtterances(rate: number): Int16Array {
  return concatPcm(speechLike(A, rate), silence(1000, rate), speechLike(B, rate), silence(1000, rate));
}

function push(stream: stt.SpeechStream, pcm: Int16Array, rate: number): void {
  const n = (rate * 20) / 1000;
  for (let i = 0; i < pcm.length; i += n) {
    const chunk = pcm.slice(i, i + n);
    stream.pushFrame(new AudioFrame(chunk, rate, 1, chunk.length));
  }
}

async function collect(stream: stt.SpeechStream): Promise<stt.SpeechEvent[]> {
  const out: stt.SpeechEvent[] = [];
  for await (const ev of stream) out.push(ev);
  return out;
}

/** Checks START, INTERIM…, FINAL…, END per utterance and returns the final texts in order. */
function finalsInOrder(events: stt.SpeechEvent[]): string[] {
  let speaking = false;
  let interims = 0;
  const finals: string[] = [];
  for (const ev of events) {
    switch (ev.type) {
      case T.START_OF_SPEECH:
        assert.equal(speaking, false, 'START_OF_SPEECH while already speaking');
        speaking = true;
        interims = 0;
        break;
      case T.INTERIM_TRANSCRIPT:
        assert.ok(speaking, 'interim outside an utterance');
        interims++;
        break;
      case T.FINAL_TRANSCRIPT:
        assert.ok(speaking, 'final outside an utterance');
        assert.ok(interims > 0, 'a final with no interim before it');
        finals.push(ev.alternatives![0].text);
        break;
      case T.END_OF_SPEECH:
        assert.ok(speaking, 'END_OF_SPEECH without a start');
        speaking = false;
        break;
      default:
        break;
    }
  }
  assert.equal(speaking, false, 'stream ended mid-utterance');
  return finals;
}

function sttFor(fake: FakeDeepgram, opts: Partial<DeepgramSTTOptions> = {}): DeepgramSTT {
  return new DeepgramSTT({ apiKey: fake.apiKey, baseUrl: fake.url, connOptions: FAST_RETRY, ...opts });
}

type STTError = Parameters<stt.STTCallbacks['error']>[0];

function errorsOf(engine: DeepgramSTT): STTError[] {
  const errors: STTError[] = [];
  engine.on('error', (e) => errors.push(e));
  return errors;
}

test(
  'transcribes each utterance of real audio as the scripted text, interims before finals, in order',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram({ script: [A, B] });
    try {
      const engine = sttFor(fake, { keyterms: ['Voxanne', 'Dr. Patel'] });
      assert.equal(engine.description, 'deepgram nova-3');
      const pcm = await wavAudio('two', twoUtterances(16000), 16000);
      const stream = engine.stream();
      push(stream, pcm, 16000);
      stream.endInput();
      const events = await collect(stream);
      assert.deepEqual(finalsInOrder(events), [A, B]);
      const ends = events.filter((e) => e.type === T.END_OF_SPEECH);
      assert.deepEqual(
        ends.map((e) => e.alternatives?.[0].text),
        [A, B],
      );

      assert.equal(fake.received.listen.length, 1);
      const rec = fake.received.listen[0]!;
      assert.equal(rec.authorization, `Token ${fake.apiKey}`);
      assert.equal(rec.query.model, 'nova-3');
      assert.equal(rec.query.encoding, 'linear16');
      assert.equal(rec.query.sample_rate, '16000');
      assert.equal(rec.query.channels, '1');
      assert.equal(rec.query.interim_results, 'true');
      assert.equal(rec.query.endpointing, '100');
      assert.equal(rec.query.utterance_end_ms, '1000');
      assert.equal(rec.query.vad_events, 'true');
      assert.equal(rec.query.language, 'en-US');
      assert.deepEqual(rec.params.getAll('keyterm'), ['Voxanne', 'Dr. Patel']);
      assert.equal(rec.audioBytes, pcm.length * 2, 'every sample reached Deepgram, once');
      assert.deepEqual(rec.messages.at(-1), { type: 'CloseStream' });
      await fake.until(() => rec.closed);
      assert.equal(rec.closedBy, 'server', 'Deepgram closed after CloseStream, as it does');
      assert.equal(rec.closeCode, 1000);
      assert.ok(
        events.some((e) => e.type === T.RECOGNITION_USAGE),
        "Deepgram's closing Metadata is reported as usage",
      );
    } finally {
      await fake.close();
    }
  },
);

test('nova-2 at 8 kHz for phone audio, keyterms as keywords', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ script: [A, B] });
  try {
    const engine = sttFor(fake, {
      model: 'nova-2',
      sampleRate: 8000,
      endpointingMs: 500,
      language: 'en-GB',
      keyterms: ['Voxanne'],
    });
    assert.equal(engine.description, 'deepgram nova-2');
    const stream = engine.stream();
    push(stream, await wavAudio('phone', twoUtterances(8000), 8000), 8000);
    stream.endInput();
    assert.deepEqual(finalsInOrder(await collect(stream)), [A, B]);
    const q = fake.received.listen[0]!.query;
    assert.equal(q.model, 'nova-2');
    assert.equal(q.sample_rate, '8000');
    assert.equal(q.endpointing, '500');
    assert.equal(q.language, 'en-GB');
    assert.equal(q.keywords, 'Voxanne');
    assert.equal(q.keyterm, undefined);
  } finally {
    await fake.close();
  }
});

test(
  'a wrong API key is rejected with 401 and surfaces at once as a non-retryable error',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram({ apiKey: 'the-right-key', script: [A] });
    try {
      const engine = new DeepgramSTT({ apiKey: 'a-wrong-key', baseUrl: fake.url, connOptions: FAST_RETRY });
      const errors = errorsOf(engine);
      const stream = engine.stream();
      push(stream, speechLike(A, 16000), 16000);
      const events = await collect(stream); // ends: the stream cannot recover
      assert.deepEqual(events, []);
      assert.equal(errors.length, 1);
      const err = errors[0]!;
      assert.equal(err.recoverable, false);
      assert.ok(err.error instanceof APIStatusError, `got ${err.error}`);
      assert.equal(err.error.statusCode, 401);
      assert.equal(err.error.retryable, false);
      assert.equal(fake.received.listen.length, 1, 'a 401 is not retried');
      assert.equal(fake.received.listen[0]!.status, 401);
    } finally {
      await fake.close();
    }
  },
);

test('a 429 on connect is retried', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ script: [A, B] });
  try {
    fake.inject({ kind: 'http-error', status: 429, on: 'listen' });
    const stream = sttFor(fake).stream();
    push(stream, twoUtterances(16000), 16000);
    stream.endInput();
    assert.deepEqual(finalsInOrder(await collect(stream)), [A, B]);
    assert.deepEqual(
      fake.received.listen.map((r) => r.status),
      [429, 101],
    );
  } finally {
    await fake.close();
  }
});

test(
  'a socket dropped mid-utterance is survived: it reconnects and replays, nothing is lost',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram({ script: [A, B] });
    try {
      fake.inject({ kind: 'disconnect', on: 'listen', afterAudioMs: 600 }); // inside the first utterance
      const engine = sttFor(fake);
      const errors = errorsOf(engine);
      const stream = engine.stream();
      push(stream, await wavAudio('drop', twoUtterances(16000), 16000), 16000);
      stream.endInput();
      const events = await collect(stream);
      assert.deepEqual(finalsInOrder(events), [A, B]);
      assert.equal(
        events.filter((e) => e.type === T.START_OF_SPEECH).length,
        2,
        'the drop did not split the utterance',
      );
      assert.equal(fake.received.listen.length, 2);
      assert.equal(fake.received.listen[0]!.closedBy, 'fault');
      assert.deepEqual(errors, [], 'a recovered drop is not an error');
    } finally {
      await fake.close();
    }
  },
);

test('a socket dropped between utterances: the next utterance is still transcribed', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ script: [A, B] });
  try {
    const stream = sttFor(fake).stream();
    const events: stt.SpeechEvent[] = [];
    let sawFirstFinal!: () => void;
    const firstFinal = new Promise<void>((r) => (sawFirstFinal = r));
    const consumer = (async () => {
      for await (const ev of stream) {
        events.push(ev);
        if (ev.type === T.FINAL_TRANSCRIPT) sawFirstFinal();
      }
    })();
    push(stream, concatPcm(speechLike(A, 16000), silence(1000, 16000)), 16000);
    await firstFinal;
    fake.dropListenConnections();
    await fake.until(() => fake.received.listen[0]!.closed);
    push(stream, concatPcm(speechLike(B, 16000), silence(1000, 16000)), 16000);
    stream.endInput();
    await consumer;
    assert.deepEqual(finalsInOrder(events), [A, B]);
    assert.equal(fake.received.listen.length, 2);
  } finally {
    await fake.close();
  }
});

test('10 ms frames go to Deepgram as 20 ms messages; a flush sends the half one before Finalize', async () => {
  const fake = await startFakeDeepgram({ script: [A] });
  try {
    const stream = sttFor(fake).stream();
    const pcm = speechLike(A, 16000).slice(0, 7 * 160);
    for (let i = 0; i < pcm.length; i += 160) stream.pushFrame(new AudioFrame(pcm.slice(i, i + 160), 16000, 1, 160));
    stream.flush();
    await fake.until(() => fake.received.listen[0]?.messages.some((m) => m.type === 'Finalize') ?? false);
    const rec = fake.received.listen[0]!;
    assert.deepEqual(rec.audioMessageBytes, [640, 640, 640, 320]);
    stream.close();
  } finally {
    await fake.close();
  }
});

test(
  'flush() sends Finalize and the utterance is finalized without waiting for silence',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram({ script: [A] });
    try {
      const stream = sttFor(fake).stream();
      push(stream, speechLike(A, 16000), 16000);
      stream.flush();
      const events: stt.SpeechEvent[] = [];
      for await (const ev of stream) {
        events.push(ev);
        if (ev.type === T.END_OF_SPEECH) break;
      }
      assert.deepEqual(finalsInOrder(events), [A]);
      assert.ok(fake.received.listen[0]!.messages.some((m) => m.type === 'Finalize'));
      stream.close();
    } finally {
      await fake.close();
    }
  },
);

test('closing the stream sends CloseStream to Deepgram', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ script: [A] });
  try {
    const stream = sttFor(fake).stream();
    push(stream, speechLike(A, 16000).slice(0, 8000), 16000);
    await fake.until(() => (fake.received.listen[0]?.audioBytes ?? 0) > 0);
    stream.close();
    await fake.until(() => fake.received.listen[0]!.closed);
    assert.deepEqual(fake.received.listen[0]!.messages.at(-1), { type: 'CloseStream' });
  } finally {
    await fake.close();
  }
});

test('KeepAlive holds an idle connection open past Deepgram’s idle timeout', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ script: [A], listenIdleTimeoutMs: 1000 });
  try {
    const stream = sttFor(fake, { keepAliveIntervalMs: 100 }).stream();
    // no audio at all for well over the idle timeout: 15 KeepAlives take 1.5 s
    await fake.until(() => (fake.received.listen[0]?.messages.filter((m) => m.type === 'KeepAlive').length ?? 0) >= 15);
    push(stream, concatPcm(speechLike(A, 16000), silence(1000, 16000)), 16000);
    stream.endInput();
    assert.deepEqual(finalsInOrder(await collect(stream)), [A]);
    assert.equal(fake.received.listen.length, 1, 'the first connection was never dropped for idling');
  } finally {
    await fake.close();
  }
});

test('a connection that stops answering is replaced', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ script: [A, B] });
  try {
    fake.inject({ kind: 'stall', on: 'listen', ms: 20_000 });
    const stream = sttFor(fake, { serverSilenceTimeoutMs: 1000 }).stream();
    push(stream, twoUtterances(16000), 16000);
    stream.endInput();
    assert.deepEqual(finalsInOrder(await collect(stream)), [A, B]);
    assert.equal(fake.received.listen.length, 2);
    assert.deepEqual(fake.received.listen[0]!.sent, [], 'the stalled connection never said a word');
  } finally {
    await fake.close();
  }
});

test('silence and low noise produce no transcript', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ script: [A] });
  try {
    const stream = sttFor(fake).stream();
    push(
      stream,
      await wavAudio('quiet', concatPcm(silence(1500, 16000), noise(2000, 16000, -55), silence(500, 16000)), 16000),
      16000,
    );
    stream.endInput();
    const events = await collect(stream);
    assert.deepEqual(
      events.filter((e) => e.type !== T.RECOGNITION_USAGE),
      [],
    );
    const results = fake.received.listen[0]!.sent.filter((m) => m.type === 'Results');
    assert.ok(results.length > 0, 'Deepgram still finalizes the silence, with empty transcripts');
  } finally {
    await fake.close();
  }
});
