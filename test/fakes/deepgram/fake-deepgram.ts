/**
 * A local stand-in for api.deepgram.com: one HTTP + WebSocket server on 127.0.0.1 that speaks
 * Deepgram's real wire protocol, so the official SDK's own client code runs against it.
 *
 *   GET  /v1/listen (WebSocket)  live transcription  — listen-session.ts
 *   POST /v1/speak               Aura REST TTS       — speak-handler.ts
 *
 * Auth as Deepgram does it: `Authorization: Token <key>`, or the `token, <key>` WebSocket
 * subprotocol browsers use. The test controls latency (setProfile), injects faults, holds a speak
 * body mid-stream, and inspects everything received.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { DEFAULT_VAD, type VadOptions } from './energy-vad.ts';
import { parseListenParams } from './listen-params.ts';
import { ListenSession } from './listen-session.ts';
import { ScriptedTranscriber } from './script.ts';
import { handleSpeak, rejectSpeak, type HoldState } from './speak-handler.ts';
import { speechLike } from './speech-signal.ts';
import {
  DEFAULT_PROFILE,
  type Endpoint,
  type Fault,
  type LatencyProfile,
  type ListenRecord,
  type SpeakHold,
  type SpeakRecord,
  type Synthesizer,
  type Transcriber,
} from './types.ts';
import { createWebSocketServer } from './ws-server.ts';

export interface FakeDeepgramOptions {
  /** the only key accepted; default 'fake-deepgram-key' */
  apiKey?: string;
  profile?: Partial<LatencyProfile>;
  /** utterance texts for the default scripted transcriber */
  script?: string[];
  /** replaces the scripted transcriber (e.g. an offline recogniser) */
  transcriber?: Transcriber;
  /**
   * one transcriber per live connection, made when it opens (takes precedence over `transcriber`): many
   * concurrent calls on one fake each get their own words recognised (the load generator's callers)
   */
  transcriberFor?: (connection: ListenRecord) => Transcriber;
  /** replaces the default speech-like signal as Aura's voice (e.g. flite) */
  synthesizer?: Synthesizer;
  vad?: Partial<VadOptions>;
  /** Deepgram closes a live connection after 10 s with neither audio nor KeepAlive */
  listenIdleTimeoutMs?: number;
}

export interface FakeDeepgram {
  /** base URL for SDK clients, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  readonly profile: LatencyProfile;
  readonly received: { readonly listen: ListenRecord[]; readonly speak: SpeakRecord[] };
  setProfile(p: Partial<LatencyProfile>): void;
  inject(fault: Fault): void;
  /** forgets every injected fault not yet used */
  clearFaults(): void;
  /** queues more texts on the scripted transcriber (an error when a custom transcriber is in use) */
  script(...texts: string[]): void;
  /** the next speak response sends `afterBytes` of audio (default 1), then waits for release() */
  hold(opts?: { afterBytes?: number }): SpeakHold;
  /** destroys every open live-transcription socket without a close frame */
  dropListenConnections(): void;
  /** resolves once `predicate` holds; re-checked whenever the fake records something */
  until(predicate: () => boolean): Promise<void>;
  close(): Promise<void>;
}

const ERROR_CODES: Record<number, string> = {
  400: 'Bad Request',
  401: 'INVALID_AUTH',
  402: 'ASR_PAYMENT_REQUIRED',
  403: 'INSUFFICIENT_PERMISSIONS',
  408: 'REQUEST_TIMEOUT',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  502: 'BAD_GATEWAY',
  503: 'SERVICE_UNAVAILABLE',
};

function keyFrom(req: IncomingMessage): string | undefined {
  const auth = /^Token\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (auth) return auth[1];
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  return offered[0] === 'token' ? offered[1] : undefined;
}

/** Rejects a WebSocket upgrade the way Deepgram does: a plain HTTP error with dg-request-id and dg-error. */
function rejectUpgrade(socket: Duplex, status: number, requestId: string, message: string): void {
  const body = JSON.stringify({ err_code: ERROR_CODES[status] ?? 'ERROR', err_msg: message, request_id: requestId });
  socket.end(
    `HTTP/1.1 ${status} ${ERROR_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `dg-request-id: ${requestId}\r\n` +
      `dg-error: ${message}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

export async function startFakeDeepgram(opts: FakeDeepgramOptions = {}): Promise<FakeDeepgram> {
  const apiKey = opts.apiKey ?? 'fake-deepgram-key';
  let profile: LatencyProfile = { ...DEFAULT_PROFILE, ...opts.profile };
  const vad: VadOptions = { ...DEFAULT_VAD, ...opts.vad };
  const scripted = new ScriptedTranscriber(opts.script ?? []);
  const transcriber = opts.transcriber ?? scripted;
  const synthesizer = opts.synthesizer ?? ((text: string, rate: number) => speechLike(text, rate));
  const idleTimeoutMs = opts.listenIdleTimeoutMs ?? 10_000;
  const faults: Array<Fault & { left: number }> = [];
  const listen: ListenRecord[] = [];
  const speak: SpeakRecord[] = [];
  const sessions = new Set<ListenSession>();
  const sockets = new Set<Socket>();
  const waiters = new Set<{ predicate: () => boolean; resolve: () => void }>();
  let pendingHold: HoldState | undefined;
  const requestIds = new WeakMap<IncomingMessage, string>();

  const onChange = () => {
    for (const w of [...waiters]) {
      if (w.predicate()) {
        waiters.delete(w);
        w.resolve();
      }
    }
  };

  const takeFault = (on: Endpoint): Fault | undefined => {
    const i = faults.findIndex((f) => f.on === undefined || f.on === on);
    if (i < 0) return undefined;
    const f = faults[i]!;
    if (--f.left <= 0) faults.splice(i, 1);
    return f;
  };

  const wss = createWebSocketServer((protocols) => (protocols.has('token') ? 'token' : false));
  wss.on('headers', (headers, req) => headers.push(`dg-request-id: ${requestIds.get(req) ?? ''}`));

  const onSpeakRequest = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const rec: SpeakRecord = {
      id: speak.length,
      requestId: randomUUID(),
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      text: undefined,
      status: undefined,
      audioBytesTotal: 0,
      audioBytesSent: 0,
      outcome: undefined,
    };
    speak.push(rec);
    onChange();
    if (keyFrom(req) !== apiKey) return rejectSpeak(res, rec, 401, 'INVALID_AUTH', 'Invalid credentials.');
    const fault = takeFault('speak');
    if (fault?.kind === 'http-error')
      return rejectSpeak(res, rec, fault.status, ERROR_CODES[fault.status] ?? 'ERROR', `injected ${fault.status}`);
    const hold = pendingHold;
    pendingHold = undefined;
    handleSpeak(req, res, url, {
      record: rec,
      profile,
      synthesizer,
      stallMs: fault?.kind === 'stall' ? fault.ms : 0,
      disconnect: fault?.kind === 'disconnect' ? fault : undefined,
      hold,
      onChange,
    }).catch((err: unknown) => {
      // a broken request (client vanished mid-body, synthesizer threw): answer if still possible, else cut it
      if (!res.headersSent) rejectSpeak(res, rec, 500, 'INTERNAL_SERVER_ERROR', `fake speak failed: ${String(err)}`);
      else res.destroy();
    });
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (req.method === 'POST' && url.pathname === '/v1/speak') return onSpeakRequest(req, res, url);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ err_code: 'NOT_FOUND', err_msg: `the fake does not serve ${req.method} ${url.pathname}` }),
    );
  });

  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy()); // a client reset during the handshake is the client's business
    const url = new URL(req.url ?? '/', 'http://fake');
    const requestId = randomUUID();
    if (url.pathname !== '/v1/listen')
      return rejectUpgrade(socket, 404, requestId, `the fake has no WebSocket at ${url.pathname}`);
    const rec: ListenRecord = {
      id: listen.length,
      requestId,
      query: Object.fromEntries(url.searchParams),
      params: url.searchParams,
      authorization: req.headers.authorization,
      protocols: req.headers['sec-websocket-protocol'],
      status: 0,
      audioBytes: 0,
      audioMessageBytes: [],
      messages: [],
      sent: [],
      closed: false,
      closeCode: undefined,
      closedBy: undefined,
    };
    listen.push(rec);
    const reject = (status: number, message: string) => {
      rec.status = status;
      rec.closed = true;
      rejectUpgrade(socket, status, requestId, message);
      onChange();
    };
    if (keyFrom(req) !== apiKey) return reject(401, 'Invalid credentials.');
    const params = parseListenParams(url.searchParams);
    if ('error' in params) return reject(400, params.error);
    const fault = takeFault('listen');
    if (fault?.kind === 'http-error') return reject(fault.status, `injected ${fault.status}`);
    requestIds.set(req, requestId);
    wss.handleUpgrade(req, socket, head, (ws) => {
      rec.status = 101;
      const session = new ListenSession({
        ws,
        record: rec,
        params,
        transcriber: opts.transcriberFor?.(rec) ?? transcriber,
        profile: () => profile,
        vad,
        stallMs: fault?.kind === 'stall' ? fault.ms : 0,
        disconnect: fault?.kind === 'disconnect' ? fault : undefined,
        idleTimeoutMs,
        onChange: () => {
          if (rec.closed) sessions.delete(session);
          onChange();
        },
      });
      sessions.add(session);
      onChange();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    apiKey,
    get profile() {
      return profile;
    },
    received: { listen, speak },
    setProfile(p) {
      profile = { ...profile, ...p };
    },
    inject(fault) {
      faults.push({ ...fault, left: fault.times ?? 1 });
    },
    clearFaults() {
      faults.splice(0);
    },
    script(...texts) {
      if (transcriber !== scripted || opts.transcriberFor)
        throw new Error('this fake transcribes with a custom transcriber; it has no script');
      scripted.push(...texts);
    },
    hold(o = {}) {
      let reached!: (rec: SpeakRecord) => void;
      let release!: () => void;
      const reachedP = new Promise<SpeakRecord>((r) => (reached = r));
      const released = new Promise<void>((r) => (release = r));
      pendingHold = { afterBytes: o.afterBytes ?? 1, reached, released };
      return { reached: reachedP, release };
    },
    dropListenConnections() {
      for (const s of sessions) s.drop();
    },
    until(predicate) {
      if (predicate()) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.add({ predicate, resolve }));
    },
    async close() {
      for (const s of sessions) s.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
