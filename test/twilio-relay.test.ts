/**
 * A plain Twilio number through ConversationRelay, on the whole stack (livekit-server, the agent with
 * the offline brain, the web server with its relay bridge): a fake Twilio (test/fakes/twilio-relay.ts)
 * posts the signed webhook, opens the socket the TwiML names and speaks ConversationRelay — `setup`,
 * `prompt`s, `interrupt`, `dtmf` — and takes her `text` tokens and `end`. Twilio hears and speaks here,
 * so the caller's words are text; everything after them is the agent's usual call.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { loadKnowledgeBase } from '../agent/src/knowledge/kb.ts';
import { openPglite } from '../web/server/db/db.ts';
import { callParams, newCallSid, postVoiceWebhook } from './fakes/twilio-media.ts';
import { FakeRelaySession, relayOf } from './fakes/twilio-relay.ts';
import { CALLER_NUMBER, CLINIC_NUMBER } from './support/twilio-caller.ts';
import { agentLogs, startTestStack, waitForLog, type AgentLog, type TestStack } from './support/test-stack.ts';

const AUTH = 'twilio-auth-token-for-the-relay-test';
const FRONT_DESK = 'tel:+15550100999';
/**
 * Twilio's voice at three times the default pace (TWILIO_RELAY_MS_PER_WORD): every reply is timed by it,
 * and the file sat through about 70 s of her paced words at the default; the pace itself is spokenMs's
 * unit test (agent/src/core/phone/spoken-duration.test.ts)
 */
const MS_PER_WORD = 120;

describe('a Twilio number through ConversationRelay', () => {
  let stack: TestStack;
  let rooms: RoomServiceClient;
  const dataDir = mkdtempSync(join(tmpdir(), 'voxanne-twilio-relay-'));
  const sessions: FakeRelaySession[] = [];
  /** her whole answer about the hours as it was sent to Twilio, before the caller cut it off */
  let hoursSent = '';

  beforeAll(async () => {
    stack = await startTestStack(
      'twilio-relay',
      { TRANSFER_TO: FRONT_DESK, TWILIO_RELAY_MS_PER_WORD: String(MS_PER_WORD) },
      {
        webEnv: {
          DATA_DIR: dataDir,
          TWILIO_AUTH_TOKEN: AUTH,
          TWILIO_CHANNEL: 'conversation-relay',
          TWILIO_NUMBERS: `${CLINIC_NUMBER}=riverside`,
        },
      },
    );
    rooms = new RoomServiceClient(stack.livekitUrl.replace(/^ws/, 'http'), stack.apiKey, stack.apiSecret);
  });

  let stopped = false;
  afterAll(async () => {
    for (const s of sessions) s.close();
    if (!stopped) await stack?.stop();
  });

  async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what} (see ${stack.logFile})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Twilio's side of a new call: the signed webhook, then the relay socket its TwiML names, set up */
  async function relayCall() {
    const callSid = newCallSid();
    const hook = await postVoiceWebhook(
      `${stack.webUrl}/twilio/voice`,
      AUTH,
      callParams(callSid, CALLER_NUMBER, CLINIC_NUMBER),
    );
    assert.equal(hook.status, 200, hook.body);
    const twiml = relayOf(hook.body)!;
    assert.ok(twiml, hook.body);
    const session = await FakeRelaySession.open(twiml.url!, callSid);
    sessions.push(session);
    session.setup(CALLER_NUMBER, CLINIC_NUMBER);
    return { session, twiml };
  }

  /** the caller says `text` (Twilio's finished prompt) and her whole reply comes back as tokens */
  async function ask(s: FakeRelaySession, text: string, expect: RegExp): Promise<string> {
    const from = s.tokens.length;
    s.prompt(text);
    await until(() => s.replySince(from).done, 30_000, `her reply to "${text}"`);
    const reply = s.replySince(from).text;
    assert.match(reply, expect, `her reply to "${text}"`);
    return reply;
  }

  test('welcome greeting, silence prompt, answer cut off, dtmf 0 → end, handoff → <Dial>', async () => {
    const kb = await loadKnowledgeBase();
    const since = stack.lines.length;
    const { session, twiml } = await relayCall();
    // her greeting is the clinic's, from its settings, spoken by Twilio; the caller may talk over her
    assert.equal(twiml.welcomeGreeting, kb.agent.greeting);
    assert.equal(twiml.interruptible, 'any');
    assert.equal(twiml.dtmfDetection, 'true');
    assert.equal(twiml.action, `${stack.webUrl}/twilio/relay-action`);
    const phone = JSON.parse(
      await waitForLog(stack, 'agent', /"channel":"twilio-relay","msg":"phone call"/, 30_000, since),
    ) as AgentLog;
    assert.equal(phone.caller, '+1******4321', 'the bridge gives her only the masked number');

    // nobody speaks after the greeting: three seconds later she prompts, and that is her first token
    // (the greeting itself is Twilio's to say, never sent again)
    await until(() => session.replySince(0).done, 30_000, 'the silence prompt');
    const prompt = session.replySince(0).text;
    assert.ok(!prompt.includes(kb.agent.greeting.split(/[.!?]/)[0]!), `the greeting was not sent: ${prompt}`);
    assert.ok(prompt.length > 0);

    // a question gets the right answer, streamed as text tokens as each sentence is ready; the caller
    // talks over her a moment in (Twilio: `interrupt` with what it had said), and is answered
    const from = session.tokens.length;
    session.prompt('what are your opening hours');
    await until(() => session.tokens.length > from, 20_000, 'her answer to start');
    await new Promise((r) => setTimeout(r, 400));
    const sent = session.replySince(from).text;
    assert.match(sent, /open/i, 'the right answer');
    session.interrupt(sent.split(' ').slice(0, 3).join(' '), 900);
    await waitForLog(stack, 'agent', /"msg":"barge-in"/, 10_000, since);
    await ask(session, 'where are you located', /\w/);
    assert.ok(session.tokens.at(-1)!.last && session.tokens.at(-1)!.token === '', 'her reply ends with last: true');
    hoursSent = sent;

    // 0 on the keypad: she says she is connecting the caller, then the bridge ends the session with
    // the handoff, and Twilio's <Connect action> webhook gets the <Dial> to the front desk
    session.dtmf('0');
    await waitForLog(stack, 'agent', /"digit":"0".*"msg":"dtmf"/, 10_000, since);
    await until(() => session.ends.length > 0, 30_000, 'the end with handoffData');
    assert.match(session.tokens.map((t) => t.token).join(' '), /connecting you/i);
    const handoffData = session.ends[0]!.handoffData!;
    assert.deepEqual(JSON.parse(handoffData), { reason: 'transfer', to: FRONT_DESK });
    const action = await postVoiceWebhook(twiml.action!, AUTH, {
      ...callParams(session.callSid, CALLER_NUMBER, CLINIC_NUMBER),
      SessionId: session.sessionId,
      SessionStatus: 'ended',
      HandoffData: handoffData,
    });
    assert.equal(action.status, 200);
    assert.match(action.body, /<Dial><Number>\+15550100999<\/Number><\/Dial>/);
    const forged = await postVoiceWebhook(twiml.action!, 'not-the-auth-token', { HandoffData: handoffData });
    assert.equal(forged.status, 403);

    // Twilio closes the socket: the call ends and its room is closed
    session.close();
    await waitForLog(stack, 'web', /"reason":"socket closed".*"msg":"relay session ended"/, 10_000, since);
    await until(
      () => agentLogs(stack).some((l) => l.callId === phone.callId && l.msg === 'call ended'),
      15_000,
      'the call to end',
    );
    const gone = Date.now() + 15_000;
    while ((await rooms.listRooms([String(phone.room)])).length > 0) {
      assert.ok(Date.now() < gone, 'the room is closed');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  test('a booking made over ConversationRelay', async () => {
    const since = stack.lines.length;
    const { session } = await relayCall();
    await waitForLog(stack, 'agent', /"channel":"twilio-relay","msg":"phone call"/, 30_000, since);
    await ask(session, "I'd like to book a consultation", /What day works for you\?/);
    await ask(session, 'Tuesday', /Which time works for you\?/);
    await ask(session, 'ten a m', /Can I get your full name\?/);
    await ask(session, 'my name is Sarah Jones', /best phone number/);
    await ask(session, 'six one nine five five five two four one eight', /Shall I book that\?/);
    await ask(session, 'yes', /You're all set/);
    session.close();
    await waitForLog(stack, 'web', /"msg":"relay session ended"/, 10_000, since);
  });

  test('bad signature or token, malformed JSON, unknown types, 10 MB frame, dropped socket: nothing left', async () => {
    const since = stack.lines.length;
    const before = (await rooms.listRooms()).filter((r) => r.name.startsWith('twilio-')).length;
    // a webhook not signed with the auth token: 403, and no room
    const callSid = newCallSid();
    const params = callParams(callSid, CALLER_NUMBER, CLINIC_NUMBER);
    const bad = await postVoiceWebhook(`${stack.webUrl}/twilio/voice`, 'someone-elses-token', params);
    assert.equal(bad.status, 403);
    const unsigned = await postVoiceWebhook(`${stack.webUrl}/twilio/voice`, undefined, params);
    assert.equal(unsigned.status, 403);
    // a relay socket with a forged token: refused at the upgrade
    await assert.rejects(
      FakeRelaySession.open(`${stack.webUrl.replace(/^http/, 'ws')}/twilio/relay/forged.${'A'.repeat(43)}`, callSid),
      /upgrade refused: 403/,
    );
    assert.equal((await rooms.listRooms()).filter((r) => r.name.startsWith('twilio-')).length, before);
    assert.ok(
      !agentLogs(stack)
        .slice(0)
        .some((l) => l.msg === 'phone call' && String(l.caller) === callSid),
    );

    // garbage on a live session, then a 10 MB frame
    const a = await relayCall();
    a.session.raw('{"type":');
    a.session.raw(JSON.stringify({ type: 'surprise' }));
    a.session.raw(Buffer.from([0, 1, 2, 3]));
    a.session.setup(CALLER_NUMBER, CLINIC_NUMBER); // a second setup
    a.session.dtmf('12');
    a.session.error('Invalid message');
    a.session.prompt('', true);
    await waitForLog(stack, 'agent', /"channel":"twilio-relay","msg":"phone call"/, 30_000, since);
    const closed = new Promise<number>((resolve) => a.session.ws.once('close', (code) => resolve(code)));
    a.session.raw(Buffer.alloc(10 * 1024 * 1024, 0x41).toString());
    assert.equal(await closed, 1009, 'a 10 MB frame closes the socket as too big');
    // a second call dropped while she answers
    const b = await relayCall();
    await waitForLog(
      stack,
      'agent',
      /"channel":"twilio-relay","msg":"phone call"/,
      30_000,
      stack.lines.length - 1,
    ).catch(() => undefined);
    const from = b.session.tokens.length;
    b.session.prompt('what are your opening hours');
    await until(() => b.session.tokens.length > from, 30_000, 'her answer to start');
    b.session.drop();
    // the web server still answers, every bridged room is gone, every job exited
    assert.equal((await fetch(`${stack.webUrl}/api/health`)).status, 200);
    const end = Date.now() + 20_000;
    while ((await rooms.listRooms()).some((r) => r.name.startsWith('twilio-'))) {
      assert.ok(Date.now() < end, 'no twilio room left');
      await new Promise((r) => setTimeout(r, 200));
    }
    const exits = () => agentLogs(stack).filter((l) => l.msg === 'job exiting').length;
    await until(() => exits() >= 4, 20_000, 'every job to exit');
    assert.ok(
      !stack.lines.slice(since).some((l) => l.source === 'web' && /uncaught|unhandled/i.test(l.line)),
      'no crash in the web server',
    );
  });

  test('recorded with channel twilio-relay: the cut answer and the booking in the database', async () => {
    await waitForLog(stack, 'web', /"msg":"relay session ended"/, 1000);
    stopped = true;
    await stack.stop();
    const db = await openPglite(dataDir);
    try {
      const calls = await db.query<{ id: string; channel: string; caller_phone_masked: string }>(
        'select id, channel, caller_phone_masked from call_sessions',
      );
      assert.ok(calls.length >= 3);
      for (const c of calls)
        assert.deepEqual({ ...c, id: '' }, { id: '', channel: 'twilio-relay', caller_phone_masked: '+1******4321' });
      // the answer the caller talked over is kept only as far as it was said
      const cut = await db.query<{ text: string }>(
        "select text from conversation_turns where speaker = 'agent' and interrupted = true",
      );
      assert.ok(cut.length >= 1, 'her interrupted answer is recorded as interrupted');
      assert.ok(
        cut.some((c) => c.text.length < hoursSent.length && hoursSent.startsWith(c.text.slice(0, 10))),
        `the cut answer is shorter than what was sent: ${JSON.stringify(cut)} vs ${hoursSent}`,
      );
      const bookings = await db.query<{ call_id: string; name: string }>(
        "select call_id, name from bookings where status = 'booked'",
      );
      assert.equal(bookings.length, 1);
      assert.equal(bookings[0]!.name, 'Sarah Jones');
      assert.ok(calls.some((c) => c.id === bookings[0]!.call_id));
      const metrics = agentLogs(stack).filter((l) => l.msg === 'turn metrics');
      assert.ok(metrics.length >= 5, 'every answered turn has its latencies');
    } finally {
      await db.close();
    }
  });
});
