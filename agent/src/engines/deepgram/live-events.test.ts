import { stt } from '@livekit/agents';
import assert from 'node:assert/strict';
import { test } from 'vitest';
import { LiveTranscript, type DeepgramResults } from './live-events.ts';

const T = stt.SpeechEventType;

function results(text: string, start: number, duration: number, flags: Partial<DeepgramResults> = {}): DeepgramResults {
  return {
    type: 'Results',
    start,
    duration,
    channel: { alternatives: [{ transcript: text, confidence: 0.9 }] },
    metadata: { request_id: 'req-1' },
    ...flags,
  };
}

const types = (evs: stt.SpeechEvent[]) => evs.map((e) => T[e.type]);

test('one utterance: start, interims, final, end; the end carries the joined finals', () => {
  const lt = new LiveTranscript('en-US');
  const evs = [
    ...lt.speechStarted(),
    ...lt.results(results('book', 0, 0.5), 0),
    ...lt.results(results('book me in', 0, 1), 0),
    ...lt.results(results('Book me in', 0, 1.2, { is_final: true }), 0),
    ...lt.results(results('for Monday.', 1.2, 0.8, { is_final: true, speech_final: true }), 0),
  ];
  assert.deepEqual(types(evs), [
    'START_OF_SPEECH',
    'INTERIM_TRANSCRIPT',
    'INTERIM_TRANSCRIPT',
    'FINAL_TRANSCRIPT',
    'FINAL_TRANSCRIPT',
    'END_OF_SPEECH',
  ]);
  const end = evs.at(-1)!.alternatives![0];
  assert.equal(end.text, 'Book me in for Monday.');
  assert.equal(end.startTime, 0);
  assert.equal(end.endTime, 2);
  assert.equal(evs[1]!.requestId, 'req-1');
});

test('a transcript before SpeechStarted starts speech; a late SpeechStarted is not a second start', () => {
  const lt = new LiveTranscript('en');
  const evs = [...lt.results(results('hello', 0, 0.4), 0), ...lt.speechStarted()];
  assert.deepEqual(types(evs), ['START_OF_SPEECH', 'INTERIM_TRANSCRIPT']);
});

test('empty transcripts (Deepgram finalizing silence) produce nothing', () => {
  const lt = new LiveTranscript('en');
  assert.deepEqual(lt.results(results('', 0, 3, { is_final: true }), 0), []);
  assert.deepEqual(lt.results(results('', 3, 3, { is_final: true, speech_final: true }), 0), []);
  assert.equal(lt.speaking, false);
});

test('UtteranceEnd ends speech when endpointing never fired; a second one is a no-op', () => {
  const lt = new LiveTranscript('en');
  const evs = [
    ...lt.results(results('yes', 0, 0.3, { is_final: true }), 0),
    ...lt.utteranceEnd(),
    ...lt.utteranceEnd(),
  ];
  assert.deepEqual(types(evs), ['START_OF_SPEECH', 'FINAL_TRANSCRIPT', 'END_OF_SPEECH']);
});

test('a final flushed by Finalize ends the utterance', () => {
  const lt = new LiveTranscript('en');
  const evs = lt.results(results('no thanks', 0, 0.6, { is_final: true, from_finalize: true }), 0);
  assert.deepEqual(types(evs), ['START_OF_SPEECH', 'FINAL_TRANSCRIPT', 'END_OF_SPEECH']);
});

test('times are shifted onto the stream timeline after a reconnect', () => {
  const lt = new LiveTranscript('en');
  const [, interim] = lt.results(results('again', 0.5, 1), 12.25);
  assert.equal(interim!.alternatives![0].startTime, 12.75);
  assert.equal(interim!.alternatives![0].endTime, 13.75);
});
