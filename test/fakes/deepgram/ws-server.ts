/**
 * The slice of the `ws` package the fake uses, typed here because the tree has no @types/ws
 * (loading through createRequire keeps the typecheck honest instead of silencing it).
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';

export interface ServerSocket {
  readonly readyState: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'close', fn: (code: number, reason: Buffer) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
}

export interface WebSocketServerLike {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: ServerSocket) => void): void;
  on(event: 'headers', fn: (headers: string[], req: IncomingMessage) => void): this;
  close(): void;
}

interface WsModule {
  WebSocketServer: new (opts: {
    noServer: true;
    handleProtocols?: (protocols: Set<string>, req: IncomingMessage) => string | false;
  }) => WebSocketServerLike;
}

const ws = createRequire(import.meta.url)('ws') as WsModule;

export const OPEN = 1;

export function createWebSocketServer(
  handleProtocols: (protocols: Set<string>) => string | false,
): WebSocketServerLike {
  return new ws.WebSocketServer({ noServer: true, handleProtocols });
}
