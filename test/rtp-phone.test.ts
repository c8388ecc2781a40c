/**
 * The test phone's own line discipline: it sends RTP while its call is up and nothing once it has ended.
 * A phone that went on sending after its call fed its silence into the next call LiveKit SIP gave the same
 * RTP port to (two streams interleaved at the agent: a fresh-clone CI failure, "fair an eleven an m" for
 * "where are you located").
 */
import { strict as assert } from 'node:assert';
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, test } from 'vitest';
import { RtpPhone } from './support/sip-rtp.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let phone: RtpPhone | undefined;
let far: Socket | undefined;
afterEach(() => {
  phone?.close();
  far?.close();
});

async function farEnd(): Promise<{ port: number; packets: () => number }> {
  far = createSocket('udp4');
  let n = 0;
  far.on('message', () => n++);
  await new Promise<void>((r) => far!.bind(0, '127.0.0.1', r));
  return { port: far.address().port, packets: () => n };
}

test('an open line sends 20 ms packets; once its call has ended it sends nothing, idle or played', async () => {
  const lk = await farEnd();
  phone = await RtpPhone.open();
  phone.remote = { address: '127.0.0.1', port: lk.port };
  let endCall!: () => void;
  phone.keepLineOpen(new Promise<void>((r) => (endCall = r)));
  await sleep(400);
  const open = lk.packets();
  assert.ok(open >= 10, `the idle line sent ${open} packets in 400 ms`);

  endCall();
  await sleep(60); // a packet already in flight may still land
  const atEnd = lk.packets();
  await sleep(300);
  await phone.play(Buffer.alloc(1600, 0x7f)); // 200 ms of audio after the call ended
  await phone.dtmf('5');
  await sleep(60);
  assert.equal(lk.packets(), atEnd, 'no packet after the call ended');
});

test('a call that ends by failing (sipp exited with an error) hangs the line up too', async () => {
  const lk = await farEnd();
  phone = await RtpPhone.open();
  phone.remote = { address: '127.0.0.1', port: lk.port };
  let fail!: (e: Error) => void;
  phone.keepLineOpen(new Promise<void>((_, reject) => (fail = reject)));
  await sleep(200);
  assert.ok(lk.packets() > 0);
  fail(new Error('sipp crashed'));
  await sleep(60);
  const atEnd = lk.packets();
  await sleep(300);
  assert.equal(lk.packets(), atEnd);
});
