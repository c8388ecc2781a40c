import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { AudioFrame } from '@livekit/rtc-node';
import type { AudioOut } from './audio-out.ts';
import { cannedChunks, playChunks, type CannedSentence } from './reply.ts';

const RATE = 16000;
const frames = (n: number) => Array.from({ length: n }, () => AudioFrame.create(RATE, 1, RATE / 100));

describe('cannedChunks: the greeting made in advance', () => {
  it('plays sentence by sentence: a barge-in in the second sentence leaves only it and the rest unsaid', async () => {
    const sentences: CannedSentence[] = [
      { text: 'Hello, thanks for calling Riverside Clinic.', audio: frames(3) },
      { text: 'This is Voxanne.', audio: frames(3) },
      { text: 'How can I help you today?', audio: frames(3) },
    ];
    const abort = new AbortController();
    let written = 0;
    // what playChunks needs of AudioOut: a write that takes the frame, and a drain
    const out = {
      write: async () => {
        if (++written === 4) abort.abort(); // the caller cuts in during the first frame of sentence two
        return true;
      },
      drain: async () => {},
    } as unknown as AudioOut;
    const chunks: string[] = [];
    const r = await playChunks(
      cannedChunks(sentences),
      out,
      1,
      { onFirstAudio: () => {}, onChunk: (s) => chunks.push(s) },
      abort.signal,
    );
    assert.deepEqual(
      r.played.map((c) => [c.text, c.durationMs]),
      [
        ['Hello, thanks for calling Riverside Clinic.', 30],
        ['This is Voxanne.', 10],
      ],
    );
    assert.deepEqual(r.skipped, ['How can I help you today?']);
    assert.equal(r.completed, false);
  });

  it('heard to the end: every sentence in order, with its own audio', async () => {
    const sentences: CannedSentence[] = [
      { text: 'One.', audio: frames(2) },
      { text: 'Two.', audio: frames(5) },
    ];
    const out = { write: async () => true, drain: async () => {} } as unknown as AudioOut;
    const r = await playChunks(
      cannedChunks(sentences),
      out,
      1,
      { onFirstAudio: () => {}, onChunk: () => {} },
      new AbortController().signal,
    );
    assert.deepEqual(
      r.played.map((c) => [c.text, c.durationMs]),
      [
        ['One.', 20],
        ['Two.', 50],
      ],
    );
    assert.equal(r.completed, true);
  });
});
