/**
 * The conversation engine on the cloud path: the agent talks to Deepgram and Groq through their
 * official SDKs, pointed at local fakes that speak the real wire protocols. The caller is a real
 * LiveKit participant; everything asserted is what the caller receives or what the agent publishes.
 */
import { dispose } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, beforeEach, test } from 'vitest';
import assert from 'node:assert/strict';
import { respond, type Turn } from '../agent/src/core/receptionist/index.ts';
import { loadKnowledgeBase } from '../agent/src/knowledge/kb.ts';
import type { KnowledgeBase } from '@voxanne/contracts/knowledge-base';
import { startFakeDeepgram, type FakeDeepgram } from './fakes/deepgram/index.ts';
import { startFakeGroq } from './fakes/groq/fake-groq.ts';
import type { FakeGroq, RecordedRequest } from './fakes/groq/types.ts';
import { SimCaller } from './support/sim-caller.ts';
import { silence, speech48k } from './support/speech.ts';
import { startTestStack, waitForLog, type TestStack } from './support/test-stack.ts';
import { metricValue, scrape, type Sample } from './support/prometheus.ts';

let stack: TestStack;
let dg: FakeDeepgram;
let groq: FakeGroq;
let kb: KnowledgeBase;
let roomNo = 0;

/** The Groq fake answers like the clinic's receptionist would, from the real knowledge base. */
function receptionist(req: RecordedRequest) {
  const turns: Turn[] = req.messages
    .filter((m) => (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string')
    .map((m) => ({ role: m.role as Turn['role'], text: m.content as string }));
  const last = turns.pop();
  return { content: respond(kb, turns, last?.text ?? '').text };
}

/** `reply` for the BBL question (long enough to talk over); the receptionist otherwise. */
const bblAnswer = (reply: string) => (req: RecordedRequest) => {
  const last = req.messages.at(-1);
  return last?.role === 'user' && /BBL/.test(String(last.content)) ? { content: reply } : receptionist(req);
};

const LONG_REPLY =
  'Our Brazilian butt lift moves fat from the waist or thighs to shape the buttocks. ' +
  'It costs eight thousand to twelve thousand dollars, depending on the plan your surgeon makes with you. ' +
  'Recovery takes about two weeks, and most people go back to desk work after ten days. ' +
  'Every procedure starts with a consultation with one of our board certified surgeons. ' +
  'Would you like the front desk to call you back about a consultation?';
/**
 * Its first sentence and its closing question: enough to be cut off in and picked up again. (The whole long
 * reply made the false-interruption case sit through three more sentences, about 11 s, after the resume.)
 */
const TWO_SENTENCES =
  'Our Brazilian butt lift moves fat from the waist or thighs to shape the buttocks. ' +
  'Would you like the front desk to call you back about a consultation?';

beforeAll(async () => {
  kb = await loadKnowledgeBase();
  dg = await startFakeDeepgram({ profile: { sttFinalMs: 20, ttsFirstByteMs: 20, ttsSpeedup: 8 } });
  groq = await startFakeGroq({ responder: receptionist });
  stack = await startTestStack('conversation-engine', {
    DEEPGRAM_API_KEY: dg.apiKey,
    DEEPGRAM_BASE_URL: dg.url,
    GROQ_API_KEY: groq.apiKey,
    GROQ_BASE_URL: groq.baseURL,
  });
});

afterAll(async () => {
  await dispose();
  await stack?.stop();
  await dg?.close();
  await groq?.close();
});

beforeEach(() => {
  groq.reset();
  groq.setResponder(receptionist);
});

async function call(): Promise<SimCaller> {
  const c = await SimCaller.join({
    url: stack.livekitUrl,
    apiKey: stack.apiKey,
    apiSecret: stack.apiSecret,
    room: `engine-${++roomNo}-${Date.now()}`,
    publishMic: true,
  });
  // her greeting, all of it, before the caller says anything
  await c.waitFor(() => c.states().filter((s) => s === 'LISTENING').length >= 2, 20_000, 'the greeting to finish');
  return c;
}

const agentFinals = (c: SimCaller) => c.transcripts('agent').join(' | ');

/** how much a metric grew between two scrapes */
const grew = (before: Sample[], after: Sample[], name: string, labels: Record<string, string> = {}) =>
  metricValue(after, name, labels) - metricValue(before, name, labels);

test('a whole turn walks LISTENING → PROCESSING → SPEAKING → LISTENING and reports its latency', async () => {
  const agentBefore = await scrape(stack.agentMetricsUrl);
  const c = await call();
  try {
    // a question with a short answer (about 3 s of her voice), since the test waits for all of it
    dg.script('Is there parking?');
    await c.play(await speech48k('Is there parking?', { trailingSilenceMs: 600 }));
    await c.waitFor(() => c.messages.some((m) => m.msg.type === 'metrics'), 15_000, 'turn metrics');
    await c.waitFor(() => c.transcripts('agent').some((t) => /free parking/i.test(t)), 15_000, 'the parking answer');
    await c.waitFor(() => c.states().filter((s) => s === 'LISTENING').length >= 3, 30_000, 'the answer to finish');
    assert.deepEqual(c.states().slice(0, 7), [
      'LISTENING',
      'PROCESSING',
      'SPEAKING',
      'LISTENING',
      'PROCESSING',
      'SPEAKING',
      'LISTENING',
    ]);
    const metrics = c.messages.flatMap((m) => (m.msg.type === 'metrics' ? [m.msg.metrics] : []));
    assert.equal(metrics.length, 1);
    const m = metrics[0]!;
    assert.deepEqual(m.engines, { llm: 'groq llama-3.1-8b-instant', tts: 'deepgram aura-2-thalia-en' });
    for (const k of ['sttFinalDelayMs', 'endOfTurnDelayMs', 'llmTtftMs', 'ttsTtfbMs', 'voiceToVoiceMs'] as const) {
      assert.equal(typeof m[k], 'number', `${k} measured`);
    }
    // the LLM saw the clinic's instructions and the caller's words, in order
    const req = groq.requests.at(-1)!;
    assert.equal(req.messages[0]!.role, 'system');
    assert.match(String(req.messages[0]!.content), /Riverside Aesthetic Surgery/);
    assert.equal(req.messages.at(-1)!.content, 'Is there parking?');

    // the same call, seen by Prometheus on the worker and on the web server while it goes on
    const during = await scrape(stack.agentMetricsUrl);
    assert.ok(metricValue(during, 'voxanne_calls_active', { channel: 'web' }) >= 1, 'the call is active');
    assert.ok(metricValue(during, 'voxanne_worker_load') > 0);
    assert.equal(grew(agentBefore, during, 'voxanne_greeting_seconds_count'), 1);
    assert.equal(grew(agentBefore, during, 'voxanne_voice_to_voice_seconds_count'), 1);
    assert.equal(
      grew(agentBefore, during, 'voxanne_provider_latency_seconds_count', {
        stage: 'llm',
        provider: 'groq llama-3.1-8b-instant',
      }),
      1,
    );
    assert.equal(grew(agentBefore, during, 'voxanne_provider_latency_seconds_count', { stage: 'tts' }), 1);
    assert.ok(grew(agentBefore, during, 'voxanne_records_request_seconds_count', { result: 'ok' }) >= 1);
    const web = await scrape(stack.webUrl);
    assert.ok(metricValue(web, 'voxanne_calls', { channel: 'web', status: 'in_progress' }) >= 1);
    assert.ok(metricValue(web, 'voxanne_db_query_seconds_count') >= 1);
  } finally {
    await c.leave();
  }
  // the caller hung up: counted once, by outcome, and no longer active
  const ended = (after: Sample[]) =>
    grew(agentBefore, after, 'voxanne_calls_total', { channel: 'web', outcome: 'caller_hung_up' });
  let after = await scrape(stack.agentMetricsUrl);
  // the job process reports the end as it shuts the call down; the scrape is polled (it has no event)
  for (const deadline = Date.now() + 15_000; ended(after) === 0 && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 250));
    after = await scrape(stack.agentMetricsUrl);
  }
  assert.equal(ended(after), 1, 'the call was counted once as ended by the caller');
  assert.equal(metricValue(after, 'voxanne_calls_active'), 0);
});

test('the worker and the web server say they are alive and ready for calls', async () => {
  for (const base of [stack.agentMetricsUrl, stack.webUrl]) {
    const alive = await fetch(`${base}/healthz`);
    assert.equal(alive.status, 200, `${base}/healthz`);
    const ready = await fetch(`${base}/readyz`);
    const body = (await ready.json()) as { ready: boolean; checks: Record<string, unknown> };
    assert.equal(ready.status, 200, `${base}/readyz: ${JSON.stringify(body)}`);
    assert.equal(body.checks.livekit, 'up');
    assert.equal(body.checks.db, 'up');
    assert.equal(body.checks.draining, false);
  }
  const agent = (await (await fetch(`${stack.agentMetricsUrl}/readyz`)).json()) as { checks: { engines: string } };
  assert.equal(agent.checks.engines, 'warm');
});

test('barge-in: talking over her stops her audio at the caller, and she answers the new question', async () => {
  const c = await call();
  try {
    groq.setResponder(bblAnswer(LONG_REPLY));
    dg.script('Tell me about the BBL.', 'How much is a facelift?');
    await c.play(await speech48k('Tell me about the BBL.', { trailingSilenceMs: 400 }));
    await c.waitFor(() => c.states().filter((s) => s === 'SPEAKING').length >= 2, 15_000, 'her long answer to start');
    const speakingAt = c.messages.filter((m) => m.msg.type === 'state' && m.msg.state === 'SPEAKING').at(-1)!.atMs;
    await c.waitFor(() => c.audibleMs(speakingAt) >= 1500, 10_000, 'some of her answer to be heard');

    const interruption = c.play(await speech48k('How much is a facelift?', { trailingSilenceMs: 400 }));
    const onset = performance.now();
    await c.waitFor(() => c.states().includes('INTERRUPTED'), 5000, 'INTERRUPTED');
    await interruption;
    const stoppedAt = c.silentFrom(onset, 200);
    assert.ok(stoppedAt !== undefined, 'her audio stopped at the caller');

    await c.waitFor(
      () => c.transcripts('agent').some((t) => /facelift/i.test(t) && /ten thousand/i.test(t)),
      20_000,
      'the facelift answer',
    );
    // between stopping and her next answer the line stayed quiet: nothing of the old reply leaked through
    const nextSpeaking = c.messages.find(
      (m) => m.atMs > stoppedAt! && m.msg.type === 'state' && m.msg.state === 'SPEAKING',
    )!.atMs;
    assert.ok(c.heard.filter((h) => h.atMs > stoppedAt! + 100 && h.atMs < nextSpeaking && h.rms > 300).length <= 2);

    // history keeps only what was heard of the long reply: the next request carries a cut-down version
    const second = groq.requests.at(-1)!;
    const heardReply = second.messages.find(
      (m) => m.role === 'assistant' && String(m.content).startsWith('Our Brazilian'),
    );
    assert.ok(heardReply, `the interrupted reply is in the history: ${JSON.stringify(second.messages.slice(1))}`);
    assert.ok(String(heardReply.content).length < LONG_REPLY.length, 'but only the part that was heard');
  } finally {
    await c.leave();
  }
});

test('a false interruption ("uh-huh") does not lose her reply: she picks it up again', async () => {
  const c = await call();
  try {
    groq.setResponder(bblAnswer(TWO_SENTENCES));
    dg.script('Tell me about the BBL.', 'uh huh');
    await c.play(await speech48k('Tell me about the BBL.', { trailingSilenceMs: 400 }));
    await c.waitFor(() => c.states().filter((s) => s === 'SPEAKING').length >= 2, 15_000, 'her long answer to start');
    const speakingAt = c.messages.filter((m) => m.msg.type === 'state' && m.msg.state === 'SPEAKING').at(-1)!.atMs;
    await c.waitFor(() => c.audibleMs(speakingAt) >= 1500, 10_000, 'some of her answer to be heard');
    await c.play(await speech48k('uh huh', { trailingSilenceMs: 200 }));
    await c.waitFor(() => c.states().includes('INTERRUPTED'), 5000, 'INTERRUPTED');
    const interruptedAt = performance.now();
    await c.waitFor(
      () => c.messages.some((m) => m.atMs > interruptedAt && m.msg.type === 'state' && m.msg.state === 'SPEAKING'),
      10_000,
      'her to resume',
    );
    // she says the sentence she was cut off in again, then goes on to the reply's closing question
    await c.waitFor(
      () => c.transcripts('agent').some((t) => /Would you like the front desk to call you back\?/.test(t)),
      30_000,
      'the rest of her reply',
    );
    assert.ok(
      groq.requests.every((r) => !/uh huh/i.test(String(r.messages.at(-1)?.content))),
      '"uh huh" was not sent to the LLM as a question',
    );
  } finally {
    await c.leave();
  }
});

test('silence after her reply brings a gentle prompt, then a goodbye, then she hangs up', async () => {
  const c = await call();
  try {
    await c.play(silence(500));
    await c.waitFor(() => c.transcripts('agent').some((t) => t === 'Are you still there?'), 10_000, 'the first prompt');
    await c.waitFor(
      () => c.transcripts('agent').some((t) => /anything else I can help with/.test(t)),
      15_000,
      'the second prompt',
    );
    await c.waitFor(() => c.transcripts('agent').some((t) => /Goodbye!/.test(t)), 15_000, 'the goodbye');
    const callId = c.messages[0]!.msg.callId;
    await waitForLog(stack, 'agent', new RegExp(`"callId":"${callId}".*"reason":"agent hung up"`), 10_000);
    await waitForLog(stack, 'agent', new RegExp(`"lk.pii.room_name":"${c.room.name}".*"msg":"room deleted"`), 10_000);
    const rooms = new RoomServiceClient(stack.livekitUrl.replace(/^ws/, 'http'), stack.apiKey, stack.apiSecret);
    assert.deepEqual(
      (await rooms.listRooms([c.room.name!])).map((r) => r.name),
      [],
      'she closed the room',
    );
  } finally {
    await c.leave();
  }
});

test('the LLM failing mid-call: an apology, then an answer from the embedded brain, and the call goes on', async () => {
  const c = await call();
  try {
    const before = await scrape(stack.agentMetricsUrl);
    groq.inject({ kind: 'http-error', status: 500, times: 20 });
    // a short answer: the next question waits for its end
    dg.script('Is there parking?');
    await c.play(await speech48k('Is there parking?', { trailingSilenceMs: 600 }));
    await c.waitFor(
      () => /Sorry, I had a little trouble there\..*free parking/i.test(agentFinals(c)),
      20_000,
      `apology and fallback answer, got: ${agentFinals(c)}`,
    );
    await c.waitFor(() => c.messages.some((x) => x.msg.type === 'metrics'), 5000, 'turn metrics');
    const m = c.messages.flatMap((x) => (x.msg.type === 'metrics' ? [x.msg.metrics] : [])).at(-1)!;
    assert.equal(m.engines.llm, 'rules (offline)');
    const after = await scrape(stack.agentMetricsUrl);
    // Groq's 500 reached the speculative request first; the reply itself saw a stream with no words
    assert.equal(grew(before, after, 'voxanne_provider_errors_total', { stage: 'reply' }), 1);
    assert.equal(grew(before, after, 'voxanne_provider_fallbacks_total', { stage: 'reply' }), 1);

    // the next turn goes back to Groq
    groq.clearFaults();
    dg.script('How much is a tummy tuck?');
    await c.waitFor(() => c.states().at(-1) === 'LISTENING', 20_000, 'LISTENING');
    await c.play(await speech48k('How much is a tummy tuck?', { trailingSilenceMs: 600 }));
    await c.waitFor(() => /thirteen thousand/.test(agentFinals(c)), 20_000, 'the tummy tuck answer');
    await c.waitFor(() => c.messages.filter((x) => x.msg.type === 'metrics').length >= 2, 5000, 'turn metrics');
    const last = c.messages.flatMap((x) => (x.msg.type === 'metrics' ? [x.msg.metrics] : [])).at(-1)!;
    assert.equal(last.engines.llm, 'groq llama-3.1-8b-instant');
  } finally {
    await c.leave();
  }
});

test('the voice failing mid-reply: she apologises in the embedded voice and finishes the answer', async () => {
  const c = await call();
  try {
    const before = await scrape(stack.agentMetricsUrl);
    dg.inject({ kind: 'http-error', status: 500, on: 'speak', times: 20 });
    dg.script('Where are you located?');
    await c.play(await speech48k('Where are you located?', { trailingSilenceMs: 600 }));
    await c.waitFor(
      () => /Sorry, I had a little trouble there\..*Harbor/i.test(agentFinals(c)),
      25_000,
      `apology and address, got: ${agentFinals(c)}`,
    );
    await c.waitFor(() => c.messages.some((x) => x.msg.type === 'metrics'), 5000, 'turn metrics');
    const m = c.messages.flatMap((x) => (x.msg.type === 'metrics' ? [x.msg.metrics] : [])).at(-1)!;
    assert.equal(m.engines.tts, 'flite slt (offline)');
    const after = await scrape(stack.agentMetricsUrl);
    assert.equal(grew(before, after, 'voxanne_provider_fallbacks_total', { stage: 'reply', kind: 'http_5xx' }), 1);
    const answerAt = c.messages.find((x) => x.msg.type === 'metrics')!.atMs;
    assert.ok(c.audibleMs(answerAt - 5000) > 1000, 'the fallback answer was heard');
  } finally {
    await c.leave();
  }
});
