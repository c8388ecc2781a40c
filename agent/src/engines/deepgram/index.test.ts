/** The factory the engine picker uses, end to end against the fake: one key, one base URL, both directions. */
import { initializeLogger, stt } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import assert from 'node:assert/strict';
import { beforeAll, test } from 'vitest';
import { concatPcm, silence, speechLike, startFakeDeepgram } from '../../../../test/fakes/deepgram/index.ts';
import { createDeepgramEngines } from './index.ts';

beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));

test('defaults: nova-3 at 16 kHz in, Aura-2 Thalia linear16 at 48 kHz out', () => {
  const e = createDeepgramEngines({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9' });
  assert.deepEqual(e.info, { stt: 'deepgram nova-3', tts: 'deepgram aura-2-thalia-en' });
  assert.equal(e.stt.sampleRate, 16000);
  assert.equal(e.tts.sampleRate, 48000);
});

test('phone audio: 8 kHz in, μ-law 8 kHz out', () => {
  const e = createDeepgramEngines({ apiKey: 'k', sttModel: 'nova-2', voice: 'aura-2-andromeda-en', sampleRate: 8000 });
  assert.deepEqual(e.info, { stt: 'deepgram nova-2', tts: 'deepgram aura-2-andromeda-en' });
  assert.equal(e.stt.sampleRate, 8000);
  assert.equal(e.tts.sampleRate, 8000);
});

test('an empty key is refused up front (the SDK would otherwise read DEEPGRAM_API_KEY itself)', () => {
  assert.throws(() => createDeepgramEngines({ apiKey: '' }), /apiKey is required/);
});

test('the engines talk to the given base URL with the given key', { timeout: 30_000 }, async () => {
  const text = 'Can I move my appointment?';
  const fake = await startFakeDeepgram({ script: [text] });
  try {
    const e = createDeepgramEngines({ apiKey: fake.apiKey, baseUrl: fake.url });
    const voice = await e.tts.synthesize('Of course. Which day suits you?').collect();
    assert.ok(voice.samplesPerChannel > 0);
    const stream = e.stt.stream();
    const pcm = concatPcm(speechLike(text, 16000), silence(1000, 16000));
    for (let i = 0; i < pcm.length; i += 320) {
      const chunk = pcm.slice(i, i + 320);
      stream.pushFrame(new AudioFrame(chunk, 16000, 1, chunk.length));
    }
    stream.endInput();
    const finals: string[] = [];
    for await (const ev of stream)
      if (ev.type === stt.SpeechEventType.FINAL_TRANSCRIPT) finals.push(ev.alternatives![0].text);
    assert.deepEqual(finals, [text]);
    assert.equal(fake.received.speak.length, 1);
    assert.equal(fake.received.listen.length, 1);
  } finally {
    await fake.close();
  }
});
