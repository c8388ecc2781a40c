/**
 * The fake itself, spoken to in raw protocol (plain ws and fetch, no SDK), so its behaviour is
 * pinned down independently of the adapters it tests.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'vitest';
import {
  concatPcm,
  mulawEncode,
  noise,
  pcmToBytes,
  silence,
  speechLike,
  startFakeDeepgram,
  type FakeDeepgram,
  type JsonMessage,
  type SpeechSegment,
} from './index.ts';

interface ClientSocket {
  readonly protocol: string;
  send(data: string | Uint8Array): void;
  close(): void;
  on(event: 'open', fn: () => void): this;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', fn: (code: number) => void): this;
  on(
    event: 'unexpected-response',
    fn: (req: unknown, res: { statusCode: number; headers: Record<string, string> }) => void,
  ): this;
  on(event: 'error', fn: (err: Error) => void): this;
}
const WebSocket = createRequire(import.meta.url)('ws') as new (
  url: string,
  protocols?: string[],
  opts?: { headers?: Record<string, string> },
) => ClientSocket;

const LISTEN = 'model=nova-3&encoding=linear16&sample_rate=16000&channels=1';

interface Conversation {
  messages: JsonMessage[];
  closeCode: number;
}

/** Opens a live socket, sends `audio` in 20 ms pieces, then the control messages, and collects until close. */
async function converse(
  fake: FakeDeepgram,
  query: string,
  audio: Uint8Array,
  controls: string[] = ['CloseStream'],
  bytesPerPiece = 640,
): Promise<Conversation> {
  const ws = new WebSocket(`ws://127.0.0.1:${fake.port}/v1/listen?${query}`, undefined, {
    headers: { Authorization: `Token ${fake.apiKey}` },
  });
  const messages: JsonMessage[] = [];
  ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as JsonMessage));
  const closed = new Promise<number>((resolve) => ws.on('close', resolve));
  await new Promise<void>((resolve, reject) => (ws.on('open', resolve), ws.on('error', reject)));
  for (let i = 0; i < audio.length; i += bytesPerPiece) ws.send(audio.subarray(i, i + bytesPerPiece));
  for (const type of controls) ws.send(JSON.stringify({ type }));
  return { messages, closeCode: await closed };
}

const transcripts = (msgs: JsonMessage[], final: boolean) =>
  msgs
    .filter((m) => m.type === 'Results' && m.is_final === final)
    .map((m) => (m.channel as { alternatives: Array<{ transcript: string }> }).alternatives[0]!.transcript)
    .filter(Boolean);

test(
  'endpoints on the received audio: interims, then the final, SpeechStarted and ' +
    'UtteranceEnd; CloseStream ends with Metadata and 1000',
  { timeout: 20_000 },
  async () => {
    const fake = await startFakeDeepgram({ script: ['Good morning, Doctor Patel.'] });
    try {
      const pcm = concatPcm(
        silence(300, 16000),
        speechLike('Good morning, Doctor Patel.', 16000),
        silence(1500, 16000),
      );
      const { messages, closeCode } = await converse(
        fake,
        `${LISTEN}&interim_results=true&endpointing=300&utterance_end_ms=1000&vad_events=true&punctuate=true`,
        pcmToBytes(pcm),
      );
      assert.equal(closeCode, 1000);
      assert.deepEqual(
        messages.map((m) => m.type).filter((t, i, all) => t !== all[i - 1]),
        ['SpeechStarted', 'Results', 'UtteranceEnd', 'Metadata'],
      );
      const started = messages.find((m) => m.type === 'SpeechStarted')!;
      assert.ok(
        Math.abs((started.timestamp as number) - 0.3) < 0.05,
        `speech starts at 0.3 s, got ${started.timestamp}`,
      );
      const interims = transcripts(messages, false);
      assert.deepEqual(interims.slice(0, 3), ['Good', 'Good morning,', 'Good morning, Doctor']);
      assert.deepEqual(transcripts(messages, true), ['Good morning, Doctor Patel.']);
      const final = messages.find((m) => m.type === 'Results' && m.is_final && m.speech_final)!;
      const speechEnd = 0.3 + 27 * 0.06;
      const end = (final.start as number) + (final.duration as number);
      assert.ok(
        end >= speechEnd + 0.3 && end < speechEnd + 0.4,
        `final covers the speech and 300 ms of silence, ends at ${end}`,
      );
      const ue = messages.find((m) => m.type === 'UtteranceEnd')!;
      assert.ok(Math.abs((ue.last_word_end as number) - speechEnd) < 0.05);
      const meta = messages.at(-1)!;
      assert.equal(meta.duration, 3.42);
      assert.equal(meta.request_id, fake.received.listen[0]!.requestId);
    } finally {
      await fake.close();
    }
  },
);

test(
  'silence and low noise yield empty finals only; without punctuation transcripts are bare words',
  { timeout: 20_000 },
  async () => {
    const fake = await startFakeDeepgram({ script: ['Yes, please!'] });
    try {
      const quiet = await converse(fake, LISTEN, pcmToBytes(concatPcm(noise(4000, 16000, -50), silence(3000, 16000))));
      assert.deepEqual(transcripts(quiet.messages, true), []);
      assert.ok(
        quiet.messages.some((m) => m.type === 'Results' && m.is_final),
        'silence is still finalized',
      );
      const spoken = await converse(
        fake,
        `${LISTEN}&endpointing=200`,
        pcmToBytes(concatPcm(speechLike('Yes, please!', 16000), silence(500, 16000))),
      );
      assert.deepEqual(transcripts(spoken.messages, true), ['yes please']);
    } finally {
      await fake.close();
    }
  },
);

test('Finalize flushes the utterance in progress with from_finalize', { timeout: 20_000 }, async () => {
  const fake = await startFakeDeepgram({ script: ['Hold on.'] });
  try {
    const { messages } = await converse(fake, `${LISTEN}&endpointing=300`, pcmToBytes(speechLike('Hold on.', 16000)), [
      'Finalize',
      'CloseStream',
    ]);
    const final = messages.find((m) => m.type === 'Results' && m.is_final)!;
    assert.equal(final.from_finalize, true);
    assert.equal(final.speech_final, false);
    assert.deepEqual(transcripts(messages, true), ['hold on']);
  } finally {
    await fake.close();
  }
});

test(
  '8 kHz μ-law in odd-sized pieces is decoded and transcribed; a plugged-in transcriber gets the segments',
  { timeout: 20_000 },
  async () => {
    const segments: SpeechSegment[] = [];
    const fake = await startFakeDeepgram({
      transcriber: { final: (s) => (segments.push(s), `segment of ${s.audio.length} samples`) },
    });
    try {
      const pcm = concatPcm(
        speechLike('one two three', 8000),
        silence(800, 8000),
        speechLike('four', 8000),
        silence(800, 8000),
      );
      const { messages } = await converse(
        fake,
        'model=nova-2&encoding=mulaw&sample_rate=8000&endpointing=300',
        mulawEncode(pcm),
        ['CloseStream'],
        333,
      );
      assert.equal(segments.length, 2);
      assert.ok(
        Math.abs(segments[0]!.audio.length - 13 * 0.06 * 8000) < 8000 * 0.05,
        `first segment is ~780 ms, got ${segments[0]!.audio.length} samples`,
      );
      assert.equal(segments[0]!.sampleRate, 8000);
      assert.deepEqual(
        transcripts(messages, true),
        segments.map((s) => `segment of ${s.audio.length} samples`),
      );
    } finally {
      await fake.close();
    }
  },
);

test(
  'transcriberFor: each live connection gets its own transcriber, so concurrent calls are recognised apart',
  { timeout: 20_000 },
  async () => {
    const made: number[] = [];
    const fake = await startFakeDeepgram({
      transcriberFor: (connection) => {
        made.push(connection.id);
        return { final: () => `caller ${connection.id}` };
      },
    });
    try {
      const pcm = mulawEncode(concatPcm(speechLike('one two', 8000), silence(800, 8000)));
      const query = 'model=nova-2&encoding=mulaw&sample_rate=8000&endpointing=300';
      const [a, b] = await Promise.all([converse(fake, query, pcm), converse(fake, query, pcm)]);
      assert.deepEqual(made.sort(), [0, 1]);
      assert.deepEqual([transcripts(a.messages, true), transcripts(b.messages, true)].sort(), [
        ['caller 0'],
        ['caller 1'],
      ]);
      assert.throws(() => fake.script('x'), /custom transcriber/);
    } finally {
      await fake.close();
    }
  },
);

test(
  'auth and bad requests are refused like Deepgram: 401 with dg-error, 400 for unusable parameters',
  { timeout: 20_000 },
  async () => {
    const fake = await startFakeDeepgram({ apiKey: 'right' });
    const upgrade = (query: string, headers: Record<string, string>, protocols?: string[]) =>
      new Promise<{ status: number; dgError?: string; protocol?: string }>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${fake.port}/v1/listen?${query}`, protocols, { headers });
        ws.on('unexpected-response', (_req, res) =>
          resolve({ status: res.statusCode, dgError: res.headers['dg-error'] }),
        );
        ws.on('open', () => (resolve({ status: 101, protocol: ws.protocol }), ws.close()));
        ws.on('error', () => undefined); // follows unexpected-response; the status was already captured
      });
    try {
      assert.deepEqual(await upgrade(LISTEN, { Authorization: 'Token wrong' }), {
        status: 401,
        dgError: 'Invalid credentials.',
      });
      assert.equal((await upgrade('model=nova-3', { Authorization: 'Token right' })).status, 400);
      assert.deepEqual(
        await upgrade(LISTEN, {}, ['token', 'right']),
        { status: 101, protocol: 'token' },
        'browser-style subprotocol auth',
      );
      const res = await fetch(`${fake.url}/v1/speak?model=aura-2-thalia-en&encoding=linear16`, {
        method: 'POST',
        headers: { Authorization: 'Token wrong', 'Content-Type': 'application/json' },
        body: JSON.stringify({ text: 'hi' }),
      });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { err_code: string }).err_code, 'INVALID_AUTH');
    } finally {
      await fake.close();
    }
  },
);

test('speak: WAV container by default at 24 kHz; audio length scales with the text', { timeout: 20_000 }, async () => {
  const fake = await startFakeDeepgram({ profile: { ttsSpeedup: Infinity } });
  try {
    const speak = async (text: string) => {
      const res = await fetch(`${fake.url}/v1/speak?model=aura-2-thalia-en&encoding=linear16`, {
        method: 'POST',
        headers: { Authorization: `Token ${fake.apiKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ text }),
      });
      assert.equal(res.status, 200);
      return new Uint8Array(await res.arrayBuffer());
    };
    const short = await speak('Hello.');
    const long = await speak('Hello, this is a much longer sentence.');
    assert.equal(String.fromCharCode(...short.subarray(0, 4)), 'RIFF');
    assert.equal(new DataView(short.buffer).getUint32(24, true), 24000);
    assert.equal(short.length - 44, Math.round(6 * 0.06 * 24000) * 2);
    assert.ok(long.length > 5 * short.length);
  } finally {
    await fake.close();
  }
});
