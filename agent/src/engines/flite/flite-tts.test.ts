import { initializeLogger, tts } from '@livekit/agents';
import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { sharedFlitePool } from './flite-pool.ts';
import { FliteTTS } from './flite-tts.ts';
import type { SynthesizeFn } from './speech-frames.ts';
import { type Speech, synthesize } from './synthesize.ts';

beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));
afterAll(() => sharedFlitePool().close());

type Audio = tts.SynthesizedAudio;
const EOS = tts.SynthesizeStream.END_OF_STREAM;
// a safety net so a regression that hangs fails the test instead of the whole run
const HANG = { timeout: 20_000 };

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

function isAudio(x: Audio | typeof EOS): x is Audio {
  return x !== EOS;
}

function tone(ms: number, rate = 16000): Speech {
  const n = (rate * ms) / 1000;
  return {
    samples: new Int16Array(n).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate))),
    sampleRate: rate,
  };
}

/** A synthesizer the test resolves by hand, so ordering is observed without any timing. */
function scripted() {
  const calls: Array<{
    text: string;
    signal: AbortSignal;
    resolve: (s: Speech) => void;
    reject: (e: unknown) => void;
  }> = [];
  const waiting: Array<() => void> = [];
  const fn: SynthesizeFn = (text, { signal }) =>
    new Promise<Speech>((resolve, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      calls.push({ text, signal, resolve, reject });
      waiting.shift()?.();
    });
  /** resolves once the n-th (1-based) call has been made */
  const call = async (n: number) => {
    while (calls.length < n) await new Promise<void>((r) => waiting.push(r));
    return calls[n - 1]!;
  };
  return { fn, calls, call };
}

describe('FliteTTS with the real engine', () => {
  it('describes itself', () => {
    const engine = new FliteTTS({ voice: 'rms' });
    assert.equal(engine.label, 'flite.TTS');
    assert.equal(engine.description, 'flite rms (offline)');
    assert.equal(engine.sampleRate, 48000);
    assert.equal(engine.numChannels, 1);
    assert.equal(engine.capabilities.streaming, true);
    assert.throws(() => new FliteTTS({ sampleRate: 44123 }), /multiple of 50 Hz/);
  });

  it('synthesize() emits 20 ms mono 48 kHz frames, the last one final', HANG, async () => {
    const frames = await drain(new FliteTTS().synthesize('Hello, this is Voxanne.'));
    assert.ok(frames.length > 0);
    for (const a of frames) {
      assert.equal(a.frame.sampleRate, 48000);
      assert.equal(a.frame.channels, 1);
      assert.equal(a.frame.samplesPerChannel, 960);
      assert.equal(a.frame.data.length, 960);
      assert.equal(a.requestId, frames[0]!.requestId);
    }
    assert.deepEqual(frames.map((a) => a.final).filter(Boolean).length, 1);
    assert.equal(frames.at(-1)!.final, true);
    assert.equal(frames[0]!.deltaText, 'Hello, this is Voxanne.');
    const seconds = (frames.length * 20) / 1000;
    assert.ok(seconds > 0.8 && seconds < 4, `${seconds} s`);
    let sum = 0;
    for (const a of frames) for (const v of a.frame.data) sum += v * v;
    assert.ok(Math.sqrt(sum / (frames.length * 960)) > 1000, 'audible');
  });

  it('resamples to the requested output rate, kal (8 kHz) included', HANG, async () => {
    const frames = await drain(new FliteTTS({ voice: 'kal', sampleRate: 16000 }).synthesize('Good afternoon.'));
    assert.ok(frames.length > 20);
    for (const a of frames) assert.equal(a.frame.sampleRate, 16000);
    for (const a of frames) assert.equal(a.frame.samplesPerChannel, 320);
  });

  it('stream(): the first frame arrives before the second sentence is synthesized', HANG, async () => {
    const events: string[] = [];
    const spy: SynthesizeFn = async (text, o) => {
      const speech = await synthesize(text, o);
      events.push(`synthesized: ${text}`);
      return speech;
    };
    const stream = new FliteTTS({ synthesizeFn: spy }).stream();
    stream.pushText('Hello, this is Voxanne. ');
    stream.pushText('I can book, move or cancel appointments, and answer questions about the clinic. ');
    stream.endInput();
    const out: Array<Audio | typeof EOS> = [];
    for await (const a of stream) {
      if (out.length === 0) events.push('first frame');
      out.push(a);
    }
    assert.deepEqual(events, [
      'synthesized: Hello, this is Voxanne.',
      'first frame',
      'synthesized: I can book, move or cancel appointments, and answer questions about the clinic.',
    ]);
    assert.equal(out.at(-1), EOS);
    const audio = out.filter(isAudio);
    for (const a of audio) assert.equal(a.frame.samplesPerChannel, 960);
    assert.equal(audio.filter((a) => a.final).length, 1);
    assert.equal(audio.at(-1)!.final, true);
  });

  it('does not crash on empty or odd text', HANG, async () => {
    const engine = new FliteTTS();
    assert.equal((await drain(engine.synthesize(''))).length, 0);
    assert.equal((await drain(engine.synthesize(' \n\t '))).length, 0);
    const odd = await drain(engine.synthesize('He said "it\'s 50% off" — café 😀\nnew line; $(ls) `x`'));
    assert.ok(odd.length > 10);
    const stream = engine.stream();
    stream.pushText('   ');
    stream.endInput();
    assert.deepEqual(await drain(stream), [EOS]);
  });

  it('closing a chunked stream mid-reply stops it promptly and frees the engine', HANG, async () => {
    const engine = new FliteTTS();
    const long = 'Thank you for calling. Let me look at the schedule for next week. '.repeat(20);
    const stream = engine.synthesize(long);
    const first = await stream.next();
    assert.equal(first.done, false);
    stream.close();
    const rest = await drain(stream);
    assert.ok(rest.length < 40 * 50, 'did not keep going through the whole text');
    // the queued sentences were dropped: a new request is served next, not after ~40 sentences
    const order: string[] = [];
    const next = synthesize('Next caller.').then(() => order.push('next'));
    const big = synthesize(long).then(() => order.push('big'));
    await Promise.all([next, big]);
    assert.deepEqual(order, ['next', 'big']);
  });
});

describe('FliteTTS stream logic (scripted synthesizer)', () => {
  it(
    'synthesizes each sentence as soon as it is complete, and plays it before later ones are ready',
    HANG,
    async () => {
      const s = scripted();
      const stream = new FliteTTS({ synthesizeFn: s.fn }).stream();
      stream.pushText('First sen');
      stream.pushText('tence is here. Second ');
      const first = await s.call(1);
      assert.equal(first.text, 'First sentence is here.');
      first.resolve(tone(100)); // 100 ms -> 5 frames
      const got: Audio[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await stream.next();
        assert.ok(!r.done && isAudio(r.value));
        got.push(r.value);
      }
      assert.equal(s.calls.length, 1, 'the second sentence is not complete yet');
      stream.pushText('one follows.');
      stream.endInput();
      const second = await s.call(2);
      assert.equal(second.text, 'Second one follows.');
      second.resolve(tone(40));
      const rest = await drain(stream);
      const audio = [...got, ...rest.filter(isAudio)];
      assert.equal(audio.length, 5 + 2);
      assert.equal(audio[0]!.deltaText, 'First sentence is here.');
      assert.equal(audio[5]!.deltaText, 'Second one follows.');
      assert.deepEqual(
        audio.map((a) => a.final),
        [false, false, false, false, false, false, true],
      );
      assert.equal(rest.at(-1), EOS);
      assert.equal(rest.filter((x) => x === EOS).length, 1);
    },
  );

  it('flush() ends a segment: final frame, then a new segment id', HANG, async () => {
    const s = scripted();
    const stream = new FliteTTS({ synthesizeFn: s.fn }).stream();
    stream.pushText('One.');
    stream.flush();
    stream.pushText('Two.');
    stream.endInput();
    (await s.call(1)).resolve(tone(60));
    (await s.call(2)).resolve(tone(60));
    const out = await drain(stream);
    const audio = out.filter(isAudio);
    assert.deepEqual(
      s.calls.map((c) => c.text),
      ['One.', 'Two.'],
    );
    assert.deepEqual(
      audio.map((a) => a.final),
      [false, false, true, false, false, true],
    );
    assert.notEqual(audio[0]!.segmentId, audio[3]!.segmentId);
    assert.equal(audio[0]!.segmentId, audio[2]!.segmentId);
    assert.equal(audio[0]!.requestId, audio[5]!.requestId);
    assert.equal(out.at(-1), EOS);
  });

  it('close() aborts the synthesis in progress and ends the stream', HANG, async () => {
    const s = scripted();
    const stream = new FliteTTS({ synthesizeFn: s.fn }).stream();
    stream.pushText('This will never be heard. Nor this. ');
    const c1 = await s.call(1);
    const c2 = await s.call(2);
    stream.close();
    assert.equal(c1.signal.aborted, true);
    assert.equal(c2.signal.aborted, true);
    assert.deepEqual(await drain(stream), []);
  });

  it('an abort signal given to synthesize() cancels it', HANG, async () => {
    const s = scripted();
    const ac = new AbortController();
    const chunked = new FliteTTS({ synthesizeFn: s.fn }).synthesize('Cancel me.', undefined, ac.signal);
    const c1 = await s.call(1);
    ac.abort();
    assert.equal(c1.signal.aborted, true);
    assert.deepEqual(await drain(chunked), []);
  });

  it('a failed sentence is reported as a non-recoverable error event and drops what follows', HANG, async () => {
    const s = scripted();
    const engine = new FliteTTS({ synthesizeFn: s.fn });
    const errors: Array<Parameters<tts.TTSCallbacks['error']>[0]> = [];
    engine.on('error', (e) => errors.push(e));
    const stream = engine.stream();
    stream.pushText('Good. Broken. Never said. ');
    (await s.call(1)).resolve(tone(20));
    const broken = await s.call(2);
    const third = await s.call(3);
    broken.reject(new Error('flite exited with code 1'));
    const out = await drain(stream);
    assert.equal(third.signal.aborted, true);
    assert.equal(out.filter(isAudio).length, 1);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.recoverable, false);
    assert.match(errors[0]!.error.message, /"Broken\.": flite exited with code 1/);

    const chunked = engine.synthesize('Also broken.');
    (await s.call(4)).reject(new Error('trap'));
    assert.deepEqual(await drain(chunked), []);
    assert.equal(errors.length, 2);
  });
});
