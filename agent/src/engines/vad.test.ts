import assert from 'node:assert/strict';
import { initializeLogger, VADEventType } from '@livekit/agents';
import { AudioFrame } from '@livekit/rtc-node';
import { beforeAll, describe, it } from 'vitest';
import { resample } from '../core/audio/resample.ts';
import { synthesize } from './flite/index.ts';
import { loadVad } from './index.ts';

const RATE = 16000;

/** The VAD's START/END events (ms into the audio) for 16 kHz audio pushed as the call pushes it: 10 ms frames. */
async function vadEvents(audio: Int16Array): Promise<{ type: 'start' | 'end'; atMs: number }[]> {
  const stream = (await loadVad()).stream();
  const events: { type: 'start' | 'end'; atMs: number }[] = [];
  const lastWindow = audio.length - 512;
  const heard = (async () => {
    for await (const ev of stream) {
      if (ev.type === VADEventType.START_OF_SPEECH) events.push({ type: 'start', atMs: ev.timestamp });
      if (ev.type === VADEventType.END_OF_SPEECH) events.push({ type: 'end', atMs: ev.timestamp });
      if (ev.samplesIndex >= lastWindow) break;
    }
  })();
  for (let i = 0; i + 160 <= audio.length; i += 160)
    stream.pushFrame(new AudioFrame(audio.slice(i, i + 160), RATE, 1, 160));
  await heard;
  stream.close();
  return events;
}

describe('the call VAD (native Silero)', () => {
  let speech: Int16Array;
  beforeAll(async () => {
    initializeLogger({ pretty: false, level: 'warn' });
    const s = await synthesize('Hello, I would like to book a cleaning for next Tuesday, please.');
    speech = resample(s.samples, s.sampleRate, RATE);
  });

  it('speech between two silences: one start near the first word, one end 300 ms after the last', async () => {
    const lead = RATE; // 1 s of silence before and after
    const audio = new Int16Array(lead + speech.length + lead);
    audio.set(speech, lead);
    const first = speech.findIndex((x) => Math.abs(x) > 500);
    const last = speech.length - 1 - [...speech].reverse().findIndex((x) => Math.abs(x) > 500);
    const onsetMs = ((lead + first) / RATE) * 1000;
    const offsetMs = ((lead + last) / RATE) * 1000;
    const events = await vadEvents(audio);
    assert.deepEqual(
      events.map((e) => e.type),
      ['start', 'end'],
    );
    // 60 ms of speech starts it, judged on 32 ms windows
    assert.ok(
      events[0]!.atMs >= onsetMs && events[0]!.atMs <= onsetMs + 200,
      `start at ${events[0]!.atMs} ms, speech at ${onsetMs}`,
    );
    // 300 ms of silence ends it (within a window or two of the last audible sample)
    assert.ok(
      events[1]!.atMs >= offsetMs + 250 && events[1]!.atMs <= offsetMs + 450,
      `end at ${events[1]!.atMs} ms, last word ends ${offsetMs}`,
    );
  });

  it('silence and quiet noise start nothing', async () => {
    const audio = new Int16Array(3 * RATE);
    for (let i = 0; i < audio.length; i++) audio[i] = Math.round((Math.random() - 0.5) * 60);
    assert.deepEqual(await vadEvents(audio), []);
  });
});
