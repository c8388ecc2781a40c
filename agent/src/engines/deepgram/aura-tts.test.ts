/**
 * AuraTTS against the local fake Deepgram: the official SDK's REST client runs for real, and the
 * fake streams its body in odd-sized chunks so sample boundaries fall mid-chunk.
 */
import { APIStatusError, initializeLogger, tts, type APIConnectOptions } from '@livekit/agents';
import type { AudioFrame } from '@livekit/rtc-node';
import assert from 'node:assert/strict';
import { beforeAll, test } from 'vitest';
import {
  mulawDecode,
  mulawEncode,
  startFakeDeepgram,
  type FakeDeepgram,
} from '../../../../test/fakes/deepgram/index.ts';
import { AuraTTS, type AuraTTSOptions } from './aura-tts.ts';

const TEXT = 'Hello, you have reached the clinic. How can I help you today?';
const NO_RETRY: APIConnectOptions = { maxRetry: 0, retryIntervalMs: 10, timeoutMs: 5000 };
const FAST_RETRY: APIConnectOptions = { maxRetry: 2, retryIntervalMs: 10, timeoutMs: 5000 };

type TTSError = Parameters<tts.TTSCallbacks['error']>[0];

beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));

function auraFor(fake: FakeDeepgram, opts: Partial<AuraTTSOptions> = {}): AuraTTS {
  return new AuraTTS({ apiKey: fake.apiKey, baseUrl: fake.url, ...opts });
}

function errorsOf(engine: AuraTTS): TTSError[] {
  const errors: TTSError[] = [];
  engine.on('error', (e) => errors.push(e));
  return errors;
}

async function frames(stream: tts.ChunkedStream): Promise<AudioFrame[]> {
  const out: AudioFrame[] = [];
  for await (const a of stream) out.push(a.frame);
  return out;
}

test(
  'streams 20 ms mono frames at 48 kHz; their total is exactly the audio the fake sent',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram();
    try {
      const engine = auraFor(fake);
      assert.equal(engine.description, 'deepgram aura-2-thalia-en');
      assert.equal(engine.sampleRate, 48000);
      const out = await frames(engine.synthesize(TEXT));
      const rec = fake.received.speak[0]!;
      assert.equal(rec.outcome, 'completed');
      assert.ok(out.length > 10);
      for (const f of out) {
        assert.equal(f.sampleRate, 48000);
        assert.equal(f.channels, 1);
      }
      assert.ok(
        out.slice(0, -1).every((f) => f.samplesPerChannel === 960),
        'every frame but the last is 20 ms',
      );
      assert.ok(out.at(-1)!.samplesPerChannel <= 960);
      const samples = out.reduce((n, f) => n + f.samplesPerChannel, 0);
      assert.equal(samples * 2, rec.audioBytesSent);
      assert.equal(rec.audioBytesSent, rec.audioBytesTotal);
      assert.equal(fake.profile.ttsChunkBytes % 2, 1, 'odd chunks: samples were split across chunks');
      assert.ok(rec.audioBytesTotal > 10 * fake.profile.ttsChunkBytes, 'the body came in many chunks');

      assert.equal(rec.text, TEXT);
      assert.equal(rec.authorization, `Token ${fake.apiKey}`);
      assert.deepEqual(rec.query, {
        model: 'aura-2-thalia-en',
        encoding: 'linear16',
        sample_rate: '48000',
        container: 'none',
      });
    } finally {
      await fake.close();
    }
  },
);

test(
  'the first frame is out while the fake is still holding back the rest of the body',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram();
    try {
      // 20 ms at 48 kHz; the first chunk (3001 bytes) goes out, then it waits
      const hold = fake.hold({ afterBytes: 1920 });
      const stream = auraFor(fake).synthesize(TEXT);
      const first = await stream.next();
      assert.equal(first.done, false);
      const rec = await hold.reached;
      assert.ok(rec.audioBytesSent < rec.audioBytesTotal, 'the rest of the body was not sent yet');
      assert.equal(rec.outcome, undefined);
      hold.release();
      const rest = await frames(stream);
      const samples = [first.value!.frame, ...rest].reduce((n, f) => n + f.samplesPerChannel, 0);
      assert.equal(samples * 2, rec.audioBytesTotal);
    } finally {
      await fake.close();
    }
  },
);

test('μ-law at 8 kHz is decoded to 16-bit frames with the G.711 values', { timeout: 30_000 }, async () => {
  // a known signal: a ramp over the whole 16-bit range, so every μ-law segment is exercised
  const ramp = Int16Array.from({ length: 1000 }, (_, i) => Math.round(-32768 + (i * 65535) / 999));
  const fake = await startFakeDeepgram({ synthesizer: () => ramp });
  try {
    const engine = auraFor(fake, { encoding: 'mulaw' });
    assert.equal(engine.sampleRate, 8000);
    const out = await frames(engine.synthesize('Hi there.'));
    assert.ok(out.slice(0, -1).every((f) => f.samplesPerChannel === 160 && f.sampleRate === 8000));
    const got = Int16Array.from(out.flatMap((f) => [...f.data]));
    // the fake's independent G.711 encoder and decoder give the expected values
    assert.deepEqual([...got], [...mulawDecode(mulawEncode(ramp))]);
    assert.deepEqual(fake.received.speak[0]!.query, {
      model: 'aura-2-thalia-en',
      encoding: 'mulaw',
      sample_rate: '8000',
      container: 'none',
    });
  } finally {
    await fake.close();
  }
});

test('a 500 is a retryable error', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram();
  try {
    fake.inject({ kind: 'http-error', status: 500, on: 'speak' });
    const engine = auraFor(fake);
    const errors = errorsOf(engine);
    assert.deepEqual(await frames(engine.synthesize(TEXT, NO_RETRY)), []);
    assert.equal(errors.length, 1);
    const err = errors[0]!.error;
    assert.ok(err instanceof APIStatusError, `got ${err}`);
    assert.equal(err.statusCode, 500);
    assert.equal(err.retryable, true);
    assert.equal(err.requestId, fake.received.speak[0]!.requestId, "Deepgram's request id is kept for support");
  } finally {
    await fake.close();
  }
});

test('after a 500, the retry gets the whole audio', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram();
  try {
    fake.inject({ kind: 'http-error', status: 500, on: 'speak' });
    const engine = auraFor(fake);
    const errors = errorsOf(engine);
    const out = await frames(engine.synthesize(TEXT, FAST_RETRY));
    assert.deepEqual(errors, []);
    assert.deepEqual(
      fake.received.speak.map((r) => r.status),
      [500, 200],
    );
    assert.equal(out.reduce((n, f) => n + f.samplesPerChannel, 0) * 2, fake.received.speak[1]!.audioBytesTotal);
  } finally {
    await fake.close();
  }
});

test('a 401 is final: not retried', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram({ apiKey: 'the-right-key' });
  try {
    const engine = new AuraTTS({ apiKey: 'a-wrong-key', baseUrl: fake.url });
    const errors = errorsOf(engine);
    assert.deepEqual(await frames(engine.synthesize(TEXT, FAST_RETRY)), []);
    assert.equal(fake.received.speak.length, 1);
    const err = errors[0]!.error;
    assert.ok(err instanceof APIStatusError);
    assert.equal(err.statusCode, 401);
    assert.equal(err.retryable, false);
  } finally {
    await fake.close();
  }
});

test('aborting mid-body cancels the request: the fake sees the client go away', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram();
  try {
    const hold = fake.hold({ afterBytes: 1920 });
    const abort = new AbortController();
    const stream = auraFor(fake).synthesize(TEXT, undefined, abort.signal);
    assert.equal((await stream.next()).done, false);
    abort.abort();
    const rec = fake.received.speak[0]!;
    await fake.until(() => rec.outcome !== undefined);
    assert.equal(rec.outcome, 'client-aborted');
    assert.ok(rec.audioBytesSent < rec.audioBytesTotal);
    hold.release();
    await frames(stream); // ends, without an error
  } finally {
    await fake.close();
  }
});

test(
  'aborting before the response arrives: the connection is dropped as soon as it lands',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram({ profile: { ttsFirstByteMs: 1000 } });
    try {
      const engine = auraFor(fake);
      const errors = errorsOf(engine);
      const abort = new AbortController();
      const stream = engine.synthesize(TEXT, undefined, abort.signal);
      await fake.until(() => fake.received.speak[0]?.text !== undefined);
      abort.abort();
      assert.deepEqual(await frames(stream), []);
      const rec = fake.received.speak[0]!;
      await fake.until(() => rec.outcome !== undefined);
      assert.equal(rec.outcome, 'client-aborted');
      assert.ok(rec.audioBytesSent < rec.audioBytesTotal, 'the audio was not downloaded');
      assert.deepEqual(errors, []);
    } finally {
      await fake.close();
    }
  },
);

test(
  'a body cut after audio was handed out is a final error (a retry would repeat speech)',
  { timeout: 30_000 },
  async () => {
    const fake = await startFakeDeepgram();
    try {
      fake.inject({ kind: 'disconnect', on: 'speak', afterAudioMs: 300 });
      const engine = auraFor(fake);
      const errors = errorsOf(engine);
      const out = await frames(engine.synthesize(TEXT, FAST_RETRY));
      assert.ok(out.length > 0);
      assert.equal(fake.received.speak.length, 1);
      assert.equal(fake.received.speak[0]!.outcome, 'server-dropped');
      assert.equal(errors.length, 1);
      assert.equal(errors[0]!.error.name, 'APIConnectionError');
      assert.equal((errors[0]!.error as APIStatusError).retryable, false);
    } finally {
      await fake.close();
    }
  },
);

test('a server that stalls is timed out and the request retried', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram();
  try {
    fake.inject({ kind: 'stall', on: 'speak', ms: 20_000 });
    const engine = auraFor(fake);
    const errors = errorsOf(engine);
    const out = await frames(engine.synthesize(TEXT, { maxRetry: 1, retryIntervalMs: 10, timeoutMs: 1000 }));
    assert.deepEqual(errors, []);
    assert.equal(fake.received.speak.length, 2);
    assert.equal(out.reduce((n, f) => n + f.samplesPerChannel, 0) * 2, fake.received.speak[1]!.audioBytesTotal);
  } finally {
    await fake.close();
  }
});

test('stream() speaks sentence by sentence, in order', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram();
  try {
    const engine = auraFor(fake);
    const stream = engine.stream();
    stream.pushText('Thanks for calling Riverside Clinic today. ');
    stream.pushText('We are open from eight until six on weekdays. Is there anything else?');
    stream.endInput();
    let samples = 0;
    for await (const a of stream) if (a !== tts.SynthesizeStream.END_OF_STREAM) samples += a.frame.samplesPerChannel;
    const texts = fake.received.speak.map((r) => r.text);
    assert.ok(texts.length >= 2, `one request per sentence, got ${JSON.stringify(texts)}`);
    assert.equal(
      texts.join(' ').replace(/\s+/g, ' ').trim(),
      'Thanks for calling Riverside Clinic today. We are open from eight until six on ' +
        'weekdays. Is there anything else?',
    );
    assert.equal(
      samples * 2,
      fake.received.speak.reduce((n, r) => n + r.audioBytesSent, 0),
    );
    await engine.close();
  } finally {
    await fake.close();
  }
});

test('empty text is silence, not a request', { timeout: 30_000 }, async () => {
  const fake = await startFakeDeepgram();
  try {
    assert.deepEqual(await frames(auraFor(fake).synthesize('   ')), []);
    assert.equal(fake.received.speak.length, 0);
  } finally {
    await fake.close();
  }
});
