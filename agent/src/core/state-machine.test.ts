import { test } from 'vitest';
import assert from 'node:assert/strict';
import { CONVERSATION_STATES } from '@voxanne/contracts/protocol';
import { initialMachine, transition, type ConversationEvent, type Machine } from './state-machine.ts';

const EVENTS: ConversationEvent[] = [
  { type: 'call_start' },
  { type: 'turn_end', source: 'user' },
  { type: 'reply_audio' },
  { type: 'reply_done' },
  { type: 'reply_cancelled', reason: 'empty' },
  { type: 'barge_in' },
  { type: 'flushed' },
  { type: 'call_end', reason: 'hangup' },
];

// The table from the customer's plan, plus reply_cancelled and call_end.
const EXPECTED: Record<string, string> = {
  'IDLE call_start': 'LISTENING',
  'LISTENING turn_end': 'PROCESSING',
  'PROCESSING reply_audio': 'SPEAKING',
  'PROCESSING reply_cancelled': 'LISTENING',
  'SPEAKING reply_done': 'LISTENING',
  'SPEAKING barge_in': 'INTERRUPTED',
  'INTERRUPTED flushed': 'LISTENING',
  'LISTENING call_end': 'IDLE',
  'PROCESSING call_end': 'IDLE',
  'SPEAKING call_end': 'IDLE',
  'INTERRUPTED call_end': 'IDLE',
};

const at = (state: Machine['state'], turn = 3): Machine => ({ state, enteredAtMs: 100, turn });

for (const state of CONVERSATION_STATES) {
  for (const event of EVENTS) {
    const key = `${state} ${event.type}`;
    const expected = EXPECTED[key];
    test(`${key} → ${expected ?? 'rejected'}`, () => {
      const r = transition(at(state), event, 250);
      if (expected) {
        assert.equal(r.rejected, undefined);
        assert.equal(r.machine.state, expected);
        assert.equal(r.machine.enteredAtMs, 250);
        assert.deepEqual(r.effects[0], {
          type: 'state_changed',
          from: state,
          to: expected,
          atMs: 250,
          turn: r.machine.turn,
        });
      } else {
        assert.match(r.rejected ?? '', new RegExp(`${event.type} is not allowed in ${state}`));
        assert.deepEqual(r.machine, at(state), 'a rejected event leaves the machine as it was');
        assert.deepEqual(r.effects, []);
      }
    });
  }
}

test('turn_end starts a reply for the next turn', () => {
  const r = transition(at('LISTENING', 3), { type: 'turn_end', source: 'agent' }, 0);
  assert.equal(r.machine.turn, 4);
  assert.deepEqual(r.effects.slice(1), [{ type: 'start_reply', turn: 4, source: 'agent' }]);
});

test('barge-in stops the audio before cancelling the reply', () => {
  const r = transition(at('SPEAKING', 2), { type: 'barge_in' }, 0);
  assert.deepEqual(r.effects.slice(1), [{ type: 'stop_audio' }, { type: 'cancel_reply', turn: 2 }]);
});

test('hanging up while she speaks silences her and ends the call', () => {
  const r = transition(at('SPEAKING', 2), { type: 'call_end', reason: 'caller left' }, 0);
  assert.deepEqual(
    r.effects.slice(1).map((e) => e.type),
    ['stop_audio', 'cancel_reply', 'end_call'],
  );
  const quiet = transition(at('LISTENING', 2), { type: 'call_end', reason: 'caller left' }, 0);
  assert.deepEqual(quiet.effects.slice(1), [{ type: 'end_call', reason: 'caller left' }]);
});

test('a whole call walks the documented path', () => {
  const script: ConversationEvent['type'][] = [
    'call_start',
    'turn_end',
    'reply_audio',
    'reply_done',
    'turn_end',
    'reply_audio',
    'barge_in',
    'flushed',
    'turn_end',
    'reply_cancelled',
    'call_end',
  ];
  let m = initialMachine(0);
  const states = [m.state];
  script.forEach((type, i) => {
    const ev = EVENTS.find((e) => e.type === type)!;
    const r = transition(m, ev, i * 10);
    assert.equal(r.rejected, undefined, `${type} in ${m.state}`);
    m = r.machine;
    states.push(m.state);
  });
  assert.deepEqual(states, [
    'IDLE',
    'LISTENING',
    'PROCESSING',
    'SPEAKING',
    'LISTENING',
    'PROCESSING',
    'SPEAKING',
    'INTERRUPTED',
    'LISTENING',
    'PROCESSING',
    'LISTENING',
    'IDLE',
  ]);
  assert.equal(m.turn, 3);
});
