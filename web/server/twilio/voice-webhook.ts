/**
 * POST /twilio/voice: Twilio's call webhook for a clinic number with no SIP trunk. The request is
 * checked with the twilio SDK's validateRequest against the URL Twilio saw (PUBLIC_URL + path), and
 * answered with TwiML that connects the call to the configured channel. A request that fails the
 * check gets 403 and is logged without its body (it holds the caller's number).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import twilio from 'twilio';
import type { Logger } from 'pino';
import type { TwilioConfig } from '../config.ts';
import { BodyTooLargeError, methodNotAllowed, readBody } from '../http-util.ts';
import { maskPhoneNumber } from '@voxanne/contracts/call-room';
import { TRANSFER_TO } from './transfer-target.ts';
import { signStreamToken, STREAM_TOKEN_TTL_MS } from './stream-token.ts';
import { connectRelayTwiml, connectStreamTwiml, dialTwiml, hangupTwiml, rejectTwiml } from './twiml.ts';

/** Twilio's webhook bodies are a few hundred bytes of form fields */
export const MAX_WEBHOOK_BYTES = 16 * 1024;
export const VOICE_PATH = '/twilio/voice';
export const MEDIA_STREAM_PATH = '/twilio/media-stream/';
export const RELAY_PATH = '/twilio/relay/';
/** where Twilio posts a ConversationRelay session's end (<Connect action>), with its handoffData */
export const RELAY_ACTION_PATH = '/twilio/relay-action';
/** said by Twilio when the clinic's greeting cannot be read (no database, no such clinic) */
export const FALLBACK_WELCOME = 'Hello, thank you for calling. How can I help you today?';
const CALL_SID = /^CA[0-9a-fA-F]{32}$/;

export interface WebhookDeps {
  twilio: TwilioConfig;
  logger: Logger;
  /** the clinic of a number when TWILIO_NUMBERS lists none */
  defaultTenant: string;
  now?: () => number;
  /** the clinic's greeting from its dashboard settings (ConversationRelay's welcomeGreeting) */
  welcomeGreeting?: (tenant: string) => Promise<string | undefined>;
}

/** The URL Twilio requested, as it saw it: PUBLIC_URL when set, else this request's own Host. */
export function publicBase(cfg: TwilioConfig, req: IncomingMessage): string {
  return cfg.publicUrl ?? `http://${req.headers.host ?? '127.0.0.1'}`;
}

/** A signed Twilio POST's form fields; undefined when it was answered (405, 413, 403). */
async function signedParams(
  req: IncomingMessage,
  res: ServerResponse,
  deps: WebhookDeps,
  path: string,
): Promise<Record<string, string> | undefined> {
  if (req.method !== 'POST') return void methodNotAllowed(res, ['POST']);
  let raw: Buffer;
  try {
    raw = await readBody(req, MAX_WEBHOOK_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLargeError)
      return void sendText(res, 413, 'request body too large', { connection: 'close' });
    throw e;
  }
  const params = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
  const signature = req.headers['x-twilio-signature'];
  const url = `${publicBase(deps.twilio, req)}${req.url ?? path}`;
  if (typeof signature !== 'string' || !twilio.validateRequest(deps.twilio.authToken, signature, url, params)) {
    // never the body: it carries the caller's number
    deps.logger.warn(
      { path, signature: typeof signature === 'string' ? 'invalid' : 'missing' },
      'twilio webhook refused',
    );
    return void sendText(res, 403, 'forbidden');
  }
  return params;
}

export async function handleVoiceWebhook(req: IncomingMessage, res: ServerResponse, deps: WebhookDeps): Promise<void> {
  const params = await signedParams(req, res, deps, VOICE_PATH);
  if (!params) return;
  const callSid = params.CallSid ?? '';
  if (!CALL_SID.test(callSid)) return sendText(res, 400, 'CallSid missing or malformed');
  const numbers = deps.twilio.numbers;
  const called = params.To ?? '';
  const tenant = Object.keys(numbers).length ? numbers[called] : deps.defaultTenant;
  if (!tenant) {
    deps.logger.warn({ callSid, pii: { called } }, 'twilio call to a number no clinic has; rejected');
    return sendXml(res, rejectTwiml());
  }
  const callerMasked = maskPhoneNumber(params.From);
  const token = signStreamToken(deps.twilio.authToken, {
    callSid,
    tenant,
    callerMasked,
    expiresAt: (deps.now ?? Date.now)() + STREAM_TOKEN_TTL_MS,
  });
  const base = publicBase(deps.twilio, req);
  const wsBase = base.replace(/^http/, 'ws');
  deps.logger.info({ callSid, tenant, caller: callerMasked, channel: deps.twilio.channel }, 'twilio call answered');
  if (deps.twilio.channel === 'conversation-relay') {
    const greeting = await deps.welcomeGreeting?.(tenant).catch((err: unknown) => {
      deps.logger.warn({ err: (err as Error).message, tenant }, 'clinic greeting not read; the default is said');
      return undefined;
    });
    return sendXml(
      res,
      connectRelayTwiml(`${wsBase}${RELAY_PATH}${token}`, greeting ?? FALLBACK_WELCOME, `${base}${RELAY_ACTION_PATH}`),
    );
  }
  sendXml(res, connectStreamTwiml(`${wsBase}${MEDIA_STREAM_PATH}${token}`, { clinic: tenant }));
}

/**
 * POST /twilio/relay-action: a ConversationRelay session ended. With the bridge's handoffData
 * `{"reason":"transfer","to":"tel:+1…"}` Twilio gets the <Dial> to the person; otherwise the call is over.
 */
export async function handleRelayAction(req: IncomingMessage, res: ServerResponse, deps: WebhookDeps): Promise<void> {
  const params = await signedParams(req, res, deps, RELAY_ACTION_PATH);
  if (!params) return;
  let to: unknown;
  try {
    const h = JSON.parse(params.HandoffData ?? 'null') as { reason?: unknown; to?: unknown } | null;
    if (h?.reason === 'transfer') to = h.to;
  } catch {
    // no handoff data, or not ours: the session simply ended
  }
  if (typeof to === 'string' && TRANSFER_TO.test(to)) {
    deps.logger.info({ callSid: params.CallSid }, 'relay session handed off; dialling');
    return sendXml(res, dialTwiml(to));
  }
  sendXml(res, hangupTwiml());
}

function sendXml(res: ServerResponse, xml: string): void {
  res.writeHead(200, {
    'content-type': 'text/xml; charset=utf-8',
    'content-length': Buffer.byteLength(xml),
    'cache-control': 'no-store',
  });
  res.end(xml);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
