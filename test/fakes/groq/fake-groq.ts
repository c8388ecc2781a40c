import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { conversationProblem, planReply, tokenGapMs } from './reply-plan.ts';
import {
  DEFAULT_MODELS,
  DEFAULT_REPLY,
  type FakeGroq,
  type FakeGroqFault,
  type FakeGroqOptions,
  INSTANT_LATENCY,
  type LatencyProfile,
  type Recorded,
  type WireMessage,
  type WireTool,
} from './types.ts';
import { type FakeGroqReply, errorBody, SSE_DONE, sseEvent } from './wire.ts';

export * from './types.ts';
export type { FakeGroqReply, FakeToolCall } from './wire.ts';
export { splitIntoTokens } from './wire.ts';

/**
 * A local stand-in for api.groq.com that speaks its wire protocol (OpenAI-compatible chat
 * completions, SSE streaming, Groq's error envelope and rate-limit headers), so groq-sdk's real
 * client code runs in tests and benchmarks. Scriptable (replies, latency, faults) and observable
 * (every request is recorded; client hang-ups are reported).
 */

const COMPLETIONS = '/openai/v1/chat/completions';
const MODELS = '/openai/v1/models';

export async function startFakeGroq(opts: FakeGroqOptions = {}): Promise<FakeGroq> {
  const apiKey = opts.apiKey ?? 'gsk_fake_key';
  const models = opts.models ?? DEFAULT_MODELS;
  let latency: LatencyProfile = { ...INSTANT_LATENCY, ...opts.latency };
  let responder = opts.responder;
  const scripted: FakeGroqReply[] = [];
  const faults: FakeGroqFault[] = [];
  const requests: Recorded[] = [];
  const hangupWaiters = new Map<number, Array<(r: Recorded) => void>>();

  const takeFault = (): FakeGroqFault | undefined => {
    const f = faults[0];
    if (!f) return undefined;
    const left = (f.times ?? 1) - 1;
    if (left <= 0) faults.shift();
    else faults[0] = { ...f, times: left };
    return f;
  };

  const reply = (rec: Recorded): FakeGroqReply | Promise<FakeGroqReply> =>
    responder ? responder(rec) : (scripted.shift() ?? { content: DEFAULT_REPLY });

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      // a bug in the fake must fail the test loudly, not hang the client
      if (!res.headersSent) sendJson(res, 500, errorBody(500, `fake groq crashed: ${String(err)}`));
      else res.destroy(err instanceof Error ? err : new Error(String(err)));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const authorized = req.headers.authorization === `Bearer ${apiKey}`;
    if (req.method === 'GET' && path === MODELS) {
      if (!authorized) return sendJson(res, 401, errorBody(401));
      return sendJson(res, 200, {
        object: 'list',
        data: models.map((id) => ({
          id,
          object: 'model',
          created: 1_700_000_000,
          owned_by: 'Meta',
          active: true,
          context_window: 131_072,
        })),
      });
    }
    if (req.method !== 'POST' || path !== COMPLETIONS) {
      return sendJson(res, 404, {
        error: {
          message: `Unknown request URL: ${req.method} ${path}`,
          type: 'invalid_request_error',
          code: 'unknown_url',
        },
      });
    }

    const raw = await readBody(req);
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      body = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    const rec: Recorded = {
      seq: requests.length + 1,
      authorized,
      model: typeof body.model === 'string' ? body.model : undefined,
      messages: Array.isArray(body.messages) ? (body.messages as WireMessage[]) : [],
      tools: Array.isArray(body.tools) ? (body.tools as WireTool[]) : undefined,
      toolChoice: body.tool_choice,
      temperature: typeof body.temperature === 'number' ? body.temperature : undefined,
      maxTokens: numberOr(body.max_completion_tokens, body.max_tokens),
      stream: body.stream === true,
      body,
      fault: undefined,
      status: undefined,
      tokensSent: 0,
      completed: false,
      hungUp: false,
    };
    requests.push(rec);

    const gone = new AbortController();
    let droppedByUs = false;
    res.on('close', () => {
      gone.abort();
      if (res.writableFinished || droppedByUs) return;
      rec.hungUp = true;
      for (const wake of hangupWaiters.get(rec.seq) ?? []) wake(rec);
      hangupWaiters.delete(rec.seq);
    });
    const respondJson = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      sendJson(res, status, payload, { ...rateLimitHeaders(), ...headers });
      rec.completed = true;
    };

    if (!authorized) return respondJson(401, errorBody(401));
    if (!rec.model || rec.messages.length === 0) {
      return respondJson(400, errorBody(400, rec.model ? undefined : "property 'model' is missing"));
    }
    const invalid = conversationProblem(rec.messages);
    if (invalid) return respondJson(400, errorBody(400, invalid));
    if (!models.includes(rec.model)) {
      return respondJson(
        404,
        errorBody(404, `The model \`${rec.model}\` does not exist or you do not have access to it.`),
      );
    }

    const fault = takeFault();
    rec.fault = fault?.kind;
    if (fault?.kind === 'http-error') {
      const extra: Record<string, string> =
        fault.status === 429 ? { 'retry-after': String(fault.retryAfterSeconds ?? 1) } : {};
      return respondJson(fault.status, errorBody(fault.status), extra);
    }

    let answer: FakeGroqReply;
    try {
      answer = await reply(rec);
    } catch (err) {
      return respondJson(500, errorBody(500, `responder failed: ${err instanceof Error ? err.message : String(err)}`));
    }
    const plan = planReply(answer, rec, latency);
    const pace = { ...latency };
    const dropConnection = async () => {
      droppedByUs = true;
      // let the tokens already written reach the client first; destroy() discards unflushed writes
      await flushed(res);
      res.socket?.destroy();
    };

    if (!rec.stream) {
      await sleep(pace.firstTokenMs + tokenGapMs(pace) * plan.tokens.length, gone.signal);
      if (fault?.kind === 'stall') await sleep(fault.ms, gone.signal);
      if (gone.signal.aborted) return;
      if (fault?.kind === 'disconnect') return dropConnection();
      if (fault?.kind === 'malformed') {
        rec.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', ...rateLimitHeaders() });
        res.end('{"id":"chatcmpl-broken","choices":[{"mess');
        return;
      }
      rec.tokensSent = plan.tokens.length;
      return respondJson(200, plan.completion);
    }

    rec.status = 200;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...rateLimitHeaders(),
    });
    res.flushHeaders();
    const start = performance.now();
    await sleep(pace.firstTokenMs, gone.signal);
    write(res, sseEvent(plan.roleChunk));
    // a fault placed beyond the reply fires just before the final chunk
    const faultAt = fault && 'afterTokens' in fault ? Math.min(fault.afterTokens, plan.tokens.length) : -1;
    for (let i = 0; i <= plan.tokens.length; i++) {
      if (gone.signal.aborted) return;
      if (i === faultAt && fault?.kind === 'disconnect') return dropConnection();
      if (i === faultAt && fault?.kind === 'malformed') {
        write(
          res,
          'data: {"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"delta":{"content":\n\n',
        );
      }
      if (i === faultAt && fault?.kind === 'stall') await sleep(fault.ms, gone.signal);
      const next = plan.tokens[i];
      if (!next) break;
      const due = start + pace.firstTokenMs + i * tokenGapMs(pace);
      await sleep(due - performance.now(), gone.signal);
      if (gone.signal.aborted) return;
      write(res, sseEvent(next));
      rec.tokensSent += 1;
    }
    if (gone.signal.aborted) return;
    write(res, sseEvent(plan.finalChunk));
    write(res, SSE_DONE);
    res.end();
    rec.completed = true;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}`,
    apiKey,
    requests,
    script: (...replies) => void scripted.push(...replies),
    setResponder: (r) => void (responder = r),
    setLatency: (l) => void (latency = { ...latency, ...l }),
    inject: (f) => void faults.push(f),
    clearFaults: () => void faults.splice(0),
    reset: () => {
      scripted.splice(0);
      faults.splice(0);
      responder = opts.responder;
      latency = { ...INSTANT_LATENCY, ...opts.latency };
    },
    waitForHangup: (seq) => {
      const rec = requests[seq - 1];
      if (rec?.hungUp) return Promise.resolve(rec);
      return new Promise((resolve) => hangupWaiters.set(seq, [...(hangupWaiters.get(seq) ?? []), resolve]));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // keep-alive sockets (undici pools them) would hold close() open; streams still
        // playing are cut, which also cancels their timers through the 'close' handler
        server.closeAllConnections();
      }),
  };
}

/** Resolves after `ms`, or at once when the signal fires; 0 still yields so events go out as separate writes. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener('abort', done, { once: true });
  });
}

function write(res: ServerResponse, text: string): void {
  if (!res.destroyed && !res.writableEnded) res.write(text);
}

/** Resolves once everything written so far has been handed to the kernel. */
function flushed(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  if (!socket || socket.destroyed) return Promise.resolve();
  // writes complete in order, so this callback runs once every earlier write has been flushed
  return new Promise((resolve) => socket.write('', () => resolve()));
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(payload));
}

function rateLimitHeaders(): Record<string, string> {
  return {
    'x-request-id': `req_${randomUUID().replace(/-/g, '').slice(0, 26)}`,
    'x-ratelimit-limit-requests': '14400',
    'x-ratelimit-remaining-requests': '14399',
    'x-ratelimit-reset-requests': '6s',
    'x-ratelimit-limit-tokens': '6000',
    'x-ratelimit-remaining-tokens': '5900',
    'x-ratelimit-reset-tokens': '1s',
  };
}

function numberOr(...values: unknown[]): number | undefined {
  for (const v of values) if (typeof v === 'number') return v;
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}
