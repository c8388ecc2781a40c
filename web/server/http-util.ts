import type { IncomingMessage, ServerResponse } from 'node:http';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    // tokens and health are per-request answers; a cached token would be someone else's call
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function methodNotAllowed(res: ServerResponse, allowed: readonly string[]): void {
  sendJson(res, 405, { error: `method not allowed; use ${allowed.join(' or ')}` }, { allow: allowed.join(', ') });
}

export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/**
 * Reads the whole request body, refusing more than limitBytes. The declared content-length is checked
 * first so an honest oversized request is refused before any of it is read. On refusal the rest of the
 * body is drained, not destroyed: destroying the request would close the socket before the 413 is sent.
 */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      req.resume();
      reject(new BodyTooLargeError(`body over ${limitBytes} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let total = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      total += chunk.length;
      if (total > limitBytes) {
        refused = true;
        chunks.length = 0;
        reject(new BodyTooLargeError(`body over ${limitBytes} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    req.once('error', reject);
  });
}
