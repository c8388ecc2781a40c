/**
 * The official Deepgram SDK client pointed at a base URL (api.deepgram.com, a proxy, or a local
 * fake), with the same base for REST and WebSocket.
 */
import { createClient, type DeepgramClient, type DeepgramClientOptions } from '@deepgram/sdk';
import { createRequire } from 'node:module';

export const DEFAULT_BASE_URL = 'https://api.deepgram.com';

type WebSocketClient = NonNullable<NonNullable<DeepgramClientOptions['global']>['websocket']>['client'];

// The `ws` package rather than whatever the runtime offers: with a global WebSocket (Node >= 22)
// the SDK would authenticate by subprotocol and a rejected handshake would lose its HTTP status,
// so a 401 (final) could not be told from a 503 (retry). ws keeps the status; it has no bundled
// types here, hence createRequire.
const WsWebSocket = createRequire(import.meta.url)('ws') as WebSocketClient;

export function deepgramClient(apiKey: string, baseUrl: string = DEFAULT_BASE_URL): DeepgramClient {
  // An empty key would make the SDK fall back to reading DEEPGRAM_API_KEY from the environment.
  if (!apiKey) throw new Error('Deepgram: apiKey is required');
  const http = baseUrl.replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(http)) throw new Error(`Deepgram: baseUrl must be an http(s) URL, got "${baseUrl}"`);
  return createClient(apiKey, {
    global: {
      fetch: { options: { url: http } },
      websocket: { options: { url: http.replace(/^http/i, 'ws') }, client: WsWebSocket },
    },
  });
}
