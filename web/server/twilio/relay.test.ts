/**
 * ConversationRelay at the edge, against the web server with a stand-in for LiveKit's rooms: the
 * message parser; the webhook's <Connect><ConversationRelay> TwiML; the <Connect action> webhook
 * (signed) turning the bridge's handoffData into <Dial>; the relay socket's door (token, setup's call).
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { callParams, newCallSid, postVoiceWebhook } from '../../../test/fakes/twilio-media.ts';
import { FakeRelaySession, relayOf } from '../../../test/fakes/twilio-relay.ts';
import { createWebServer, stopWebServer } from '../app.ts';
import { closedPort, SILENT, stubRooms, testConfig } from '../test-support.ts';
import { parseRelayInbound } from './relay-messages.ts';
import { FALLBACK_WELCOME } from './voice-webhook.ts';

const AUTH = 'twilio-auth-token-for-relay-tests';
const CALLER = '+15557654321';
const CLINIC_NUMBER = '+15550100200';
const rooms = stubRooms();
let base: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  const config = testConfig({
    livekitUrl: `ws://127.0.0.1:${await closedPort()}`,
    twilio: { channel: 'conversation-relay', authToken: AUTH, numbers: { [CLINIC_NUMBER]: 'riverside' } },
  });
  const server = createWebServer(config, { logger: SILENT, rooms });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stop = () => stopWebServer(server);
});
afterAll(async () => stop());

describe('ConversationRelay messages', () => {
  it("reads setup, prompt, interrupt, dtmf and error in Twilio's shapes", () => {
    assert.deepEqual(
      parseRelayInbound(
        JSON.stringify({
          type: 'setup',
          sessionId: 'VX1',
          callSid: 'CA1',
          from: '+1',
          customParameters: { a: 'b', n: 1 },
        }),
      ),
      { type: 'setup', callSid: 'CA1', customParameters: { a: 'b' } },
    );
    assert.deepEqual(parseRelayInbound('{"type":"prompt","voicePrompt":"hello","lang":"en-US","last":true}'), {
      type: 'prompt',
      text: 'hello',
      last: true,
    });
    assert.equal(
      (parseRelayInbound('{"type":"prompt","voicePrompt":"hel","last":false}') as { last: boolean }).last,
      false,
    );
    assert.deepEqual(
      parseRelayInbound('{"type":"interrupt","utteranceUntilInterrupt":"We open","durationUntilInterruptMs":900}'),
      { type: 'interrupt', heard: 'We open', durationMs: 900 },
    );
    assert.deepEqual(parseRelayInbound('{"type":"dtmf","digit":"0"}'), { type: 'dtmf', digit: '0' });
    assert.deepEqual(parseRelayInbound('{"type":"error","description":"Invalid message"}'), {
      type: 'error',
      description: 'Invalid message',
    });
  });
  it('ignores, with a reason, what is not a well-formed message', () => {
    for (const bad of ['{', '[]', 'null', '{"type":"surprise"}', '{"type":"setup"}', '{"type":"dtmf","digit":"12"}'])
      assert.equal(parseRelayInbound(bad).type, 'ignored', bad);
    const long = parseRelayInbound(JSON.stringify({ type: 'prompt', voicePrompt: 'a'.repeat(10_000) }));
    assert.equal((long as { text: string }).text.length, 2000, 'a prompt is cut to what an utterance can be');
    assert.equal(
      (parseRelayInbound('{"type":"interrupt","durationUntilInterruptMs":-5}') as { durationMs: number }).durationMs,
      0,
    );
  });
});

describe('POST /twilio/voice with TWILIO_CHANNEL=conversation-relay', () => {
  it('answers with <Connect action><ConversationRelay>: greeting, interruptible, keypad, signed URL', async () => {
    const r = await postVoiceWebhook(`${base}/twilio/voice`, AUTH, callParams(newCallSid(), CALLER, CLINIC_NUMBER));
    assert.equal(r.status, 200);
    const relay = relayOf(r.body)!;
    assert.match(relay.url!, /^ws:\/\/127\.0\.0\.1:\d+\/twilio\/relay\/[\w-]+\.[\w-]{43}$/);
    // no database here: the fixed hello (with records, the clinic's greeting: test/twilio-relay.test.ts)
    assert.equal(relay.welcomeGreeting, FALLBACK_WELCOME);
    assert.equal(relay.interruptible, 'any');
    assert.equal(relay.dtmfDetection, 'true');
    assert.equal(relay.action, `${base}/twilio/relay-action`);
    assert.ok(!r.body.includes('5557654321'), 'the number is not in the TwiML');
  });

  it('the action webhook dials the handoff, hangs up otherwise, and refuses an unsigned request', async () => {
    const params = callParams(newCallSid(), CALLER, CLINIC_NUMBER);
    const handoff = JSON.stringify({ reason: 'transfer', to: 'tel:+15550100999' });
    const dial = await postVoiceWebhook(`${base}/twilio/relay-action`, AUTH, { ...params, HandoffData: handoff });
    assert.match(dial.body, /<Dial><Number>\+15550100999<\/Number><\/Dial>/);
    const ended = await postVoiceWebhook(`${base}/twilio/relay-action`, AUTH, { ...params, SessionStatus: 'ended' });
    assert.match(ended.body, /<Hangup\/>/);
    const evil = JSON.stringify({ reason: 'transfer', to: 'tel:+1900<script>' });
    const refused = await postVoiceWebhook(`${base}/twilio/relay-action`, AUTH, { ...params, HandoffData: evil });
    assert.match(refused.body, /<Hangup\/>/, 'a target that is not a number or SIP address is never dialled');
    const forged = await postVoiceWebhook(`${base}/twilio/relay-action`, 'wrong-token', { HandoffData: handoff });
    assert.equal(forged.status, 403);
  });
});

describe('the relay socket', () => {
  it('refuses a forged token; a setup for another call closes it with no room; the right call opens one', async () => {
    const callSid = newCallSid();
    const r = await postVoiceWebhook(`${base}/twilio/voice`, AUTH, callParams(callSid, CALLER, CLINIC_NUMBER));
    const url = relayOf(r.body)!.url!;
    await assert.rejects(FakeRelaySession.open(`${url.slice(0, -3)}AAA`, callSid), /upgrade refused: 403/);

    const before = rooms.opened.length;
    const wrong = await FakeRelaySession.open(url, callSid);
    const closed = new Promise<void>((resolve) => wrong.ws.once('close', () => resolve()));
    wrong.setup(CALLER, CLINIC_NUMBER, {}, newCallSid());
    await closed;
    assert.equal(rooms.opened.length, before, 'no room for a session whose setup names another call');

    const right = await FakeRelaySession.open(url, callSid);
    right.setup(CALLER, CLINIC_NUMBER);
    const end = Date.now() + 5000;
    while (rooms.opened.length === before && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    const spec = rooms.opened.at(-1)!;
    assert.match(spec.room, /^twilio-/);
    assert.deepEqual({ ...spec.metadata, caller: '' }, { tenant: 'riverside', channel: 'twilio-relay', caller: '' });
    right.close();
  });
});
