/**
 * What the agent tells the room (and so the web page and, later, the dashboard).
 * Sent as JSON data messages on DATA_TOPIC, reliable delivery. The current state is also kept in the
 * agent participant's attribute STATE_ATTRIBUTE so a late joiner sees it without history.
 * Pure types and helpers: imported by the agent and by the browser bundle.
 */
export const DATA_TOPIC = 'voxanne';
export const STATE_ATTRIBUTE = 'voxanne.state';
export const ENGINES_ATTRIBUTE = 'voxanne.engines';

/**
 * The name Voxanne's worker registers under (AGENT_NAME overrides it, in every process that reads it).
 * She is dispatched explicitly, never into every new room: the web server dispatches her when it
 * creates a caller's room, SIP dispatch rules and outbound calls name her, crash recovery re-dispatches
 * her. One name, declared once, so they cannot drift apart.
 */
export const DEFAULT_AGENT_NAME = 'voxanne';
/** what AGENT_NAME may be: safe in logs and in LiveKit's dispatch records */
export const AGENT_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export const CONVERSATION_STATES = ['IDLE', 'LISTENING', 'PROCESSING', 'SPEAKING', 'INTERRUPTED'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

export type Speaker = 'user' | 'agent';

export interface EnginesInfo {
  stt: string;
  llm: string;
  tts: string;
  /** true when every engine is an embedded, offline one */
  offline: boolean;
}

export interface TurnMetricsMessage {
  turn: number;
  sttFinalDelayMs: number | null;
  endOfTurnDelayMs: number | null;
  llmTtftMs: number | null;
  ttsTtfbMs: number | null;
  voiceToVoiceMs: number | null;
  engines: { llm: string; tts: string };
  /** how often the watchdog had to unstick this call so far (absent from agents that predate it) */
  watchdogRecoveries?: number;
}

export type AgentMessage =
  | { v: 1; type: 'state'; callId: string; state: ConversationState; previous: ConversationState; atMs: number }
  | { v: 1; type: 'transcript'; callId: string; speaker: Speaker; id: string; text: string; final: boolean }
  | { v: 1; type: 'engines'; callId: string; engines: EnginesInfo }
  | { v: 1; type: 'metrics'; callId: string; metrics: TurnMetricsMessage };

export function encodeMessage(m: AgentMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

/** Whether `v` is an object whose named fields have these JavaScript types. */
function fieldsAre(v: unknown, kinds: Record<string, 'string' | 'number' | 'boolean'>): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return Object.entries(kinds).every(([field, kind]) => typeof o[field] === kind);
}

/** Returns the message, or null for anything that is not a well-formed AgentMessage. */
export function decodeMessage(bytes: Uint8Array): AgentMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null; // not JSON: someone else's data on our topic; ignoring it is the contract
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.v !== 1 || typeof o.callId !== 'string') return null;
  switch (o.type) {
    case 'state':
      return isState(o.state) && isState(o.previous) && fieldsAre(o, { atMs: 'number' }) ? (o as AgentMessage) : null;
    case 'transcript':
      return (o.speaker === 'user' || o.speaker === 'agent') &&
        fieldsAre(o, { id: 'string', text: 'string', final: 'boolean' })
        ? (o as AgentMessage)
        : null;
    case 'engines':
      return fieldsAre(o.engines, { stt: 'string', llm: 'string', tts: 'string', offline: 'boolean' })
        ? (o as AgentMessage)
        : null;
    case 'metrics': {
      const metrics = turnMetrics(o.metrics);
      return metrics ? { v: 1, type: 'metrics', callId: o.callId, metrics } : null;
    }
    default:
      return null;
  }
}

const DELAY_FIELDS = ['sttFinalDelayMs', 'endOfTurnDelayMs', 'llmTtftMs', 'ttsTtfbMs', 'voiceToVoiceMs'] as const;

/**
 * A turn's metrics in their declared shape, or null: the page prints these numbers, so a string or an
 * object where a delay goes is refused (the fuzz found "yyyy…" accepted as voiceToVoiceMs). A delay an
 * older agent did not send reads as null, not measured.
 */
function turnMetrics(v: unknown): TurnMetricsMessage | null {
  if (!fieldsAre(v, { turn: 'number' })) return null;
  const o = v as Record<string, unknown>;
  const delay = (x: unknown) => x === undefined || x === null || typeof x === 'number';
  if (!DELAY_FIELDS.every((k) => delay(o[k]))) return null;
  if (!fieldsAre(o.engines, { llm: 'string', tts: 'string' })) return null;
  if (o.watchdogRecoveries !== undefined && typeof o.watchdogRecoveries !== 'number') return null;
  const engines = o.engines as { llm: string; tts: string };
  return {
    turn: o.turn as number,
    ...(Object.fromEntries(DELAY_FIELDS.map((k) => [k, (o[k] as number | undefined) ?? null])) as Record<
      (typeof DELAY_FIELDS)[number],
      number | null
    >),
    engines: { llm: engines.llm, tts: engines.tts },
    ...(o.watchdogRecoveries !== undefined ? { watchdogRecoveries: o.watchdogRecoveries as number } : {}),
  };
}

function isState(s: unknown): s is ConversationState {
  return typeof s === 'string' && (CONVERSATION_STATES as readonly string[]).includes(s);
}

/**
 * A caller bridged in from a telephone WebSocket (Twilio Media Streams) is a standard participant,
 * not a SIP one: the bridge says how it came in and whose line it is in its attributes, set in its
 * token so they are there when it joins. The number is masked by the bridge; the full number never
 * enters the room.
 */
export const CHANNEL_ATTRIBUTE = 'voxanne.channel';
export const CALLER_MASKED_ATTRIBUTE = 'voxanne.callerMasked';
export const TWILIO_MEDIA_CHANNEL = 'twilio-media';

/**
 * The RPC method a Media Streams bridge answers: hand this caller to a person. Payload
 * `{"to":"tel:+1…"|"sip:…"}`; the bridge redirects the call through Twilio's REST API and answers
 * "ok", or fails the RPC with the reason. Only the agent participant may call it.
 */
export const TRANSFER_RPC_METHOD = 'voxanne.transfer';

/**
 * The barge-in signal a bridge acts on (it must drop the audio the carrier still has queued, at
 * once): her state message going SPEAKING → INTERRUPTED, sent reliably on DATA_TOPIC the moment
 * the agent's VAD confirms the caller's speech over her voice. The same state is in STATE_ATTRIBUTE
 * for a bridge that joined late.
 */
export function isBargeIn(m: AgentMessage): boolean {
  return m.type === 'state' && m.state === 'INTERRUPTED' && m.previous === 'SPEAKING';
}

/**
 * A Twilio ConversationRelay caller (web/server/twilio/relay-bridge.ts): Twilio hears and speaks, and
 * the bridge joins the room as a caller with no audio track, carrying the call's text on RELAY_TOPIC.
 * Bridge → agent: the caller's finished words (`prompt`), Twilio's report that the caller talked over
 * her (`interrupt`: what Twilio had spoken until then). Agent → bridge: one sentence of hers to speak
 * (`text`). The end of her reply is her state leaving SPEAKING, on DATA_TOPIC as for every channel.
 */
export const TWILIO_RELAY_CHANNEL = 'twilio-relay';
export const RELAY_TOPIC = 'voxanne.relay';

export type RelayMessage =
  | { v: 1; type: 'prompt'; text: string }
  | { v: 1; type: 'interrupt'; heard: string; durationMs: number }
  | { v: 1; type: 'text'; text: string };

export function encodeRelay(m: RelayMessage): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

/** Returns the message, or null for anything that is not a well-formed RelayMessage. */
export function decodeRelay(bytes: Uint8Array): RelayMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const o = m as Record<string, unknown>;
  if (o.v !== 1) return null;
  switch (o.type) {
    case 'prompt':
    case 'text':
      return typeof o.text === 'string' ? (o as RelayMessage) : null;
    case 'interrupt':
      return typeof o.heard === 'string' && typeof o.durationMs === 'number' ? (o as RelayMessage) : null;
    default:
      return null;
  }
}

/**
 * A Media Streams bridge's playout report, bridge → agent on PLAYOUT_TOPIC, sent right after it acts on
 * her barge-in (isBargeIn): of her audio that had reached the bridge, how much the caller never heard
 * (still queued at Twilio, dropped by the `clear`, or held at the bridge after an edge clear), as
 * Twilio's mark echoes show. `bargeInAtMs` is the `atMs` of the state message it answers, so the agent
 * matches the report to the reply it stopped. The agent keeps in the history only the part of her
 * reply that was heard (agent/src/core/phone/far-end-playout.ts).
 */
export const PLAYOUT_TOPIC = 'voxanne.playout';

export type PlayoutReport = { v: 1; type: 'unheard'; bargeInAtMs: number; unheardMs: number };

export function encodePlayout(m: PlayoutReport): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(m));
}

/** Returns the report, or null for anything that is not a well-formed PlayoutReport. */
export function decodePlayout(bytes: Uint8Array): PlayoutReport | null {
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
  if (!fieldsAre(m, { bargeInAtMs: 'number', unheardMs: 'number' })) return null;
  const o = m as Record<string, unknown>;
  if (o.v !== 1 || o.type !== 'unheard') return null;
  const unheardMs = o.unheardMs as number;
  if (!Number.isFinite(unheardMs) || unheardMs < 0 || !Number.isFinite(o.bargeInAtMs as number)) return null;
  return { v: 1, type: 'unheard', bargeInAtMs: o.bargeInAtMs as number, unheardMs };
}
