import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { methodNotAllowed } from './http-util.ts';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  // browsers refuse WebAssembly.instantiateStreaming on any other type
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup =
  { kind: 'file'; path: string } | { kind: 'bad-request'; reason: string } | { kind: 'not-found' };

/** The dashboard is one page with a client router: /login and everything under /dashboard get its HTML. */
export const DASHBOARD_HTML = 'dashboard.html';

/** The HTML file a page path is served, or null when the path names a file (or nothing) itself. */
export function htmlPageFor(decodedPath: string): string | null {
  if (decodedPath === '/') return 'index.html';
  if (
    decodedPath === '/login' ||
    decodedPath === '/login/' ||
    decodedPath === '/dashboard' ||
    decodedPath.startsWith('/dashboard/')
  )
    return DASHBOARD_HTML;
  return null;
}

/**
 * Maps a raw request path (still percent-encoded, no query) to a file inside distDir, or says why not.
 * Decoding happens once, here, and any '..' (literal or encoded), NUL or backslash is refused, so
 * nothing outside distDir can be named. `/` maps to index.html
 * and the dashboard's routes to dashboard.html (htmlPageFor).
 */
export function lookupStaticPath(distDir: string, rawPath: string): StaticLookup {
  if (!rawPath.startsWith('/')) return { kind: 'bad-request', reason: 'path must start with /' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return { kind: 'bad-request', reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { kind: 'bad-request', reason: 'illegal character' };
  const segments = decoded.split('/').slice(1);
  if (segments.some((s) => s === '..' || s === '.')) return { kind: 'bad-request', reason: 'dot segment' };
  // hidden files are never part of a build; refusing them avoids serving editor or VCS leftovers
  if (segments.some((s) => s.startsWith('.'))) return { kind: 'not-found' };
  const relative = htmlPageFor(decoded) ?? segments.join('/');
  const root = resolve(distDir);
  const path = join(root, relative);
  if (!path.startsWith(root + sep)) return { kind: 'bad-request', reason: 'outside the served folder' };
  return { kind: 'file', path };
}

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  distDir: string,
  rawPath: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, ['GET', 'HEAD']);
  const found = lookupStaticPath(distDir, rawPath);
  if (found.kind === 'bad-request') return plain(res, 400, `Bad request: ${found.reason}\n`);
  if (found.kind === 'not-found') return plain(res, 404, 'Not found\n');
  let size: number;
  let etag: string;
  let modified: Date;
  try {
    const st = await stat(found.path);
    if (!st.isFile()) return plain(res, 404, 'Not found\n');
    size = st.size;
    etag = `"${st.size.toString(36)}-${Math.floor(st.mtimeMs).toString(36)}"`;
    modified = st.mtime;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return plain(res, 404, 'Not found\n');
    throw e;
  }
  const headers = {
    // Vite puts content-hashed names under assets/; everything else (index.html, vad/) must revalidate,
    // and the validators make that cheap: the 14 MB onnxruntime wasm is not fetched again on every call.
    'cache-control': rawPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    etag,
    'last-modified': modified.toUTCString(),
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': contentTypeFor(found.path), 'content-length': size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const stream = createReadStream(found.path);
    stream.once('error', (err) => {
      res.destroy(err); // headers are gone already; a cut connection is the only honest signal left
      reject(err);
    });
    res.once('close', resolve);
    stream.pipe(res);
  });
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
