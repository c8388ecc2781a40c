import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'vitest';
import { RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import type { Logger } from '../call/logger.ts';
import { PhoneCall, phoneLines } from './phone-call.ts';

const quiet = { info() {}, warn() {}, debug() {}, error() {} } as unknown as Logger;
const lines = phoneLines('Riverside');

function setup(o: { transferTo?: string; failures?: number; collecting?: () => boolean } = {}) {
  const room = Object.assign(new EventEmitter(), { name: 'call-1' }) as unknown as Room & EventEmitter;
  const caller = { identity: 'sip_+15551234567' } as RemoteParticipant;
  const said: string[] = [];
  const transfers: string[][] = [];
  const typed: string[] = [];
  const call = new PhoneCall({
    collecting: o.collecting ?? (() => false),
    typed: (t) => typed.push(t),
    room,
    caller,
    logger: quiet,
    say: (t) => said.push(t),
    transferTo: o.transferTo,
    livekit: { url: 'ws://x', apiKey: 'k', apiSecret: 's' },
    clinicName: 'Riverside',
    transfer: async (r, id, to) => {
      transfers.push([r, id, to]);
      if (transfers.length <= (o.failures ?? 0)) throw new Error('REFER rejected');
    },
    transferRetryMs: 0,
  });
  call.start();
  const press = (digit: string, who = caller) => room.emit(RoomEvent.DtmfReceived, 0, digit, who);
  return { call, said, transfers, press, typed };
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(ok(), 'condition never met');
}

test('digits other than 0 change nothing; digits from someone else are ignored', async () => {
  const { said, transfers, press } = setup({ transferTo: 'tel:+15550100999' });
  press('5');
  press('0', { identity: 'someone-else' } as RemoteParticipant);
  await tick();
  assert.deepEqual(said, []);
  assert.deepEqual(transfers, []);
});

test('a number typed on the keypad while she asks for one, ended with #, is the caller’s answer', async () => {
  let collecting = true;
  const { said, transfers, press, typed } = setup({ transferTo: 'tel:+15550100999', collecting: () => collecting });
  for (const d of '6195550100#') press(d);
  await tick();
  assert.deepEqual(typed, ['6195550100']);
  assert.deepEqual(transfers, [], 'the 0s of a number are digits, not a request for a person');
  // once she asks for nothing, 0 is a person again
  collecting = false;
  press('0');
  await until(() => said.length > 0);
  assert.deepEqual(said, [lines.transferring]);
});

test('0 with nowhere to transfer: she says no one can take the call', async () => {
  const { said, press } = setup();
  press('0');
  await tick();
  assert.deepEqual(said, [lines.noTransfer]);
});

test('0: she says she is connecting you, and transfers only once she has said it', async () => {
  const { call, said, transfers, press } = setup({ transferTo: 'tel:+15550100999' });
  press('0');
  press('0'); // a second press while it is under way starts nothing more
  await tick();
  assert.deepEqual(said, [lines.transferring]);
  call.onAgentState('SPEAKING', 'PROCESSING');
  await tick();
  assert.deepEqual(transfers, [], 'not while she is still speaking');
  call.onAgentState('LISTENING', 'SPEAKING');
  await tick();
  assert.deepEqual(transfers, [['call-1', 'sip_+15551234567', 'tel:+15550100999']]);
});

test('a transfer that fails once is tried once more, and the caller hears nothing of it', async () => {
  const { call, said, transfers, press } = setup({ transferTo: 'tel:+15550100999', failures: 1 });
  press('0');
  await tick();
  call.onAgentState('SPEAKING', 'PROCESSING');
  call.onAgentState('LISTENING', 'SPEAKING');
  await until(() => transfers.length === 2);
  await tick();
  assert.deepEqual(said, [lines.transferring]);
});

test('a transfer that fails twice is told to the caller instead of leaving them in silence', async () => {
  const { call, said, transfers, press } = setup({ transferTo: 'tel:+15550100999', failures: 2 });
  press('0');
  await tick();
  call.onAgentState('SPEAKING', 'PROCESSING');
  call.onAgentState('LISTENING', 'SPEAKING');
  await until(() => said.length === 2);
  assert.equal(transfers.length, 2);
  assert.deepEqual(said, [lines.transferring, lines.noTransfer]);
});

test('emergency: after her fixed line the person on call takes it; a failed transfer repeats the line', async () => {
  const { call, said, transfers } = setup({ transferTo: 'tel:+15550100999', failures: 2 });
  const line = 'This sounds like an emergency. Please hang up now and dial nine one one.';
  const done = call.emergency('tel:+15550100111', line);
  await tick();
  assert.deepEqual(said, [], 'nothing before the fixed line has been said');
  call.onAgentState('SPEAKING', 'PROCESSING');
  call.onAgentState('LISTENING', 'SPEAKING');
  await until(() => said.length === 1);
  assert.deepEqual(said, [lines.onCall]);
  call.onAgentState('SPEAKING', 'PROCESSING');
  call.onAgentState('LISTENING', 'SPEAKING');
  await done;
  assert.deepEqual(
    transfers.map((t) => t[2]),
    ['tel:+15550100111', 'tel:+15550100111'],
    'the on-call target, tried twice',
  );
  assert.deepEqual(said, [lines.onCall, line], 'the caller still with her hears the line again');
});

test('emergency without an on-call target: nothing more than the fixed line', async () => {
  const { call, said, transfers } = setup({ transferTo: 'tel:+15550100999' });
  await call.emergency(undefined, 'line');
  assert.deepEqual(said, []);
  assert.deepEqual(transfers, []);
});
