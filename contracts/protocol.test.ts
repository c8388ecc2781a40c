import { describe, expect, test } from 'vitest';
import { decodeMessage, encodeMessage, type AgentMessage } from './src/protocol.ts';

const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

const valid: AgentMessage[] = [
  { v: 1, type: 'state', callId: 'c', state: 'SPEAKING', previous: 'PROCESSING', atMs: 12 },
  { v: 1, type: 'transcript', callId: 'c', speaker: 'user', id: 't1', text: 'hello', final: true },
  { v: 1, type: 'engines', callId: 'c', engines: { stt: 'a', llm: 'b', tts: 'c', offline: true } },
  {
    v: 1,
    type: 'metrics',
    callId: 'c',
    metrics: { turn: 1, voiceToVoiceMs: 300, engines: { llm: 'b', tts: 'c' } } as never,
  },
];

describe('decodeMessage', () => {
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
    ['an unknown type', bytes({ v: 1, type: 'party', callId: 'c' })],
  ])('%s is refused (null)', (_name, payload) => {
    expect(decodeMessage(payload)).toBeNull();
  });
});
