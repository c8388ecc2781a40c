/**
 * A plain Twilio number through Media Streams, on the whole stack (livekit-server, the agent with the
 * offline engines, the web server with its bridge): a fake Twilio (test/fakes/twilio-media.ts) posts
 * the signed webhook, opens the stream the TwiML names and speaks Media Streams — `connected`,
 * `start`, a 20 ms μ-law frame every 20 ms (flite's speech made 8 kHz μ-law here, line silence
 * otherwise), `dtmf`, mark echoes, `stop`. The transfer goes to the Twilio REST fake.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, test } from 'vitest';
import { contractSigner } from '../agent/src/call/clinic-services.ts';
import { RecordsClient } from '../agent/src/records/http-client.ts';
import { HttpBookingStore } from '../agent/src/records/http-records.ts';
import { openPglite } from '../web/server/db/db.ts';
import { startTwilioFake, type TwilioFake } from './fakes/twilio-rest.ts';
import { ACCOUNT_SID, type FakeMediaStream, type StreamProfile } from './fakes/twilio-media.ts';
import { CLINIC_NUMBER, phoneSpeech, twilioCall, voicedFrames } from './support/twilio-caller.ts';
import { agentLogs, startTestStack, waitForLog, type AgentLog, type TestStack } from './support/test-stack.ts';

const AUTH = 'twilio-auth-token-for-the-media-test';
const CLINIC = CLINIC_NUMBER;
const FRONT_DESK = 'tel:+15550100999';

describe('a Twilio number through Media Streams', () => {
  let stack: TestStack;
  let rest: TwilioFake;
  let rooms: RoomServiceClient;
  const dataDir = mkdtempSync(join(tmpdir(), 'voxanne-twilio-media-'));
  const streams: FakeMediaStream[] = [];

  beforeAll(async () => {
    rest = await startTwilioFake(ACCOUNT_SID, AUTH, [CLINIC]);
    stack = await startTestStack(
      'twilio-media',
      { TRANSFER_TO: FRONT_DESK },
      {
        webEnv: {
          DATA_DIR: dataDir,
          TWILIO_AUTH_TOKEN: AUTH,
          TWILIO_ACCOUNT_SID: ACCOUNT_SID,
          TWILIO_API_BASE_URL: rest.baseUrl,
          TWILIO_NUMBERS: `${CLINIC}=riverside`,
        },
      },
    );
    rooms = new RoomServiceClient(stack.livekitUrl.replace(/^ws/, 'http'), stack.apiKey, stack.apiSecret);
  });

  let stopped = false;
  afterAll(async () => {
    for (const s of streams) s.close();
    if (!stopped) await stack?.stop();
    await rest?.close();
  });

  const call = (profile?: StreamProfile) => twilioCall(stack.webUrl, AUTH, profile);
  const bookings = () =>
    new HttpBookingStore(
      new RecordsClient({ baseUrl: stack.webUrl, secret: stack.recordsApiKey, sign: contractSigner }),
      'riverside',
    );

  const logsOf = (callId: string) => agentLogs(stack).filter((l) => l.callId === callId);
  const stateLogs = (callId: string) => logsOf(callId).filter((l) => l.msg === 'state');
  async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what} (see ${stack.logFile})`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  test('greeting; a booking asked over it (barge-in → clear, history cut as heard); 0 → transfer; stop', async () => {
    // a phone caller who does not wait: the request over her greeting, the number on the keypad. It opens
    // with a hello, as callers do: the recogniser's first words of a call are its weakest (its live
    // normalisation has heard only her greeting's silence), and a CI run heard "I'd like to book" as
    // "i live had", which is a question about consultations, not a booking
    const request = await phoneSpeech(
      "Hello. I'd like to book a consultation on Tuesday at ten a m. My name is Sarah Jones.",
    );
    const yes = await phoneSpeech('yes please', 400);
    const since = stack.lines.length;
    // the caller hears her 400 ms after the bridge sends her (network and jitter buffer)
    const { stream, startedAt } = await call({ playoutDelayMs: 400 });

    // her greeting arrives as Media Streams frames
    const phone = JSON.parse(
      await waitForLog(stack, 'agent', /"channel":"twilio-media","msg":"phone call"/, 30_000, since),
    ) as AgentLog;
    assert.equal(phone.caller, '+1******4321', 'the bridge gives her only the masked number');
    const callId = phone.callId!;
    const answers = () => logsOf(callId).filter((l) => l.msg === 'turn metrics').length;
    const state = () => stateLogs(callId).at(-1);
    await until(() => stream.audibleFrames().length >= 10, 30_000, 'her greeting');
    console.log(`greeting: first audible frame ${Math.round(stream.audibleFrames()[0]! - startedAt)} ms after start`);

    // a second into it the caller talks over her, and Twilio is told to clear at once
    await until(() => stream.audibleFrames().length >= 50, 30_000, 'a second of her greeting');
    // the fake Twilio lives in this process: a stall of its event loop makes her frames "arrive" late, so
    // they play later and more is unplayed at the clear than the bridge (which saw them leave on time and
    // can know of the line's delay only from the last mark) can count; its truth is as late as its clock
    const stalls = monitorEventLoopDelay({ resolution: 10 });
    stalls.enable();
    const clearsBefore = stream.clears.length;
    const frames = await stream.say(request);
    const onset = frames[voicedFrames(request).first]!;
    await until(() => stream.clears.length > clearsBefore, 5000, 'clear after the barge-in');
    stalls.disable();
    const stallMs = Math.max(0, stalls.max / 1e6 - 10);
    console.log(`barge-in: caller onset → clear at the fake ${Math.round(stream.clears[clearsBefore]! - onset)} ms`);
    const cleared = JSON.parse(await waitForLog(stack, 'web', /"msg":"barge-in: cleared"/, 5000, since)) as {
      unheardMs: number;
      droppedMs: number;
      lagMs: number;
    };
    assert.ok(stream.marksEchoed.length > 0, 'marks were sent at her sentence ends and echoed');
    // her interrupted greeting is kept as far as the caller heard it, by the marks, not as far as it left her
    const cut = JSON.parse(await waitForLog(stack, 'agent', /"msg":"reply heard at the far end"/, 5000, since)) as {
      turn: number;
      playedMs: number;
      heardMs: number;
      unheardMs: number;
      source: string;
    };
    assert.equal(cut.source, 'far end', 'the bridge reported what the caller did not hear');
    assert.equal(cut.unheardMs, cleared.unheardMs);
    assert.ok(Math.abs(cut.heardMs - Math.max(0, cut.playedMs - cut.unheardMs)) <= 1, 'cut where the report says');
    // the fake's truth: of that reply's audio that reached Twilio, what it had not played at the clears
    const began = stateLogs(callId).find((l) => l.to === 'SPEAKING' && l.turn === cut.turn)!;
    const unplayed = stream.unplayedBetween(began.time - performance.timeOrigin, stream.clears.at(-1)!);
    console.log(
      `interrupted greeting: Twilio dropped ${Math.round(unplayed)} ms unheard, the bridge counted ` +
        `${cleared.droppedMs} ms by the marks (lag ${cleared.lagMs} ms); she kept ${cut.heardMs} of the ` +
        `${cut.playedMs} ms that left her; the fake's longest stall ${Math.round(stallMs)} ms`,
    );
    assert.ok(
      Math.abs(cleared.droppedMs - unplayed) <= 150 + stallMs,
      `counted ${cleared.droppedMs} ms, dropped ${unplayed}, the fake stalled up to ${Math.round(stallMs)} ms`,
    );

    // the request gets the right answer: she asks for the number (the keypad is an answer only then)
    const lastWord = frames[voicedFrames(request).last]!;
    await until(() => stream.audibleFrames().some((t) => t > lastWord), 20_000, 'her answer');
    const answerAt = stream.audibleFrames().find((t) => t > lastWord)!;
    console.log(
      `voice-to-voice (request's last voiced frame → her first audible frame): ${Math.round(answerAt - lastWord)} ms`,
    );
    await until(() => answers() >= 1 && state()?.to === 'LISTENING', 30_000, 'her question for the number');
    const asked = Number(state()!.turn);
    for (const key of '6195552418#') stream.dtmf(key);
    // she reads the booking back, and the caller says yes once she has heard it all: a yes over it would
    // book nothing, since the history holds only what the caller heard (records/booking-tools.ts readBack)
    await until(() => state()?.to === 'LISTENING' && Number(state()!.turn) > asked, 30_000, 'the read-back');
    await stream.say(yes);
    const end = Date.now() + 30_000;
    let booked: Awaited<ReturnType<HttpBookingStore['findByPhone']>> = [];
    while (booked.length === 0) {
      assert.ok(Date.now() < end, `the booking is made (see ${stack.logFile})`);
      await new Promise((r) => setTimeout(r, 250));
      booked = await bookings().findByPhone('+16195552418');
    }
    assert.equal(booked[0]!.service, 'consultation');
    assert.equal(booked[0]!.status, 'booked');

    // 0 on the keypad: she says she is connecting the caller, then the bridge redirects the call
    stream.dtmf('0');
    await waitForLog(stack, 'agent', /"digit":"0".*"msg":"dtmf"/, 10_000, since);
    await until(() => rest.state.callUpdates.length > 0, 30_000, 'the REST redirect');
    assert.equal(rest.state.callUpdates[0]!.callSid, stream.callSid);
    assert.match(rest.state.callUpdates[0]!.twiml, /<Dial><Number>\+15550100999<\/Number><\/Dial>/);

    // Twilio ends the stream: the room closes and the job exits
    stream.stop();
    await waitForLog(stack, 'web', /"reason":"(stop|socket closed)".*"msg":"media stream ended"/, 10_000, since);
    const room = String(phone.room);
    await until(() => logsOf(callId).some((l) => l.msg === 'call ended'), 15_000, 'the call to end');
    const gone = Date.now() + 15_000;
    while ((await rooms.listRooms([room])).length > 0) {
      assert.ok(Date.now() < gone, 'the room is closed');
      await new Promise((r) => setTimeout(r, 200));
    }
  });

  test('malformed JSON, unknown events, out-of-order and 10 MB frames, a dropped socket: nothing left', async () => {
    const since = stack.lines.length;
    // garbage on a live stream, then a 10 MB frame
    const a = await call();
    a.stream.raw('{"event":');
    a.stream.raw(JSON.stringify({ event: 'surprise', streamSid: a.stream.streamSid }));
    a.stream.raw(Buffer.from([0, 1, 2, 3]));
    a.stream.start({}); // a second start
    a.stream.dtmf('12');
    await waitForLog(stack, 'agent', /"channel":"twilio-media","msg":"phone call"/, 30_000, since);
    const closed = new Promise<number>((resolve) => a.stream.ws.once('close', (code) => resolve(code)));
    a.stream.raw(Buffer.alloc(10 * 1024 * 1024, 0x41).toString());
    assert.equal(await closed, 1009, 'a 10 MB frame closes the socket as too big');
    // a second call whose socket is dropped while she greets
    const b = await call();
    await until(() => b.stream.audibleFrames().length >= 5, 30_000, 'the second greeting');
    b.stream.drop();
    // the web server still answers, every bridged room is gone, every job exited
    assert.equal((await fetch(`${stack.webUrl}/api/health`)).status, 200);
    const end = Date.now() + 20_000;
    while ((await rooms.listRooms()).some((r) => r.name.startsWith('twilio-'))) {
      assert.ok(Date.now() < end, 'no twilio room left');
      await new Promise((r) => setTimeout(r, 200));
    }
    const jobs = () => agentLogs(stack).filter((l) => l.msg === 'job exiting').length;
    const calls = () => agentLogs(stack).filter((l) => l.msg === 'phone call').length;
    await until(() => jobs() >= calls(), 20_000, 'every job to exit');
    assert.ok(
      !stack.lines.slice(since).some((l) => l.source === 'web' && /uncaught|unhandled/i.test(l.line)),
      'no crash in the web server',
    );
  });

  test('the calls are recorded with channel twilio-media and the masked number', async () => {
    await waitForLog(stack, 'web', /"msg":"media stream ended"/, 1000);
    stopped = true;
    await stack.stop();
    const db = await openPglite(dataDir);
    try {
      const calls = await db.query<{ channel: string; caller_phone_masked: string }>(
        'select channel, caller_phone_masked from call_sessions',
      );
      assert.ok(calls.length >= 1);
      for (const c of calls) assert.deepEqual(c, { channel: 'twilio-media', caller_phone_masked: '+1******4321' });
      // the booking made over the stream is the stream call's
      const booked = await db.query<{ channel: string; phone: string }>(
        "select c.channel, b.phone from bookings b join call_sessions c on c.id = b.call_id where b.status = 'booked'",
      );
      assert.deepEqual(booked, [{ channel: 'twilio-media', phone: '+16195552418' }]);
      // the greeting the caller talked over is kept only as far as it was heard
      const cut = await db.query<{ text: string }>(
        "select text from conversation_turns where speaker = 'agent' and interrupted = true",
      );
      assert.ok(cut.length >= 1, 'her interrupted answer is recorded as interrupted');
    } finally {
      await db.close();
    }
  });
});
