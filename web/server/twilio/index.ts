/**
 * A plain Twilio number (no SIP trunk) reaching Voxanne: the voice webhook and the media sockets, on
 * the web server's own port, so Twilio needs one public URL (PUBLIC_URL) for both.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { CallRooms } from '../call-rooms.ts';
import type { WebConfig } from '../config.ts';
import { bridgeMediaStream } from './media-bridge.ts';
import { twilioRedirect } from './rest.ts';
import { verifyStreamToken } from './stream-token.ts';
import { bridgeConversationRelay } from './relay-bridge.ts';
import {
  handleRelayAction,
  handleVoiceWebhook,
  MEDIA_STREAM_PATH,
  RELAY_ACTION_PATH,
  RELAY_PATH,
  VOICE_PATH,
} from './voice-webhook.ts';

/** one Twilio message is at most a few hundred bytes; a larger frame closes the socket (1009) */
export const MAX_SOCKET_MESSAGE_BYTES = 64 * 1024;

const sockets = new WeakMap<Server, WebSocketServer>();

export interface TwilioDeps {
  config: WebConfig;
  logger: Logger;
  rooms: CallRooms;
  /** the clinic's greeting from its dashboard settings (absent: no database) */
  welcomeGreeting?: (tenant: string) => Promise<string | undefined>;
}

export const isTwilioPath = (path: string) => path === '/twilio' || path.startsWith('/twilio/');

/** Handles /twilio/*; without TWILIO_AUTH_TOKEN there is no Twilio here (404). */
export async function handleTwilio(req: IncomingMessage, res: ServerResponse, path: string, deps: TwilioDeps) {
  const twilio = deps.config.twilio;
  const hook = {
    logger: deps.logger,
    defaultTenant: deps.config.defaultTenant,
    ...(deps.welcomeGreeting ? { welcomeGreeting: deps.welcomeGreeting } : {}),
  };
  if (twilio && path === VOICE_PATH) return handleVoiceWebhook(req, res, { twilio, ...hook });
  if (twilio && path === RELAY_ACTION_PATH) return handleRelayAction(req, res, { twilio, ...hook });
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
}

/**
 * The sockets: an upgrade on MEDIA_STREAM_PATH<token> (Media Streams) or RELAY_PATH<token>
 * (ConversationRelay) with a valid token becomes a bridge.
 */
export function attachTwilioSockets(server: Server, deps: TwilioDeps): void {
  const twilio = deps.config.twilio;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_MESSAGE_BYTES });
  sockets.set(server, wss);
  const redirect = twilio ? twilioRedirect(twilio) : undefined;
  const livekit = {
    url: deps.config.livekitUrl,
    apiKey: deps.config.livekitApiKey,
    apiSecret: deps.config.livekitApiSecret,
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!isTwilioPath(path)) return; // another upgrade (Vite's HMR) is someone else's
    const refuse = (status: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    };
    const prefix = [MEDIA_STREAM_PATH, RELAY_PATH].find((p) => path.startsWith(p));
    if (!twilio || !prefix) return refuse('404 Not Found');
    const check = verifyStreamToken(twilio.authToken, path.slice(prefix.length), Date.now());
    if (!check.ok) {
      deps.logger.warn({ path: prefix, reason: check.reason }, 'media socket refused');
      return refuse('403 Forbidden');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const bridge = { livekit, rooms: deps.rooms, logger: deps.logger };
      if (prefix === RELAY_PATH) void bridgeConversationRelay(ws, check.claims, bridge);
      else void bridgeMediaStream(ws, check.claims, { ...bridge, ...(redirect ? { redirect } : {}) });
    });
  });
}

/** Ends every media socket (the server is stopping); each bridge then ends its call. */
export function closeTwilioSockets(server: Server): void {
  const wss = sockets.get(server);
  if (!wss) return;
  for (const ws of wss.clients) ws.terminate();
  wss.close();
}
