import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { initializeLogger, type llm, type stt } from '@livekit/agents';
import { dispose, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import { defaultAgentLines } from '../core/agent-lines.ts';
import { ManualClock } from '../core/clock.ts';
import { ASK_AGAIN_LINE } from '../core/turn-core.ts';
import { FliteTTS } from '../engines/flite/flite-tts.ts';
import { CallSession } from './call-session.ts';
import { callCounters } from './counters.ts';
import type { Logger } from './logger.ts';

before(() => initializeLogger({ pretty: false, level: 'warn' }));
after(() => dispose());

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
  it('a voice that never answers: logged at error level with the call id and state history, counted, and she asks again instead of going silent', async () => {
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
    const session = new CallSession({
      callId: 'call-watchdog',
      room,
      caller,
      engines: { stt: {} as stt.STT, llm: {} as llm.LLM, tts, info: { stt: 'x', llm: 'x', tts: 'flite', offline: true } },
      greeting: { text: 'Hello, this is Voxanne.' },
      lines: defaultAgentLines('Riverside'),
      instructions: '',
      clock,
      logger: log,
      watchdog: { processingMs: 1000 },
      hangUp: async () => {},
    });
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
