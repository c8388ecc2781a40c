import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { initializeLogger, type stt, type VADEvent } from '@livekit/agents';
import { AudioFrame, dispose, TrackKind, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import { loadVad } from '../engines/index.ts';
import { CallerAudio } from './caller-audio.ts';
import type { Logger } from './logger.ts';

beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));
afterAll(() => dispose());

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };

/** A recogniser stream that takes frames and ends when its input does. */
function fakeStt(): stt.STT {
  return {
    label: 'fake-stt',
    on() {},
    off() {},
    stream() {
      let end: () => void = () => {};
      const ended = new Promise<void>((r) => (end = r));
      return {
        pushFrame() {},
        endInput: () => end(),
        close: () => end(),
        async *[Symbol.asyncIterator]() {
          await ended;
        },
      };
    },
  } as unknown as stt.STT;
}

/** `n` 10 ms frames at 16 kHz of a 440 Hz tone: something for the VAD to chew on */
async function* tone(n: number): AsyncIterable<AudioFrame> {
  for (let i = 0; i < n; i++) {
    const data = new Int16Array(160);
    for (let j = 0; j < 160; j++) data[j] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * (i * 160 + j)) / 16000));
    yield new AudioFrame(data, 16000, 1, 160);
    await new Promise((r) => setImmediate(r));
  }
}

describe('CallerAudio with the real Silero VAD', () => {
  it('the caller leaves mid-call (their audio ends): no unhandled rejection from the VAD', async () => {
    const vad = await loadVad();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const room = { on() {}, off() {} } as unknown as Room;
      const track = { kind: TrackKind.KIND_AUDIO };
      const caller = {
        identity: 'caller-1',
        trackPublications: new Map([['mic', { track, kind: TrackKind.KIND_AUDIO }]]),
      } as unknown as RemoteParticipant;
      let frames = 0;
      let audioEnded!: () => void;
      const ended = new Promise<void>((r) => (audioEnded = r));
      const events: VADEvent[] = [];
      const listener = new CallerAudio(
        room,
        caller,
        fakeStt(),
        vad,
        {
          onSpeech() {},
          onVad: (ev) => void events.push(ev),
          onLevel: () => void frames++,
          onSttFailure: () => undefined,
        },
        quiet,
        () =>
          (async function* () {
            yield* tone(50);
            audioEnded(); // the track is gone: the caller hung up
          })(),
      );
      listener.start();
      await ended;
      // what the library does with a close it does not await surfaces within a few turns of the loop
      await new Promise((r) => setTimeout(r, 200));
      listener.close();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(frames, 50, 'every frame reached the listener');
      assert.deepEqual(
        rejections.map((r) => String(r)),
        [],
      );
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });
});
