/**
 * The voice webhook and the media socket's door, against the web server with a stand-in for LiveKit's
 * rooms: Twilio's signed POST gets TwiML that connects a Media Stream with its own token; a bad or
 * missing signature gets 403, opens no room and logs no body; a socket without a valid token is refused
 * at the upgrade; a socket with one opens the call's room with the clinic and the channel.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, it } from 'vitest';
import WebSocket from 'ws';
import {
  callParams,
  FakeMediaStream,
  newCallSid,
  postVoiceWebhook,
  streamOf,
} from '../../../test/fakes/twilio-media.ts';
import { createWebServer, stopWebServer } from '../app.ts';
import { closedPort, stubRooms, testConfig } from '../test-support.ts';

const AUTH = 'twilio-auth-token-for-tests';
const CALLER = '+15557654321';
const CLINIC_NUMBER = '+15550100200';
const logLines: string[] = [];
const rooms = stubRooms();
const opened = rooms.opened;
let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );
  const config = testConfig({
    livekitUrl: `ws://127.0.0.1:${await closedPort()}`,
    twilio: { channel: 'media-streams', authToken: AUTH, numbers: { [CLINIC_NUMBER]: 'riverside' } },
  });
  const server = createWebServer(config, { logger, rooms });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = () => stopWebServer(server);
});
afterAll(async () => stop());

describe('POST /twilio/voice', () => {
  it('answers a signed webhook with <Connect><Stream> to the media socket, carrying a token', async () => {
    const callSid = newCallSid();
    const r = await postVoiceWebhook(`${base}/twilio/voice`, AUTH, callParams(callSid, CALLER, CLINIC_NUMBER));
    assert.equal(r.status, 200);
    assert.match(
      r.body,
      /^<\?xml version="1.0" encoding="UTF-8"\?><Response><Connect><Stream url="ws:\/\/127\.0\.0\.1:\d+\/twilio\/media-stream\/[\w-]+\.[\w-]{43}">/,
    );
    const s = streamOf(r.body)!;
    assert.deepEqual(s.parameters, { clinic: 'riverside' });
    assert.ok(
      !r.body.includes('5557654321') && !r.body.includes(callSid),
      'neither the number nor the call in clear text',
    );
  });

  it('refuses a bad or missing signature with 403, logs no body and opens no room', async () => {
    const before = opened.length;
    const params = callParams(newCallSid(), CALLER, CLINIC_NUMBER);
    assert.equal((await postVoiceWebhook(`${base}/twilio/voice`, 'not-the-token', params)).status, 403);
    assert.equal((await postVoiceWebhook(`${base}/twilio/voice`, undefined, params)).status, 403);
    // signed for another URL (a replay against a different host or path)
    assert.equal(
      (await postVoiceWebhook(`${base}/twilio/voice`, AUTH, params, 'https://elsewhere.example/twilio/voice')).status,
      403,
    );
    // a signed body changed on the way
    const tampered = await fetch(`${base}/twilio/voice`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': (await import('twilio')).default.getExpectedTwilioSignature(
          AUTH,
          `${base}/twilio/voice`,
          params,
        ),
      },
      body: new URLSearchParams({ ...params, To: '+15550000000' }).toString(),
    });
    assert.equal(tampered.status, 403);
    assert.equal(opened.length, before);
    const refused = logLines.filter((l) => l.includes('twilio webhook refused'));
    assert.equal(refused.length, 4);
    assert.ok(
      refused.every((l) => !l.includes('5557654321') && !l.includes('CallSid')),
      'no body in the log',
    );
  });

  it('rejects a call to a number no clinic has', async () => {
    const r = await postVoiceWebhook(`${base}/twilio/voice`, AUTH, callParams(newCallSid(), CALLER, '+15550009999'));
    assert.equal(r.status, 200);
    assert.match(r.body, /<Reject reason="rejected"\/>/);
  });

  it('answers only POST', async () => {
    assert.equal((await fetch(`${base}/twilio/voice`)).status, 405);
  });
});

describe('the media socket', () => {
  const refusedWith = (url: string) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => reject(new Error('opened')));
      ws.once('error', () => {});
    });

  it('is refused without a valid token', async () => {
    const wsBase = base.replace(/^http/, 'ws');
    assert.equal(await refusedWith(`${wsBase}/twilio/media-stream/`), 403);
    assert.equal(await refusedWith(`${wsBase}/twilio/media-stream/abc.def`), 403);
    const r = await postVoiceWebhook(`${base}/twilio/voice`, AUTH, callParams(newCallSid(), CALLER, CLINIC_NUMBER));
    const url = streamOf(r.body)!.url;
    assert.equal(await refusedWith(`${url.slice(0, -3)}AAA`), 403, 'a token with another signature');
    assert.equal(await refusedWith(`${wsBase}/twilio/other`), 404);
  });

  it('with a token: a start for another call closes it; the right call opens a room for the clinic', async () => {
    const callSid = newCallSid();
    const r = await postVoiceWebhook(`${base}/twilio/voice`, AUTH, callParams(callSid, CALLER, CLINIC_NUMBER));
    const { url, parameters } = streamOf(r.body)!;
    const wrong = await FakeMediaStream.open(url, newCallSid());
    wrong.connected();
    wrong.start(parameters);
    await new Promise((resolve) => wrong.ws.once('close', resolve));
    const before = opened.length;
    const right = await FakeMediaStream.open(url, callSid);
    right.connected();
    right.raw('{not json');
    right.raw(JSON.stringify({ event: 'nonsense' }));
    right.media(new Uint8Array(160)); // before start: out of order, ignored
    right.start(parameters);
    // LiveKit is a closed port here: the bridge cannot join, and ends this call only
    await new Promise((resolve) => right.ws.once('close', resolve));
    assert.equal(opened.length, before + 1);
    const room = opened.at(-1)!;
    assert.match(room.room, /^twilio-[a-z2-7]{26}$/);
    // the bridge names the one caller the agent is to trust: its own server-chosen identity
    assert.deepEqual(room.metadata, {
      tenant: 'riverside',
      channel: 'twilio-media',
      caller: room.metadata.caller,
    });
    assert.match(room.metadata.caller ?? '', /^phone-[a-z2-7]{26}$/);
    assert.ok(!logLines.join('').includes('5557654321'), 'the full number is never logged');
  });
});
