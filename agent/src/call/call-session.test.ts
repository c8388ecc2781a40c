import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { initializeLogger, type llm, type stt } from '@livekit/agents';
import { dispose, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import type { CallMetric } from '../core/call-metrics.ts';
import { ManualClock } from '../core/clock.ts';
import { ASK_AGAIN_LINE, FALSE_START_MS } from '../core/turn-core.ts';
import { FliteTTS } from '../engines/flite/flite-tts.ts';
import { RulesLLM } from '../engines/rules/rules-llm.ts';
import { loadKnowledgeBase } from '../knowledge/kb.ts';
import { CallSession } from './call-session.ts';
import { callCounters } from './counters.ts';
import type { Logger } from './logger.ts';
import { fakeCaller, fakeRecorder, sessionOptions } from './testing/fake-call.ts';

beforeAll(() => initializeLogger({ pretty: false, level: 'warn' }));
afterAll(() => dispose());

/** A room with no server behind it: what CallSession touches of it, recorded. */
function fakeRoom() {
  const data: unknown[] = [];
  const participant = {
    publishTrack: async () => ({}),
    publishData: async (bytes: Uint8Array) => void data.push(JSON.parse(new TextDecoder().decode(bytes))),
    setAttributes: async () => {},
  };
  const room = { name: 'unit-room', localParticipant: participant, on() {}, off() {} } as unknown as Room;
  const caller = { identity: 'caller-1', trackPublications: new Map() } as unknown as RemoteParticipant;
  return { room, caller, data };
}

function captureLog() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string }> = [];
  const at =
    (level: string) =>
    (obj: object, msg: string): void =>
      void lines.push({ level, obj: obj as Record<string, unknown>, msg });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return { log, lines };
}

describe('CallSession performs the watchdog', () => {
  it('a voice that never answers: logged (call id, state history), counted; she asks again, not silent', async () => {
    const clock = new ManualClock();
    const { room, caller } = fakeRoom();
    const { log, lines } = captureLog();
    const asked: string[] = [];
    // a voice engine that takes every request and never answers, not even to an abort
    const tts = new FliteTTS({
      synthesizeFn: (text) => {
        asked.push(text);
        return new Promise(() => {});
      },
    });
    const before = callCounters.watchdogRecoveries.value;
    const session = new CallSession(
      sessionOptions(
        { llm: {} as llm.LLM, tts },
        { callId: 'call-watchdog', room, caller, clock, logger: log, watchdog: { processingMs: 1000 } },
      ),
    );
    await session.start();
    await new Promise((r) => setImmediate(r));
    assert.equal(session.state, 'PROCESSING');
    assert.deepEqual(asked, ['Hello, this is Voxanne.']);

    clock.advance(999);
    assert.equal(session.watchdogRecoveries, 0);
    clock.advance(1);
    const stuck = lines.find((l) => l.msg === 'call stuck; watchdog recovering');
    assert.ok(stuck, 'logged');
    assert.equal(stuck.level, 'error');
    assert.equal(stuck.obj.callId, 'call-watchdog');
    assert.equal(stuck.obj.reason, 'processing_too_long');
    assert.equal(stuck.obj.recovery, 'ask_again');
    assert.equal(stuck.obj.watchdogRecoveries, 1);
    assert.deepEqual(
      (stuck.obj.stateHistory as Array<{ from: string; to: string }>).map((h) => `${h.from}>${h.to}`),
      ['IDLE>LISTENING', 'LISTENING>PROCESSING'],
    );
    assert.equal(callCounters.watchdogRecoveries.value, before + 1);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(asked, ['Hello, this is Voxanne.', ASK_AGAIN_LINE], 'she asks again');

    // stuck again, and once more: after two tries in a row it stops trying and she listens
    clock.advance(1000);
    await new Promise((r) => setImmediate(r));
    clock.advance(1000);
    assert.equal(session.state, 'LISTENING');
    assert.equal(session.watchdogRecoveries, 3);
    assert.deepEqual(
      lines.filter((l) => l.msg === 'call stuck; watchdog recovering').map((l) => l.obj.recovery),
      ['ask_again', 'ask_again', 'give_up'],
    );
    session.end('test over');
    assert.equal(await session.ended, 'test over');
  });
});

/** waits (real time: her audio plays at its own pace) until `done`, moving the call's clock by `step` ms each time */
async function until(done: () => boolean, what: string, clock?: ManualClock, step = 0): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (done()) return;
    if (clock && step) clock.advance(step);
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe('CallSession performs a whole conversation', () => {
  it('greeting, question, barge-in answered, false interruption resumed: the history and records left', async () => {
    const clock = new ManualClock();
    const { room, caller, data } = fakeRoom();
    const { log } = captureLog();
    const asked: string[] = [];
    // every sentence is 300 ms of sound, so a barge-in lands mid-sentence
    const tts = new FliteTTS({
      synthesizeFn: async (text) => {
        asked.push(text);
        return { samples: new Int16Array(4800).fill(1000), sampleRate: 16000 };
      },
    });
    const kb = await loadKnowledgeBase();
    const { recorder, turns } = fakeRecorder();
    const you = fakeCaller();
    const metrics: number[] = [];
    const states: string[] = [];
    const session = new CallSession(
      sessionOptions(
        { llm: new RulesLLM({ kb }), tts, llmName: 'rules', clinic: kb.clinic.name },
        {
          callId: 'call-whole',
          room,
          caller,
          clock,
          logger: log,
          records: { recorder, tenant: 't1', channel: 'web' },
          onMetrics: (m) => metrics.push(m.turn),
          onState: (to) => states.push(to),
          listen: you.listen,
        },
      ),
    );
    await session.start();

    // the greeting, heard to the end
    await until(() => states.includes('SPEAKING') && session.state === 'LISTENING', 'the greeting');
    assert.deepEqual(asked, ['Hello, this is Voxanne.']);
    assert.deepEqual(
      turns.map((t) => [t.speaker, t.text, t.interrupted]),
      [['agent', 'Hello, this is Voxanne.', false]],
    );

    // a question, answered to the end
    you.startsSpeaking();
    you.says('what are your opening hours');
    you.stops();
    await until(() => session.state !== 'LISTENING', 'her turn to answer', clock, 50);
    await until(() => session.state === 'LISTENING', 'the answer');
    const answer = turns.at(-1)!;
    assert.deepEqual(
      turns.slice(1).map((t) => t.speaker),
      ['caller', 'agent'],
    );
    assert.equal(turns[1]!.text, 'what are your opening hours');
    assert.equal(answer.interrupted, false);
    assert.ok(answer.text.length > 0);
    assert.equal(metrics.length, 1, 'the answered turn published its metrics');
    const finals = (data as Array<{ type?: string; final?: boolean; speaker?: string; text?: string }>).filter(
      (d) => d.type === 'transcript' && d.final && d.speaker === 'agent',
    );
    assert.deepEqual(
      finals.map((d) => d.text),
      ['Hello, this is Voxanne.', answer.text],
      'her final lines reached the page as she was heard',
    );

    // a barge-in while she answers; the caller's new words are answered
    you.startsSpeaking();
    you.says('do you do teeth whitening');
    you.stops();
    await until(() => session.state === 'SPEAKING', 'her answer starting', clock, 50);
    // she has been answering a while: a barge-in, not a false start (core/turn-core.test.ts has those)
    clock.advance(FALSE_START_MS);
    const before = states.length;
    you.startsSpeaking();
    assert.equal(session.state, 'INTERRUPTED');
    you.says('how much is a consultation');
    you.stops();
    await until(
      () => turns.some((t) => t.text === 'how much is a consultation') && session.state === 'LISTENING',
      'the answer to the words said over her',
      clock,
      50,
    );
    assert.deepEqual(states.slice(before, before + 2), ['INTERRUPTED', 'LISTENING']);
    const i = turns.findIndex((t) => t.text === 'do you do teeth whitening');
    const j = turns.findIndex((t) => t.text === 'how much is a consultation');
    assert.ok(i >= 0 && j > i, 'both questions recorded, in order');
    // of the answer she was cut off in, at most what was heard is kept, marked interrupted
    assert.ok(turns.slice(i + 1, j).every((t) => t.speaker === 'agent' && t.interrupted));
    assert.equal(turns.at(-1)!.speaker, 'agent', 'the words said over her were answered');

    // a false interruption: a sound with no words; a second later she picks up where she was cut off
    you.startsSpeaking();
    const askedAtLocated = asked.length;
    you.says('where are you located');
    you.stops();
    await until(() => session.state === 'SPEAKING', 'her answer starting', clock, 50);
    await new Promise((r) => setTimeout(r, 100));
    const askedBefore = asked.length;
    const located = [...asked.slice(askedAtLocated)];
    clock.advance(FALSE_START_MS); // well into her answer: not a false start
    you.startsSpeaking();
    you.stops();
    assert.equal(session.state, 'INTERRUPTED');
    await until(() => session.state === 'LISTENING', 'her stopping');
    clock.advance(999);
    assert.equal(session.state, 'LISTENING', 'not before a second of quiet');
    clock.advance(1);
    await until(() => session.state === 'SPEAKING' || asked.length > askedBefore + 1, 'her resuming');
    const resumed = asked.slice(askedBefore);
    assert.ok(resumed.length > 0, 'she says the rest of her answer');
    assert.ok(
      located.includes(resumed[0]!),
      `she resumes with the sentence she was cut off in: ${resumed[0]} of ${located.join(' | ')}`,
    );
    session.end('test over');
    assert.equal(await session.ended, 'test over');
  });
});

describe('CallSession performs the recogniser failover (core/stt-failover.ts)', () => {
  it('the cloud recogniser fails: counted, the embedded one listens from then on; its own failure only counts', () => {
    const { room, caller } = fakeRoom();
    const { log, lines } = captureLog();
    const you = fakeCaller();
    const embedded = { label: 'embedded' } as unknown as stt.STT;
    const base = sessionOptions(
      { llm: {} as llm.LLM, tts: new FliteTTS({ synthesizeFn: () => new Promise(() => {}) }) },
      { callId: 'call-stt', room, caller, clock: new ManualClock(), logger: log, listen: you.listen },
    );
    const metrics: CallMetric[] = [];
    new CallSession({
      ...base,
      engines: {
        ...base.engines,
        info: { ...base.engines.info, stt: 'deepgram nova-3' },
        fallback: { ...base.engines, stt: embedded, info: { ...base.engines.info, stt: 'pocketsphinx' } },
      },
      onCallMetric: (m) => metrics.push(m),
    });
    assert.equal(you.recogniserFails(new Error('connect ECONNREFUSED 127.0.0.1:1')), embedded);
    assert.equal(you.recogniserFails(new Error('decoder crashed')), undefined, 'no second move');
    assert.deepEqual(metrics, [
      { kind: 'provider_error', stage: 'stt', provider: 'deepgram nova-3', error: 'connection' },
      { kind: 'fallback', stage: 'stt', provider: 'deepgram nova-3', error: 'connection' },
      { kind: 'provider_error', stage: 'stt', provider: 'pocketsphinx', error: 'other' },
    ]);
    assert.deepEqual(
      lines.filter((l) => l.msg === 'speech recognition switched to the embedded engine').map((l) => l.obj.fallback),
      ['pocketsphinx'],
    );
  });
});
