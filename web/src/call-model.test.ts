import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import type { AgentMessage } from '@voxanne/contracts/protocol';
import {
  enginesLines,
  INITIAL_MODEL,
  parseEnginesAttribute,
  parseStateAttribute,
  reduceCall,
  statusLabel,
  upsertTranscript,
  type CallEvent,
  type CallModel,
} from './call-model.ts';
import { ERROR_MESSAGES } from './plain-errors.ts';

const run = (events: CallEvent[], from: CallModel = INITIAL_MODEL) => events.reduce(reduceCall, from);
const transcript = (speaker: 'user' | 'agent', id: string, text: string, final: boolean): CallEvent => ({
  type: 'agent-message',
  message: { v: 1, type: 'transcript', callId: 'c1', speaker, id, text, final },
});
const inCall: CallEvent[] = [{ type: 'start' }, { type: 'connected' }, { type: 'agent-joined' }];

describe('reduceCall', () => {
  it('walks a call from the click to Voxanne answering', () => {
    const phases = [];
    let m = INITIAL_MODEL;
    for (const e of inCall) {
      m = reduceCall(m, e);
      phases.push(m.phase);
    }
    assert.deepEqual(phases, ['starting', 'waiting-for-agent', 'in-call']);
    assert.equal(statusLabel(m), 'Voxanne is joining…');
    m = reduceCall(m, {
      type: 'agent-message',
      message: { v: 1, type: 'state', callId: 'c1', state: 'LISTENING', previous: 'IDLE', atMs: 5 },
    });
    assert.equal(m.agentState, 'LISTENING');
    assert.equal(statusLabel(m), 'Listening…');
    m = reduceCall(m, { type: 'agent-state', state: 'SPEAKING' });
    assert.equal(statusLabel(m), 'Speaking');
  });

  it('updates interim transcript lines in place and keeps finals fixed', () => {
    const m = run([
      ...inCall,
      transcript('user', 'u1', 'I need', false),
      transcript('agent', 'u1', 'Hello', false), // same id, other speaker: a separate line
      transcript('user', 'u1', 'I need an appointment', false),
      transcript('user', 'u1', 'I need an appointment.', true),
      transcript('user', 'u1', 'I need an', false), // late interim after the final
      transcript('user', 'u2', 'Tomorrow', true),
    ]);
    assert.deepEqual(m.transcripts, [
      { id: 'u1', speaker: 'user', text: 'I need an appointment.', final: true },
      { id: 'u1', speaker: 'agent', text: 'Hello', final: false },
      { id: 'u2', speaker: 'user', text: 'Tomorrow', final: true },
    ]);
  });

  it('records engines from messages', () => {
    const engines = {
      stt: 'pocketsphinx (offline)',
      llm: 'rules (offline)',
      tts: 'flite slt (offline)',
      offline: true,
    };
    const msg: AgentMessage = { v: 1, type: 'engines', callId: 'c1', engines };
    const m = run([...inCall, { type: 'agent-message', message: msg }]);
    assert.deepEqual(m.engines, engines);
    assert.deepEqual(enginesLines(engines), [
      'Speech recognition: pocketsphinx (offline)',
      'Language model: rules (offline)',
      'Voice: flite slt (offline)',
      'Everything runs on this machine; no cloud service is used',
    ]);
    assert.deepEqual(
      enginesLines({
        stt: 'deepgram nova-3',
        llm: 'groq llama-3.1-8b-instant',
        tts: 'deepgram aura-2-thalia-en',
        offline: false,
      }),
      [
        'Speech recognition: deepgram nova-3',
        'Language model: groq llama-3.1-8b-instant',
        'Voice: deepgram aura-2-thalia-en',
      ],
    );
  });

  it('shows a failure in plain words and ignores what the teardown says afterwards', () => {
    const m = run([
      { type: 'start' },
      { type: 'failed', kind: 'server-unreachable' },
      { type: 'ended' },
      { type: 'agent-joined' },
    ]);
    assert.equal(m.phase, 'failed');
    assert.deepEqual(m.error, { kind: 'server-unreachable', message: ERROR_MESSAGES['server-unreachable'] });
    assert.match(m.error!.message, /^Can't reach the voice server/);
  });

  it('shows Call ended when Voxanne ends the call, and a new click starts afresh', () => {
    let m = run([
      ...inCall,
      transcript('agent', 'a1', 'Goodbye!', true),
      { type: 'user-speaking', speaking: true },
      { type: 'ended' },
    ]);
    assert.equal(m.phase, 'ended');
    assert.equal(statusLabel(m), 'Call ended');
    assert.equal(m.userSpeaking, false);
    assert.equal(m.transcripts.length, 1, 'the transcript stays readable after the call');
    m = reduceCall(m, { type: 'start' });
    assert.deepEqual(m, { ...INITIAL_MODEL, phase: 'starting' });
  });

  it('returns to the start state on hang up, from any phase, keeping the transcript readable', () => {
    for (const prefix of [
      [{ type: 'start' }],
      inCall,
      [{ type: 'start' }, { type: 'failed', kind: 'mic-denied' }],
    ] as CallEvent[][]) {
      assert.deepEqual(run([...prefix, { type: 'hung-up' }]), INITIAL_MODEL);
    }
    const m = run([
      ...inCall,
      { type: 'agent-state', state: 'SPEAKING' },
      transcript('agent', 'a1', 'Hello', true),
      { type: 'hung-up' },
    ]);
    assert.deepEqual(m, {
      ...INITIAL_MODEL,
      transcripts: [{ id: 'a1', speaker: 'agent', text: 'Hello', final: true }],
    });
  });

  it('ignores a second click while a call is under way', () => {
    const m = run([...inCall, transcript('user', 'x', 'hi', true)]);
    assert.equal(reduceCall(m, { type: 'start' }), m);
  });

  it('says Reconnecting while the connection recovers', () => {
    const m = run([...inCall, { type: 'agent-state', state: 'LISTENING' }, { type: 'reconnecting' }]);
    assert.equal(statusLabel(m), 'Reconnecting…');
    assert.equal(statusLabel(reduceCall(m, { type: 'reconnected' })), 'Listening…');
  });
});

describe('upsertTranscript', () => {
  it('does not mutate its input', () => {
    const lines = Object.freeze([{ id: 'a', speaker: 'user' as const, text: 'x', final: false }]);
    const next = upsertTranscript(lines, { id: 'a', speaker: 'user', text: 'xy', final: false });
    assert.equal(lines[0]!.text, 'x');
    assert.equal(next[0]!.text, 'xy');
  });
});

describe('attributes', () => {
  it('parses the state attribute, rejecting unknown states', () => {
    assert.equal(parseStateAttribute('SPEAKING'), 'SPEAKING');
    assert.equal(parseStateAttribute('speaking'), null);
    assert.equal(parseStateAttribute(undefined), null);
  });

  it('parses the engines attribute as JSON EnginesInfo', () => {
    assert.deepEqual(parseEnginesAttribute('{"stt":"a","llm":"b","tts":"c","offline":false,"extra":1}'), {
      stt: 'a',
      llm: 'b',
      tts: 'c',
      offline: false,
    });
    assert.equal(parseEnginesAttribute('{"stt":"a"}'), null);
    assert.equal(parseEnginesAttribute('not json'), null);
    assert.equal(parseEnginesAttribute(''), null);
  });
});
