/**
 * Hostile room data (issue 13, point 8): what a participant of a call could publish on the room's data
 * channel. Voxanne's protocol (contracts/src/protocol.ts) is agent → page on DATA_TOPIC, decoded with
 * decodeMessage() by the page and the Twilio bridges, and bridge ↔ agent on RELAY_TOPIC, decoded with
 * decodeRelay(); the agent ignores everything else. Payloads: the protocol's own messages with fields
 * made hostile, JSON that is not a message, broken UTF-8 and JSON, random bytes, and payloads near
 * LiveKit's 15 KB reliable-packet limit; on our topics and others.
 */
import {
  CONVERSATION_STATES,
  DATA_TOPIC,
  decodeMessage,
  decodeRelay,
  encodeMessage,
  encodeRelay,
  RELAY_TOPIC,
  type AgentMessage,
  type RelayMessage,
} from '@voxanne/contracts/protocol';
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
  {
    v: 1,
    type: 'metrics',
    callId: 'c1',
    metrics: {
      turn: 1,
      sttFinalDelayMs: 80,
      endOfTurnDelayMs: null,
      llmTtftMs: 20,
      ttsTtfbMs: 90,
      voiceToVoiceMs: 400,
      engines: { llm: 'y', tts: 'z' },
      watchdogRecoveries: 0,
    },
  },
];

const VALID_RELAY: RelayMessage[] = [
  { v: 1, type: 'prompt', text: 'what are your opening hours' },
  { v: 1, type: 'interrupt', heard: 'We are open', durationMs: 900 },
  { v: 1, type: 'text', text: 'We are open from nine.' },
];

const utf8 = (s: string) => new TextEncoder().encode(s);

function bytes(r: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = r.int(0, 255);
  return b;
}

/** a hostile payload built around one of `valid`'s messages */
function payloadOf(r: Rng, valid: readonly object[], encode: (m: never) => Uint8Array): Uint8Array {
  switch (r.int(0, 7)) {
    case 0:
    case 1:
      return utf8(JSON.stringify(mutate(r, { ...r.pick(valid) }) ?? null));
    case 2: {
      // a field inside a message's nested object (metrics, engines) made hostile
      const m = structuredClone(r.pick(valid)) as Record<string, unknown>;
      const inner = Object.keys(m).filter((k) => typeof m[k] === 'object' && m[k] !== null);
      if (inner.length) {
        const k = r.pick(inner);
        m[k] = mutate(r, m[k] as Record<string, unknown>);
      }
      return utf8(JSON.stringify(m));
    }
    case 3:
      return utf8(JSON.stringify(nastyValue(r)) ?? 'undefined');
    case 4: {
      // a valid message, cut short or with bytes flipped
      const m = encode(r.pick(valid) as never);
      return r.chance(0.5) ? m.slice(0, r.int(0, m.length - 1)) : m.map((x) => (r.chance(0.1) ? r.int(0, 255) : x));
    }
    case 5:
      return bytes(r, r.int(0, 64));
    case 6:
      // near LiveKit's reliable data limit (15 KB)
      return utf8(JSON.stringify({ ...r.pick(valid), text: 'x'.repeat(r.int(1000, 14_000)) }));
    default:
      return utf8(
        r.pick(['', 'null', '[]', '{}', '{"v":1}', '{"v":"1","type":"state"}', '\u0000', '{"__proto__":{"v":1}}']),
      );
  }
}

/** a payload for the page's topic (most), another topic, or the relay's */
export function roomDataCase(r: Rng): RoomDataCase {
  const topic = r.chance(0.7)
    ? DATA_TOPIC
    : r.pick(['', 'lk-chat-topic', 'lk.transcription', nastyString(r).slice(0, 200)]);
  return { topic, payload: payloadOf(r, VALID, encodeMessage) };
}

export function relayDataCase(r: Rng): RoomDataCase {
  return { topic: RELAY_TOPIC, payload: payloadOf(r, VALID_RELAY, encodeRelay) };
}

const isNum = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
const isNumOrNull = (x: unknown) => x === null || isNum(x);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isState = (x: unknown) => (CONVERSATION_STATES as readonly unknown[]).includes(x);

/** what is wrong with a decoded AgentMessage, measured against its declared type; undefined when nothing */
export function agentMessageProblem(m: AgentMessage): string | undefined {
  const o = m as unknown as Record<string, unknown>;
  if (o.v !== 1 || typeof o.callId !== 'string') return 'no v 1 or callId';
  switch (o.type) {
    case 'state':
      return isState(o.state) && isState(o.previous) && isNum(o.atMs) ? undefined : 'a state message out of shape';
    case 'transcript':
      return (o.speaker === 'user' || o.speaker === 'agent') &&
        typeof o.id === 'string' &&
        typeof o.text === 'string' &&
        typeof o.final === 'boolean'
        ? undefined
        : 'a transcript out of shape';
    case 'engines': {
      const e = o.engines;
      return isObj(e) &&
        typeof e.stt === 'string' &&
        typeof e.llm === 'string' &&
        typeof e.tts === 'string' &&
        typeof e.offline === 'boolean'
        ? undefined
        : 'an engines message out of shape';
    }
    case 'metrics': {
      const x = o.metrics;
      const ok =
        isObj(x) &&
        isNum(x.turn) &&
        ['sttFinalDelayMs', 'endOfTurnDelayMs', 'llmTtftMs', 'ttsTtfbMs', 'voiceToVoiceMs'].every((k) =>
          isNumOrNull(x[k]),
        ) &&
        isObj(x.engines) &&
        typeof x.engines.llm === 'string' &&
        typeof x.engines.tts === 'string' &&
        (x.watchdogRecoveries === undefined || isNum(x.watchdogRecoveries));
      return ok ? undefined : 'a metrics message out of shape';
    }
    default:
      return `an unknown type ${JSON.stringify(o.type)}`;
  }
}

export function relayMessageProblem(m: RelayMessage): string | undefined {
  const o = m as unknown as Record<string, unknown>;
  if (o.v !== 1) return 'no v 1';
  if (o.type === 'prompt' || o.type === 'text') return typeof o.text === 'string' ? undefined : 'no text';
  if (o.type === 'interrupt')
    return typeof o.heard === 'string' && isNum(o.durationMs) ? undefined : 'an interrupt out of shape';
  return `an unknown type ${JSON.stringify(o.type)}`;
}

export const ROOM_DATA_SURFACES = ['room-data', 'relay-data'] as const;
export type RoomDataSurface = (typeof ROOM_DATA_SURFACES)[number];

export interface RoomDataResult {
  cases: number;
  bySurface: Record<RoomDataSurface, number>;
  /** decoded as a message, or ignored */
  byOutcome: Record<'message' | 'ignored', number>;
  failures: { case: number; surface: RoomDataSurface; problem: string; sample: string }[];
}

/**
 * `cases` payloads through the decoders every receiver uses: decodeMessage (the page, the Twilio bridges)
 * and decodeRelay (the relay bridge, the agent). Each must answer a well-formed message or null and never
 * throw; a message that passes the decoder but not its own type is a failure (a receiver trusts the type).
 */
export function fuzzRoomData(r: Rng, cases: number): RoomDataResult {
  const result: RoomDataResult = {
    cases: 0,
    bySurface: { 'room-data': 0, 'relay-data': 0 },
    byOutcome: { message: 0, ignored: 0 },
    failures: [],
  };
  for (let i = 0; i < cases; i++) {
    const surface = ROOM_DATA_SURFACES[i % ROOM_DATA_SURFACES.length]!;
    const c = surface === 'room-data' ? roomDataCase(r) : relayDataCase(r);
    result.cases++;
    result.bySurface[surface]++;
    let problem: string | undefined;
    try {
      if (surface === 'room-data') {
        const m = decodeMessage(c.payload);
        result.byOutcome[m ? 'message' : 'ignored']++;
        problem = m ? agentMessageProblem(m) : undefined;
      } else {
        const m = decodeRelay(c.payload);
        result.byOutcome[m ? 'message' : 'ignored']++;
        problem = m ? relayMessageProblem(m) : undefined;
      }
    } catch (e) {
      problem = `the decoder threw: ${(e as Error).message}`;
    }
    if (problem)
      result.failures.push({
        case: i,
        surface,
        problem,
        sample: new TextDecoder().decode(c.payload.slice(0, 300)),
      });
  }
  return result;
}
