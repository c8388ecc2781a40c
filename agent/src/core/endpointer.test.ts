import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { Endpointer, frameFeatures, type EndpointerEvent, type EndpointerOptions } from './endpointer.ts';
import { concatPcm } from './audio/frames.ts';

const RATE = 16000;
const ms = (n: number) => (RATE * n) / 1000;

/**
 * Speech-like sound at roughly `db` dBFS RMS: a vowel (150 Hz fundamental and harmonics) in
 * 200 ms syllables with 50 ms gaps, always ending on a syllable. The gaps matter: real speech
 * dips between syllables, and a perfectly steady sound is treated as background.
 */
function voiced(durationMs: number, db = -20): Int16Array {
  const out = new Int16Array(ms(durationMs));
  const unitRms = Math.sqrt((1 + 0.25 + 0.09) / 2) / 1.3;
  const amp = (32768 * 10 ** (db / 20)) / unitRms;
  for (let i = 0; i < out.length; i++) {
    const t = i / RATE;
    const inGap = (t * 1000) % 250 >= 200 && t * 1000 < durationMs - 50;
    if (inGap) continue;
    out[i] = Math.round(
      (amp *
        (Math.sin(2 * Math.PI * 150 * t) +
          0.5 * Math.sin(2 * Math.PI * 450 * t) +
          0.3 * Math.sin(2 * Math.PI * 700 * t))) /
        1.3,
    );
  }
  return out;
}

function silence(durationMs: number): Int16Array {
  return new Int16Array(ms(durationMs));
}

/** Deterministic white noise at roughly `db` dBFS RMS; `clip` saturates every sample. */
function noise(durationMs: number, db = -20, clip = false): Int16Array {
  const out = new Int16Array(ms(durationMs));
  let x = 12345;
  const amp = 32768 * 10 ** (db / 20) * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const u = x / 2147483648 - 0.5;
    out[i] = clip ? (u >= 0 ? 32767 : -32768) : Math.max(-32768, Math.min(32767, Math.round(2 * u * amp)));
  }
  return out;
}

/** Feeds audio in chunks of `chunkMs` and returns the events without the bulky audio. */
function run(audio: Int16Array, opts: Partial<EndpointerOptions> = {}, chunkMs = 20) {
  const ep = new Endpointer({ sampleRate: RATE, ...opts });
  const events: EndpointerEvent[] = [];
  for (let at = 0; at < audio.length; at += ms(chunkMs)) events.push(...ep.push(audio.subarray(at, at + ms(chunkMs))));
  events.push(...ep.flush());
  return {
    ep,
    events,
    marks: events
      .filter((e) => e.type !== 'audio')
      .map((e) => (e.type === 'speech_end' ? `end@${e.atMs}:${e.reason}` : `start@${e.atMs}`)),
  };
}

describe('frameFeatures', () => {
  it('measures level in dBFS and the zero-crossing rate, ignoring DC', () => {
    assert.equal(frameFeatures(silence(10)).levelDb, -100);
    const dc = new Int16Array(160).fill(20000);
    assert.equal(frameFeatures(dc).levelDb, -100);
    const v = frameFeatures(voiced(10, -20));
    assert.ok(Math.abs(v.levelDb - -20) < 3, `voiced level ${v.levelDb}`);
    assert.ok(v.zcr < 0.1, `voiced zcr ${v.zcr}`);
    assert.ok(frameFeatures(noise(10)).zcr > 0.35);
  });
});

describe('Endpointer', () => {
  it('finds one utterance with start and end on the audio clock', () => {
    const { marks, events } = run(concatPcm(silence(500), voiced(1000), silence(1000)));
    assert.deepEqual(marks, ['start@500', 'end@1500:silence']);
    const start = events.find((e) => e.type === 'speech_start')!;
    assert.ok(
      start.type === 'speech_start' && start.audio.length >= ms(300) + ms(100),
      'start carries the pre-roll and the onset',
    );
  });

  it('hands over every sample from the pre-roll to the end exactly once', () => {
    const { events } = run(concatPcm(silence(500), voiced(1000), silence(1000)), {
      preRollMs: 200,
      onsetWindowMs: 250,
    });
    const speech = events.reduce((n, e) => n + (e.type === 'speech_end' ? 0 : e.audio.length), 0);
    // history (pre-roll + onset window, in frames) up to the
    // onset, then every frame until 400 ms after the last loud one
    const onsetFrame = 500 / 10 + 100 / 10 - 1;
    const historyFrames = Math.min(onsetFrame + 1, (200 + 250) / 10);
    const afterOnset = 1500 / 10 + 400 / 10 - (onsetFrame + 1);
    assert.equal(speech, (historyFrames + afterOnset) * ms(10));
  });

  it('separates utterances with more silence between them than endpointingMs', () => {
    assert.deepEqual(run(concatPcm(voiced(800), silence(1000), voiced(600), silence(600))).marks, [
      'start@0',
      'end@800:silence',
      'start@1800',
      'end@2400:silence',
    ]);
  });

  it('keeps one utterance across a pause shorter than endpointingMs', () => {
    assert.deepEqual(run(concatPcm(voiced(800), silence(300), voiced(600), silence(600))).marks, [
      'start@0',
      'end@1700:silence',
    ]);
    assert.deepEqual(
      run(concatPcm(voiced(800), silence(300), voiced(600), silence(600)), { endpointingMs: 250 }).marks,
      ['start@0', 'end@800:silence', 'start@1100', 'end@1700:silence'],
    );
  });

  it('ignores silence, white noise, clipped noise and clicks', () => {
    assert.deepEqual(run(silence(3000)).marks, []);
    assert.deepEqual(run(noise(3000, -20)).marks, []);
    assert.deepEqual(run(noise(3000, -3)).marks, []);
    assert.deepEqual(run(noise(3000, 0, true)).marks, []);
    assert.deepEqual(run(concatPcm(silence(500), voiced(30), silence(500), voiced(40), silence(500))).marks, []);
  });

  it('hears speech over steady background noise once the floor has adapted', () => {
    const bed = noise(4000, -45);
    const speech = concatPcm(silence(2000), voiced(1000, -15), silence(1000));
    const mixed = bed.map((x, i) => Math.max(-32768, Math.min(32767, x + speech[i]!)));
    assert.deepEqual(run(mixed).marks, ['start@2000', 'end@3000:silence']);
  });

  it('ignores audio quieter than minLevelDb', () => {
    assert.deepEqual(run(concatPcm(silence(200), voiced(1000, -60), silence(500))).marks, []);
    assert.deepEqual(run(concatPcm(silence(200), voiced(1000, -60), silence(500)), { minLevelDb: -70 }).marks, [
      'start@200',
      'end@1200:silence',
    ]);
  });

  it('cuts an utterance at maxUtteranceMs and ends one in progress on flush', () => {
    assert.deepEqual(run(voiced(2500), { maxUtteranceMs: 1000 }).marks, [
      'start@0',
      'end@1000:max_length',
      'start@1000',
      'end@2000:max_length',
      'start@2000',
      'end@2500:flush',
    ]);
  });

  it('decides the same whatever the chunk size', () => {
    const audio = concatPcm(silence(300), voiced(700), silence(450), voiced(500), silence(900));
    const reference = run(audio, {}, 10).marks;
    for (const chunk of [7, 20, 33, 100, 1000])
      assert.deepEqual(run(audio, {}, chunk).marks, reference, `chunk ${chunk} ms`);
  });

  it('rejects nonsensical options', () => {
    assert.throws(() => new Endpointer({ sampleRate: 16001 }), /sampleRate/);
    assert.throws(() => new Endpointer({ sampleRate: RATE, endpointingMs: 0 }), /endpointingMs/);
    assert.throws(() => new Endpointer({ sampleRate: RATE, minSpeechMs: 500 }), /minSpeechMs/);
  });
});
