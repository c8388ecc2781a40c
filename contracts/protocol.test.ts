import { describe, expect, test } from 'vitest';
import { decodeMessage, decodePlayout, encodeMessage, encodePlayout, type AgentMessage } from './src/protocol.ts';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

const valid: AgentMessage[] = [
  { v: 1, type: 'state', callId: 'c', state: 'SPEAKING', previous: 'PROCESSING', atMs: 12 },
  { v: 1, type: 'transcript', callId: 'c', speaker: 'user', id: 't1', text: 'hello', final: true },
  { v: 1, type: 'engines', callId: 'c', engines: { stt: 'a', llm: 'b', tts: 'c', offline: true } },
  {
    v: 1,
    type: 'metrics',
    callId: 'c',
    metrics: {
      turn: 1,
      sttFinalDelayMs: 90,
      endOfTurnDelayMs: null,
      llmTtftMs: 20,
      ttsTtfbMs: 80,
      voiceToVoiceMs: 300,
      engines: { llm: 'b', tts: 'c' },
      watchdogRecoveries: 0,
    },
  },
];

const metrics = (valid[3] as Extract<AgentMessage, { type: 'metrics' }>).metrics;

describe('decodeMessage', () => {
  test('metrics of an older agent without some delays decode with those as null, extra fields dropped', () => {
    const older = { turn: 2, voiceToVoiceMs: 300, engines: { llm: 'b', tts: 'c', x: 1 }, extra: 'y' };
    expect(decodeMessage(bytes({ v: 1, type: 'metrics', callId: 'c', metrics: older }))).toEqual({
      v: 1,
      type: 'metrics',
      callId: 'c',
      metrics: {
        turn: 2,
        sttFinalDelayMs: null,
        endOfTurnDelayMs: null,
        llmTtftMs: null,
        ttsTtfbMs: null,
        voiceToVoiceMs: 300,
        engines: { llm: 'b', tts: 'c' },
      },
    });
  });

  test.each(valid)('a well-formed $type message comes back as sent', (m) => {
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  test.each([
    ['not JSON', new TextEncoder().encode('{oops')],
    ['a number', bytes(3)],
    ['another version', bytes({ ...valid[0], v: 2 })],
    ['no call id', bytes({ ...valid[0], callId: 5 })],
    ['an unknown state', bytes({ ...valid[0], state: 'DANCING' })],
    ['a state without its time', bytes({ ...valid[0], atMs: '12' })],
    ['a transcript from a third speaker', bytes({ ...valid[1], speaker: 'bot' })],
    ['a transcript whose final is a string', bytes({ ...valid[1], final: 'yes' })],
    ['engines without offline', bytes({ ...valid[2], engines: { stt: 'a', llm: 'b', tts: 'c' } })],
    ['engines that are null', bytes({ ...valid[2], engines: null })],
    ['metrics without a turn', bytes({ ...valid[3], metrics: {} })],
    // found by the fuzz (web/server/fuzz/room-data.ts): the page would print these as the latency
    ['metrics with a string delay', bytes({ ...valid[3], metrics: { ...metrics, voiceToVoiceMs: 'yyyy' } })],
    ['metrics with an object delay', bytes({ ...valid[3], metrics: { ...metrics, llmTtftMs: { k: 1 } } })],
    ['metrics without engines', bytes({ ...valid[3], metrics: { ...metrics, engines: undefined } })],
    ['metrics with a string count', bytes({ ...valid[3], metrics: { ...metrics, watchdogRecoveries: '1' } })],
    ['an unknown type', bytes({ v: 1, type: 'party', callId: 'c' })],
  ])('%s is refused (null)', (_name, payload) => {
    expect(decodeMessage(payload)).toBeNull();
  });
});

describe('decodePlayout', () => {
  const report = { v: 1, type: 'unheard', bargeInAtMs: 5120.5, unheardMs: 340 } as const;

  test('a well-formed report comes back as sent', () => {
    expect(decodePlayout(encodePlayout(report))).toEqual(report);
  });

  test.each([
    ['not JSON', new TextEncoder().encode('{oops')],
    ['another version', bytes({ ...report, v: 2 })],
    ['another type', bytes({ ...report, type: 'heard' })],
    ['a negative amount', bytes({ ...report, unheardMs: -1 })],
    ['an amount that is a string', bytes({ ...report, unheardMs: '340' })],
    ['no barge-in time', bytes({ v: 1, type: 'unheard', unheardMs: 340 })],
  ])('%s is refused (null)', (_name, payload) => {
    expect(decodePlayout(payload)).toBeNull();
  });
});
