/**
 * Hostile room data (issue 13, point 8): what a participant of a call could publish on the room's data
 * channel. Voxanne's protocol (contracts/src/protocol.ts) is agent → page; the page decodes whatever
 * arrives on DATA_TOPIC with decodeMessage(), and the agent must ignore data altogether. Payloads: the
 * protocol's own messages with fields made hostile, JSON that is not a message, broken UTF-8 and JSON,
 * random bytes, and payloads near LiveKit's 15 KB reliable-packet limit; on our topic and others.
 */
import { DATA_TOPIC, encodeMessage, type AgentMessage } from '@voxanne/contracts/protocol';
import { mutate, nastyString, nastyValue } from './inputs.ts';
import type { Rng } from './rng.ts';

export interface RoomDataCase {
  topic: string;
  payload: Uint8Array;
}

const VALID: AgentMessage[] = [
  { v: 1, type: 'state', callId: 'c1', state: 'SPEAKING', previous: 'LISTENING', atMs: 12 },
  { v: 1, type: 'transcript', callId: 'c1', speaker: 'agent', id: 't1', text: 'Hello', final: true },
  { v: 1, type: 'engines', callId: 'c1', engines: { stt: 'x', llm: 'y', tts: 'z', offline: true } },
];

const utf8 = (s: string) => new TextEncoder().encode(s);

function bytes(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(0, 255);
  return b;
}

export function roomDataCase(r: Rng): RoomDataCase {
  const topic = r.chance(0.7)
    ? DATA_TOPIC
    : r.pick(['', 'lk-chat-topic', 'lk.transcription', nastyString(r).slice(0, 200)]);
  let payload: Uint8Array;
  switch (r.int(0, 7)) {
    case 0:
    case 1:
    case 2:
      payload = utf8(JSON.stringify(mutate(r, { ...r.pick(VALID) }) ?? null));
      break;
    case 3:
      payload = utf8(JSON.stringify(nastyValue(r)) ?? 'undefined');
      break;
    case 4: {
      // a valid message, cut short or with bytes flipped
      const m = encodeMessage(r.pick(VALID));
      payload = r.chance(0.5) ? m.slice(0, r.int(0, m.length - 1)) : m.map((x) => (r.chance(0.1) ? r.int(0, 255) : x));
      break;
    }
    case 5:
      payload = bytes(r, r.int(0, 64));
      break;
    case 6:
      // near LiveKit's reliable data limit (15 KB)
      payload = utf8(JSON.stringify({ v: 1, type: 'transcript', callId: 'c1', text: 'x'.repeat(r.int(1000, 14_000)) }));
      break;
    default:
      payload = utf8(
        r.pick(['', 'null', '[]', '{}', '{"v":1}', '{"v":"1","type":"state"}', '\u0000', '{"__proto__":{"v":1}}']),
      );
  }
  return { topic, payload };
}
