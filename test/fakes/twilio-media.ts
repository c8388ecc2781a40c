/**
 * Twilio's side of a plain number's call, speaking its real wire formats: the signed voice webhook
 * POST (form-encoded, X-Twilio-Signature over the URL and the sorted params, as the twilio SDK
 * computes it), the TwiML answer read for its <Stream url>, and a bidirectional Media Stream:
 * `connected`, `start` (streamSid, callSid, customParameters, mediaFormat audio/x-mulaw 8000 1),
 * 20 ms `media` frames paced in real time, `dtmf`, `stop`; from the app it takes `media`, `mark` and
 * `clear` and plays like Twilio: her frames queue and play in real time, a mark is echoed once the
 * audio before it has played, `clear` drops the queue and echoes the pending marks at once. A latency
 * profile (`playoutDelayMs`: the network and Twilio's jitter buffer) makes each frame playable only that
 * long after it arrived, so the caller hears her later than the bridge sent her; `played` records what
 * the caller actually heard, and when.
 */
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import WebSocket from 'ws';

/** 20 ms of line silence in μ-law (0xFF is zero) */
const SILENT_FRAME = new Uint8Array(160).fill(0xff);

export const ACCOUNT_SID = `AC${'0'.repeat(31)}1`;
export const newCallSid = () => `CA${randomBytes(16).toString('hex')}`;

/** Twilio's socket to the app (a Media Stream or a ConversationRelay session), once it is open. */
export async function openTwilioSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  return ws;
}

const newStreamSid = () => `MZ${randomBytes(16).toString('hex')}`;

export interface WebhookAnswer {
  status: number;
  body: string;
}

/** Twilio's call webhook: form fields, signed with the auth token over the URL Twilio used. */
export async function postVoiceWebhook(
  url: string,
  authToken: string | undefined,
  params: Record<string, string>,
  signAs?: string,
): Promise<WebhookAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (authToken !== undefined)
    headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(authToken, signAs ?? url, params);
  const res = await fetch(url, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, body: await res.text() };
}

export function callParams(callSid: string, from: string, to: string): Record<string, string> {
  return {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: callSid,
    CallStatus: 'ringing',
    Called: to,
    Caller: from,
    Direction: 'inbound',
    From: from,
    To: to,
  };
}

/** the <Stream url> and its <Parameter>s of a TwiML answer */
export function streamOf(twiml: string): { url: string; parameters: Record<string, string> } | undefined {
  const url = /<Stream url="([^"]+)"/.exec(twiml)?.[1];
  if (!url) return undefined;
  const parameters: Record<string, string> = {};
  for (const m of twiml.matchAll(/<Parameter name="([^"]+)" value="([^"]*)"\/>/g)) parameters[m[1]!] = m[2]!;
  return { url: url.replace(/&amp;/g, '&'), parameters };
}

export interface Heard {
  /** performance.now() when the frame arrived */
  at: number;
  mulaw: Buffer;
}

/** audio the caller heard: when it played, how much, whether it was loud (her voice), when it arrived */
export interface Played {
  at: number;
  ms: number;
  audible: boolean;
  arrivedAt: number;
}

export interface StreamProfile {
  /** a frame of hers plays no sooner than this long after it arrived (network, jitter buffer) */
  playoutDelayMs?: number;
}

/** One Media Stream, as Twilio's media server runs it. */
export class FakeMediaStream {
  readonly streamSid = newStreamSid();
  readonly received: Heard[] = [];
  readonly clears: number[] = [];
  readonly marksEchoed: string[] = [];
  readonly played: Played[] = [];
  readonly unknown: unknown[] = [];
  closedAt: number | undefined;
  #seq = 0;
  #chunk = 0;
  #startedAt = 0;
  /** her queued audio: ms still to play, and marks waiting behind it */
  #queue: (
    { kind: 'audio'; ms: number; arrivedAt: number; readyAt: number; audible: boolean } | { kind: 'mark'; name: string }
  )[] = [];
  #player: ReturnType<typeof setInterval> | undefined;
  #lineRunning = false;
  #lineTimer: ReturnType<typeof setTimeout> | undefined;
  #words: { frame: Uint8Array; sent: (at: number) => void }[] = [];

  private constructor(
    readonly ws: WebSocket,
    readonly callSid: string,
    readonly profile: StreamProfile,
  ) {
    ws.on('message', (data) => this.#onMessage(String(data)));
    ws.on('close', () => {
      this.closedAt = performance.now();
      clearInterval(this.#player);
      this.stopLine();
    });
    // Twilio plays her audio in real time: each tick plays what the time since the last one allows
    // (a busy event loop makes the ticks late, not the playback slow)
    let last = performance.now();
    this.#player = setInterval(() => {
      const now = performance.now();
      this.#play(now - last);
      last = now;
    }, 20);
  }

  static async open(url: string, callSid: string, profile: StreamProfile = {}): Promise<FakeMediaStream> {
    return new FakeMediaStream(await openTwilioSocket(url), callSid, profile);
  }

  #send(m: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  raw(text: string | Buffer): void {
    this.ws.send(text);
  }

  connected(): void {
    this.#send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  }

  start(
    customParameters: Record<string, string>,
    mediaFormat = { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
  ): void {
    this.#startedAt = performance.now();
    this.#send({
      event: 'start',
      sequenceNumber: String(++this.#seq),
      start: {
        accountSid: ACCOUNT_SID,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ['inbound'],
        mediaFormat,
        customParameters,
      },
      streamSid: this.streamSid,
    });
  }

  /** one 20 ms frame of the caller (160 μ-law bytes) */
  media(mulaw: Uint8Array): void {
    this.#send({
      event: 'media',
      sequenceNumber: String(++this.#seq),
      media: {
        track: 'inbound',
        chunk: String(++this.#chunk),
        timestamp: String(Math.round(performance.now() - this.#startedAt)),
        payload: Buffer.from(mulaw).toString('base64'),
      },
      streamSid: this.streamSid,
    });
  }

  /**
   * The phone line: like Twilio, a 20 ms frame every 20 ms for the whole call, the caller's words when
   * there are some (say()) and line silence otherwise. Paced on due times, not on a drifting interval.
   */
  startLine(): void {
    if (this.#lineRunning) return;
    this.#lineRunning = true;
    const t0 = performance.now();
    let f = 0;
    const tick = () => {
      if (!this.#lineRunning || this.ws.readyState !== WebSocket.OPEN) return;
      const words = this.#words.shift();
      this.media(words?.frame ?? SILENT_FRAME);
      words?.sent(performance.now());
      f++;
      this.#lineTimer = setTimeout(tick, Math.max(0, t0 + f * 20 - performance.now()));
    };
    tick();
  }

  stopLine(): void {
    this.#lineRunning = false;
    clearTimeout(this.#lineTimer);
  }

  /**
   * The caller speaks `mulaw` (8 kHz μ-law) on the line; resolves with each frame's send time
   * (performance.now()) once the last frame is sent.
   */
  say(mulaw: Uint8Array): Promise<number[]> {
    const times: number[] = [];
    const n = Math.floor(mulaw.length / 160);
    return new Promise((resolve) => {
      if (n === 0) return resolve(times);
      for (let i = 0; i < n; i++) {
        this.#words.push({
          frame: mulaw.subarray(i * 160, i * 160 + 160),
          sent: (at) => {
            times.push(at);
            if (times.length === n) resolve(times);
          },
        });
      }
    });
  }

  dtmf(digit: string): void {
    this.#send({
      event: 'dtmf',
      streamSid: this.streamSid,
      sequenceNumber: String(++this.#seq),
      dtmf: { track: 'inbound_track', digit },
    });
  }

  stop(): void {
    this.#send({
      event: 'stop',
      sequenceNumber: String(++this.#seq),
      stop: { accountSid: ACCOUNT_SID, callSid: this.callSid },
      streamSid: this.streamSid,
    });
    this.stopLine();
    this.ws.close();
  }

  #onMessage(text: string): void {
    let m: Record<string, unknown>;
    try {
      m = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.unknown.push(text);
      return;
    }
    if (m.streamSid !== this.streamSid) {
      this.unknown.push(m);
      return;
    }
    if (m.event === 'media') {
      const payload = Buffer.from(String((m.media as { payload?: string }).payload ?? ''), 'base64');
      const at = performance.now();
      this.received.push({ at, mulaw: payload });
      this.#queue.push({
        kind: 'audio',
        ms: payload.length / 8,
        arrivedAt: at,
        readyAt: at + (this.profile.playoutDelayMs ?? 0),
        audible: frameRms(payload) > 300,
      });
    } else if (m.event === 'mark') {
      this.#queue.push({ kind: 'mark', name: String((m.mark as { name?: string }).name) });
    } else if (m.event === 'clear') {
      this.clears.push(performance.now());
      const marks = this.#queue.filter((q) => q.kind === 'mark');
      this.#queue = [];
      for (const q of marks) this.#echo(q.name);
    } else this.unknown.push(m);
  }

  #play(ms: number): void {
    let budget = ms;
    const now = performance.now();
    while (this.#queue.length) {
      const head = this.#queue[0]!;
      if (head.kind === 'mark') {
        this.#queue.shift();
        this.#echo(head.name);
        continue;
      }
      // not here yet (the network, the jitter buffer): the line plays silence meanwhile
      if (budget <= 0 || head.readyAt > now) break;
      const take = Math.min(budget, head.ms);
      head.ms -= take;
      budget -= take;
      this.played.push({ at: now, ms: take, audible: head.audible, arrivedAt: head.arrivedAt });
      if (head.ms <= 0) this.#queue.shift();
    }
  }

  /**
   * Of her audio that arrived between `since` and `until`, the ms that never played by `until` (still
   * queued, or dropped by a clear): what the caller did not hear of it.
   */
  unplayedBetween(since: number, until: number): number {
    const arrived = this.received
      .filter((h) => h.at >= since && h.at <= until)
      .reduce((n, h) => n + h.mulaw.length / 8, 0);
    const played = this.played
      .filter((p) => p.arrivedAt >= since && p.arrivedAt <= until && p.at <= until)
      .reduce((n, p) => n + p.ms, 0);
    return arrived - played;
  }

  #echo(name: string): void {
    this.marksEchoed.push(name);
    this.#send({ event: 'mark', sequenceNumber: String(++this.#seq), streamSid: this.streamSid, mark: { name } });
  }

  close(): void {
    clearInterval(this.#player);
    this.stopLine();
    this.ws.close();
  }

  /** a dropped connection: no stop, no close handshake */
  drop(): void {
    clearInterval(this.#player);
    this.stopLine();
    this.ws.terminate();
  }

  /** her audio as received: loud 20 ms frames' arrival times (|x| RMS over a frame above `rms`) */
  audibleFrames(rms = 300): number[] {
    return this.received.filter((h) => frameRms(h.mulaw) > rms).map((h) => h.at);
  }
}

function ulawToLinear(b: number): number {
  const u = ~b & 0xff;
  const e = (u >> 4) & 7;
  const mag = ((((u & 0x0f) << 3) + 0x84) << e) - 0x84;
  return u & 0x80 ? -mag : mag;
}

export function frameRms(mulaw: Uint8Array): number {
  let s = 0;
  for (const b of mulaw) s += ulawToLinear(b) ** 2;
  return Math.sqrt(s / Math.max(1, mulaw.length));
}
