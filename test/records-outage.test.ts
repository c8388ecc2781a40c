/**
 * The web server goes away mid-call and comes back; the call's records end up whole and written
 * exactly once. A proxy in front of the web server's internal API (the agent's VOXANNE_RECORDS_URL)
 * plays the outage: first the server stores each write but its answer is lost (what made the agent
 * retry a state change that was already stored, 7 copies of it), then nothing answers at all, then
 * everything passes again. Real stack, offline engines.
 */
import { afterAll, beforeAll, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispose } from '@livekit/rtc-node';
import { openPglite } from '../web/server/db/db.ts';
import { SimCaller } from './support/sim-caller.ts';
import { concat, silence, speech48k } from './support/speech.ts';
import { startTestStack, type TestStack } from './support/test-stack.ts';

type Mode = 'pass' | 'lose-answers' | 'down';

/** A pass-through HTTP proxy whose failures the test switches. */
class OutageProxy {
  mode: Mode = 'pass';
  target = '';
  /** writes the server stored whose answers the agent never got */
  lostAnswers = 0;
  refused = 0;
  readonly #server: Server = createServer((req, res) => {
    if (this.mode === 'down') {
      this.refused++;
      req.socket.destroy();
      return;
    }
    const lose = this.mode === 'lose-answers' && req.method === 'POST';
    const up = request(`${this.target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        if (lose) {
          this.lostAnswers++;
          res.socket?.destroy(); // stored upstream; the agent sees the connection drop
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(Buffer.concat(chunks));
      });
    });
    up.on('error', () => res.socket?.destroy());
    req.pipe(up);
  });

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.#server.closeAllConnections();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

const proxy = new OutageProxy();
let stack: TestStack | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'voxanne-records-outage-'));
const ANSWER_TIMEOUT_MS = 40_000;

beforeAll(async () => {
  const proxyUrl = await proxy.listen();
  stack = await startTestStack('records-outage', { VOXANNE_RECORDS_URL: proxyUrl }, { webEnv: { DATA_DIR: dataDir } });
  proxy.target = stack.webUrl;
});

afterAll(async () => {
  await stack?.stop();
  await proxy.close();
  await dispose();
});

const isHoursAnswer = (t: string) => /monday/i.test(t) && /eight/i.test(t);
const isAddressAnswer = (t: string) => /harbor/i.test(t);

async function ask(c: SimCaller, pcm: Int16Array, answered: (t: string) => boolean, what: string): Promise<void> {
  const before = c.transcripts('agent').length;
  const stop = new AbortController();
  const playing = c.play(concat(pcm, silence(ANSWER_TIMEOUT_MS)), stop.signal);
  try {
    await c.waitFor(
      () => c.transcripts('agent').slice(before).some(answered) && c.states().at(-1) === 'LISTENING',
      ANSWER_TIMEOUT_MS,
      what,
    );
  } finally {
    stop.abort();
    await playing;
  }
}

test('a records server losing answers, then down, then back: every turn and state change stored once', async () => {
  const s = stack!;
  const [hours, address] = await Promise.all([
    speech48k('What are your opening hours?'),
    speech48k('Where are you located?'),
  ]);
  const room = `outage-${Date.now()}`;
  const c = await SimCaller.join({
    url: s.livekitUrl,
    apiKey: s.apiKey,
    apiSecret: s.apiSecret,
    room,
    publishMic: true,
  });
  let callId: string;
  try {
    await c.waitFor(() => c.messages.length > 0, 40_000, 'her first message');
    callId = c.messages[0]!.msg.callId;
    await c.waitFor(() => c.states().includes('SPEAKING') && c.states().at(-1) === 'LISTENING', 40_000, 'the greeting');

    // answers lost: the server stores each write, the agent does not learn it and sends it again
    proxy.mode = 'lose-answers';
    await ask(c, hours, isHoursAnswer, 'her answer about the hours');
    // then the web server is gone for a few seconds
    proxy.mode = 'down';
    await new Promise((r) => setTimeout(r, 3000));
    proxy.mode = 'pass';
    await ask(c, address, isAddressAnswer, 'her answer about the address');
  } finally {
    await c.leave();
  }
  console.log(`answers lost: ${proxy.lostAnswers}, requests refused: ${proxy.refused}`);
  assert.ok(proxy.lostAnswers >= 3, `writes were stored but unanswered (${proxy.lostAnswers})`);
  assert.ok(proxy.refused >= 1, `writes were refused while the server was down (${proxy.refused})`);
  const heardStates = c.states();

  // the agent's records queue drains once the server is back; then the call's end arrives
  const deadline = Date.now() + 30_000;
  const ended = () =>
    s.lines.some((l) => l.source === 'agent' && l.line.includes(callId) && l.line.includes('"msg":"call ended"'));
  while (!ended() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  assert.ok(ended(), 'the call ended');
  await new Promise((r) => setTimeout(r, 3000)); // the end record's delivery after the "call ended" line
  await s.stop();
  stack = undefined;

  const db = await openPglite(dataDir);
  try {
    const calls = await db.query<{ id: string; status: string }>(
      'select id, status from call_sessions where room = $1',
      [room],
    );
    assert.deepEqual(
      calls.map((x) => x.id),
      [callId],
      'one call record',
    );
    assert.equal(calls[0]!.status, 'completed');
    const turns = await db.query<{ idx: number; speaker: string; text: string }>(
      'select idx, speaker, text from conversation_turns where call_id = $1 order by idx',
      [callId],
    );
    console.log(JSON.stringify(turns.map((x) => `${x.idx} ${x.speaker}: ${x.text}`)));
    assert.deepEqual(
      turns.map((x) => x.idx),
      turns.map((_, i) => i),
      'every turn index once, none missing',
    );
    // (a silence prompt of hers may fall into the outage: her turns are not counted, only found)
    assert.deepEqual(
      turns.filter((x) => x.speaker === 'caller').map((x) => x.text),
      ['what are your opening hours', 'where are you located'],
      'each question once',
    );
    assert.ok(
      turns.some((x) => x.speaker === 'agent' && isHoursAnswer(x.text)),
      'the answer given during the outage is recorded',
    );
    assert.ok(
      turns.some((x) => x.speaker === 'agent' && isAddressAnswer(x.text)),
      'the answer after it too',
    );
    // every state change the caller saw is stored once, in order; the end states come after she left
    const stored = (
      await db.query<{ state: string }>('select state from call_states where call_id = $1 order by at, id', [callId])
    ).map((x) => x.state);
    console.log(`room: ${heardStates.join(' > ')}; stored: ${stored.join(' > ')}`);
    assert.deepEqual(
      stored.slice(0, heardStates.length),
      heardStates,
      'the stored states are the ones she went through, each once',
    );
    assert.ok(
      stored.length - heardStates.length <= 2,
      `only the call's end follows (${stored.slice(heardStates.length).join(', ')})`,
    );
  } finally {
    await db.close();
  }
});
