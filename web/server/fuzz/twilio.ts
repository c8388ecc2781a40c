/**
 * The Twilio surfaces in the fuzz run: the voice webhook and the relay's <Connect action> (signed over
 * generated form fields, or signed wrongly, or not at all), and both sockets (Media Streams and
 * ConversationRelay) opened with a good token, or a forged one, and fed generated messages: malformed
 * JSON, unknown events, messages out of order (media before start, a prompt before setup, a second
 * start), hostile values where Twilio puts a sid, a digit or a payload, binary frames and, now and then,
 * a 10 MB frame. Judged: no 5xx, no dropped HTTP connection, a forged signature or token refused, and
 * the server still answering afterwards (a crash would end the run). The sockets here reach no
 * LiveKit: a bridge that gets as far as joining a room fails to, and ends its call, as it must.
 */
import { request } from 'node:http';
import twilio from 'twilio';
import WebSocket from 'ws';
import { signStreamToken } from '../twilio/stream-token.ts';
import { MEDIA_STREAM_PATH, RELAY_ACTION_PATH, RELAY_PATH, VOICE_PATH } from '../twilio/voice-webhook.ts';
import { mutate, nastyString, nastyValue, pct, rawBody } from './inputs.ts';
import type { Rng } from './rng.ts';

export const TWILIO_SURFACES = ['twilio-webhook', 'twilio-media-socket', 'twilio-relay-socket'] as const;
export type TwilioSurface = (typeof TWILIO_SURFACES)[number];

export interface TwilioFuzzFailure {
  case: number;
  surface: TwilioSurface;
  problem: string;
  sample: string;
}

export interface TwilioFuzzResult {
  cases: number;
  bySurface: Record<TwilioSurface, number>;
  byStatus: Record<string, number>;
  failures: TwilioFuzzFailure[];
}

const CALL_SID = `CA${'0123456789abcdef'.repeat(2)}`;
const METHODS = ['POST', 'POST', 'POST', 'GET', 'PUT', 'HEAD'];

function webhookParams(r: Rng): Record<string, string> {
  const valid: Record<string, unknown> = {
    AccountSid: `AC${'0'.repeat(32)}`,
    CallSid: CALL_SID,
    From: '+15557654321',
    To: '+15550100200',
    CallStatus: 'ringing',
    Direction: 'inbound',
    HandoffData: JSON.stringify({ reason: 'transfer', to: r.chance(0.5) ? 'tel:+15550100999' : nastyString(r) }),
  };
  const m = mutate(r, valid);
  const o = typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Record<string, unknown>) : { x: m };
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : (JSON.stringify(v) ?? '')]),
  );
}

function post(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request({ host: base.hostname, port: base.port, method, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(10_000, () => req.destroy());
    req.end(body);
  });
}

/** one generated message of a Media Stream: Twilio's shapes, broken and out of order */
function mediaMessage(r: Rng, callSid: string): string | Buffer {
  const valid: Record<string, Record<string, unknown>> = {
    connected: { event: 'connected', protocol: 'Call', version: '1.0.0' },
    start: {
      event: 'start',
      streamSid: 'MZ1',
      start: {
        streamSid: 'MZ1',
        callSid: r.chance(0.3) ? callSid : nastyString(r),
        customParameters: { clinic: 'fuzz' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
    },
    media: {
      event: 'media',
      media: { track: 'inbound', chunk: '1', payload: Buffer.alloc(160, 0x7f).toString('base64') },
    },
    dtmf: { event: 'dtmf', dtmf: { track: 'inbound_track', digit: '0' } },
    mark: { event: 'mark', mark: { name: 'a1#1' } },
    stop: { event: 'stop', stop: { callSid } },
  };
  return message(r, valid);
}

/** one generated message of a ConversationRelay session */
function relayMessage(r: Rng, callSid: string): string | Buffer {
  const valid: Record<string, Record<string, unknown>> = {
    setup: {
      type: 'setup',
      sessionId: 'VX1',
      callSid: r.chance(0.3) ? callSid : nastyString(r),
      from: '+15557654321',
      to: '+15550100200',
      customParameters: {},
    },
    prompt: { type: 'prompt', voicePrompt: 'what are your opening hours', lang: 'en-US', last: true },
    interrupt: { type: 'interrupt', utteranceUntilInterrupt: 'We are open', durationUntilInterruptMs: 900 },
    dtmf: { type: 'dtmf', digit: '0' },
    error: { type: 'error', description: 'Invalid message' },
  };
  return message(r, valid);
}

function message(r: Rng, valid: Record<string, Record<string, unknown>>): string | Buffer {
  const roll = r.next();
  if (roll < 0.1) return r.pick(['{', '{"event":', '[]', 'null', '"x"', '{"type":', nastyString(r)]);
  if (roll < 0.15) return Buffer.from(Array.from({ length: r.int(0, 64) }, () => r.int(0, 255)));
  if (roll < 0.2) return JSON.stringify({ event: nastyString(r), type: nastyString(r), x: nastyValue(r) });
  if (roll < 0.22) return 'A'.repeat(r.chance(0.5) ? 10 * 1024 * 1024 : 70 * 1024);
  const m = valid[r.pick(Object.keys(valid))]!;
  return r.chance(0.4) ? JSON.stringify(m) : rawBody(r, mutate(r, m));
}

async function socketCase(
  base: URL,
  authToken: string,
  r: Rng,
  surface: 'twilio-media-socket' | 'twilio-relay-socket',
): Promise<string | undefined> {
  const forged = r.chance(0.15);
  const claims = { callSid: CALL_SID, tenant: 'fuzz', callerMasked: '+1******4321', expiresAt: Date.now() + 60_000 };
  const token = forged
    ? r.pick([nastyString(r), signStreamToken('not-the-auth-token', claims), `${signStreamToken(authToken, claims)}x`])
    : signStreamToken(authToken, claims);
  const prefix = surface === 'twilio-media-socket' ? MEDIA_STREAM_PATH : RELAY_PATH;
  const path = `${prefix}${pct(token)}`;
  const ws = new WebSocket(`ws://${base.host}${path}`);
  const opened = await new Promise<number | 'open' | 'error'>((resolve) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.once('error', () => resolve('error'));
  });
  if (opened !== 'open') {
    ws.terminate();
    // 431: node's HTTP parser refused the upgrade (a path over 16 KB) before any handler ran; still refused
    if (forged && (opened === 403 || opened === 404 || opened === 431)) return undefined;
    return forged ? `a forged token got ${opened}` : `a good token got ${opened}`;
  }
  if (forged) {
    ws.terminate();
    return 'a forged token opened a socket';
  }
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  ws.on('error', () => {}); // a 1009 close is an answer, not a failure
  const n = r.int(1, 8);
  for (let i = 0; i < n && ws.readyState === WebSocket.OPEN; i++) {
    const m = surface === 'twilio-media-socket' ? mediaMessage(r, CALL_SID) : relayMessage(r, CALL_SID);
    await new Promise<void>((resolve) => ws.send(m, () => resolve()));
  }
  if (r.chance(0.5)) ws.terminate();
  else ws.close();
  await Promise.race([closed, new Promise((res) => setTimeout(res, 2000))]);
  return undefined;
}

export async function fuzzTwilio(base: URL, authToken: string, r: Rng, cases: number): Promise<TwilioFuzzResult> {
  const result: TwilioFuzzResult = {
    cases: 0,
    bySurface: Object.fromEntries(TWILIO_SURFACES.map((s) => [s, 0])) as Record<TwilioSurface, number>,
    byStatus: {},
    failures: [],
  };
  for (let i = 0; i < cases; i++) {
    const surface = TWILIO_SURFACES[i % TWILIO_SURFACES.length]!;
    result.cases++;
    result.bySurface[surface]++;
    let problem: string | undefined;
    let sample = '';
    if (surface === 'twilio-webhook') {
      const path = r.pick([VOICE_PATH, VOICE_PATH, RELAY_ACTION_PATH]);
      const method = r.pick(METHODS);
      const params = webhookParams(r);
      const body = r.chance(0.1) ? rawBody(r, nastyValue(r)) : new URLSearchParams(params).toString();
      const sign = r.next();
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      // signed right over the URL the server sees (no PUBLIC_URL: its own Host), wrongly, or not at all
      if (sign < 0.6)
        headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(authToken, `${base.origin}${path}`, params);
      else if (sign < 0.8) headers['x-twilio-signature'] = nastyString(r).replace(/[^\x20-\x7e]/g, '?');
      const status = await post(base, method, path, headers, body);
      const key = status === undefined ? 'dropped' : String(status);
      result.byStatus[key] = (result.byStatus[key] ?? 0) + 1;
      sample = `${method} ${path} ${body.slice(0, 200)}`;
      if (status === undefined) problem = 'no answer (connection dropped)';
      else if (status >= 500) problem = `${status}`;
      else if (sign >= 0.6 && method === 'POST' && ![403, 413, 431].includes(status))
        problem = `unsigned answered ${status}`;
    } else {
      problem = await socketCase(base, authToken, r, surface);
      sample = surface;
    }
    if (problem) result.failures.push({ case: i, surface, problem, sample });
  }
  return result;
}
