import type { ConversationState } from '@voxanne/contracts/protocol';

export type { ConversationState };

/**
 * The conversation as a pure function: transition(machine, event, nowMs) → next machine + effects.
 * The runner (agent/src/call) performs the effects; nothing here does I/O or reads a clock.
 *
 *   IDLE ─call_start→ LISTENING ─turn_end→ PROCESSING ─reply_audio→ SPEAKING ─reply_done→ LISTENING
 *                                        PROCESSING ─reply_cancelled→ LISTENING
 *                                        SPEAKING ─barge_in→ INTERRUPTED ─flushed→ LISTENING
 *   any state ─call_end→ IDLE
 */
export type ConversationEvent =
  | { type: 'call_start' }
  /** the caller finished a turn (source 'user'), or the agent takes the floor by itself (greeting, prompt) */
  | { type: 'turn_end'; source: 'user' | 'agent' }
  /** the first audio of the reply reached the output */
  | { type: 'reply_audio' }
  /** the reply played to its end */
  | { type: 'reply_done' }
  /** the reply produced no audio (empty, failed, or superseded by more caller speech) */
  | { type: 'reply_cancelled'; reason: string }
  /** the caller started speaking over the agent */
  | { type: 'barge_in' }
  /** the interrupted reply's audio is gone and its generation cancelled */
  | { type: 'flushed' }
  | { type: 'call_end'; reason: string };

export type Effect =
  | { type: 'state_changed'; from: ConversationState; to: ConversationState; atMs: number; turn: number }
  | { type: 'start_reply'; turn: number; source: 'user' | 'agent' }
  | { type: 'stop_audio' }
  | { type: 'cancel_reply'; turn: number }
  | { type: 'end_call'; reason: string };

export interface Machine {
  readonly state: ConversationState;
  readonly enteredAtMs: number;
  /** index of the current or last turn; the greeting is turn 1 */
  readonly turn: number;
}

export interface TransitionResult {
  machine: Machine;
  effects: Effect[];
  /** set when the event is not allowed in this state; the machine is unchanged */
  rejected?: string;
}

export const initialMachine = (nowMs: number): Machine => ({ state: 'IDLE', enteredAtMs: nowMs, turn: 0 });

const ALLOWED: Record<ConversationEvent['type'], readonly ConversationState[]> = {
  call_start: ['IDLE'],
  turn_end: ['LISTENING'],
  reply_audio: ['PROCESSING'],
  reply_done: ['SPEAKING'],
  reply_cancelled: ['PROCESSING'],
  barge_in: ['SPEAKING'],
  flushed: ['INTERRUPTED'],
  call_end: ['LISTENING', 'PROCESSING', 'SPEAKING', 'INTERRUPTED'],
};

const NEXT: Record<ConversationEvent['type'], ConversationState> = {
  call_start: 'LISTENING',
  turn_end: 'PROCESSING',
  reply_audio: 'SPEAKING',
  reply_done: 'LISTENING',
  reply_cancelled: 'LISTENING',
  barge_in: 'INTERRUPTED',
  flushed: 'LISTENING',
  call_end: 'IDLE',
};

export function transition(m: Machine, event: ConversationEvent, nowMs: number): TransitionResult {
  if (!ALLOWED[event.type].includes(m.state)) {
    return { machine: m, effects: [], rejected: `${event.type} is not allowed in ${m.state}` };
  }
  const to = NEXT[event.type];
  const turn = event.type === 'turn_end' ? m.turn + 1 : m.turn;
  const machine: Machine = { state: to, enteredAtMs: nowMs, turn };
  const effects: Effect[] = [{ type: 'state_changed', from: m.state, to, atMs: nowMs, turn }];
  switch (event.type) {
    case 'turn_end':
      effects.push({ type: 'start_reply', turn, source: event.source });
      break;
    case 'barge_in':
      // audio first: the caller must stop hearing her before anything else happens
      effects.push({ type: 'stop_audio' }, { type: 'cancel_reply', turn });
      break;
    case 'call_end':
      if (m.state === 'SPEAKING' || m.state === 'PROCESSING')
        effects.push({ type: 'stop_audio' }, { type: 'cancel_reply', turn });
      effects.push({ type: 'end_call', reason: event.reason });
      break;
    default:
      break;
  }
  return { machine, effects };
}
