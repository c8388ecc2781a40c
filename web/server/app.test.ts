import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import type { CallRooms } from './call-rooms.ts';
import { closedPort, rawRequest, startWebServer, testConfig, type Running } from './test-support.ts';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
let tmp: string;
let web: Running;
let livekitUrl: string;
/** rooms the token endpoint opened, in order */
const opened: string[] = [];
const rooms: CallRooms = {
  async open(room) {
    opened.push(room);
  },
};

beforeAll(async () => {
  // dist/ holds a fake build; secret.txt beside it must never be reachable
  tmp = await mkdtemp(join(tmpdir(), 'voxanne-web-test-'));
  const dist = join(tmp, 'dist');
  await mkdir(join(dist, 'assets'), { recursive: true });
  await mkdir(join(dist, 'vad'), { recursive: true });
  await writeFile(join(dist, 'index.html'), '<!doctype html><title>Voxanne</title>');
  await writeFile(join(dist, 'assets', 'main-abc.js'), 'console.log(1)');
  await writeFile(join(dist, 'assets', 'main-abc.css'), 'body{}');
  await writeFile(join(dist, 'vad', 'ort.wasm'), Buffer.from([0, 97, 115, 109]));
  await writeFile(join(dist, 'vad', 'ort.mjs'), 'export {}');
  await writeFile(join(dist, 'vad', 'model.onnx'), Buffer.from([1, 2, 3]));
  await writeFile(join(dist, '.env'), 'SECRET=1');
  await writeFile(join(tmp, 'secret.txt'), 'do not serve');
  livekitUrl = `ws://127.0.0.1:${await closedPort()}`;
  web = await startWebServer(testConfig({ distDir: dist, livekitUrl, livekitApiSecret: SECRET }), { rooms });
});
afterAll(async () => {
  await web.stop();
  await rm(tmp, { recursive: true, force: true });
});

const postToken = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  rawRequest(web.port, 'POST', '/api/token', body, headers);

describe('POST /api/token', () => {
  it('returns a token for exactly the requested room and identity, and the LiveKit URL', async () => {
    const res = await postToken(JSON.stringify({ room: 'call-x1', identity: 'caller-y2' }));
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = JSON.parse(res.body) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['identity', 'room', 'token', 'url']);
    assert.equal(body.url, livekitUrl);
    assert.equal(body.room, 'call-x1');
    assert.equal(body.identity, 'caller-y2');
    assert.ok(!res.body.includes(SECRET), 'the API secret must not be in the response');
    const claims = await new TokenVerifier('testkey', SECRET).verify(body.token!);
    assert.equal(claims.sub, 'caller-y2');
    assert.equal(claims.video?.room, 'call-x1');
    assert.equal(claims.video?.roomJoin, true);
    assert.notEqual(claims.video?.roomAdmin, true);
    assert.equal((claims.exp ?? 0) - (claims.nbf ?? 0), 600);
    assert.equal(opened.at(-1), 'call-x1', 'the room (with her dispatch) is opened before the token is handed out');
  });

  it('answers 503 and hands out no token when the room cannot be opened', async () => {
    // the real LiveKit-backed rooms, pointed at a port where nothing listens
    const other = await startWebServer(testConfig({ livekitUrl: `ws://127.0.0.1:${await closedPort()}` }));
    try {
      const res = await rawRequest(
        other.port,
        'POST',
        '/api/token',
        JSON.stringify({ room: 'call-z3', identity: 'caller-z3' }),
        { 'content-type': 'application/json' },
      );
      assert.equal(res.status, 503);
      assert.deepEqual(JSON.parse(res.body), { error: 'the voice server cannot be reached; please try again shortly' });
    } finally {
      await other.stop();
    }
  });

  it('opens no room for a refused request', async () => {
    const before = opened.length;
    await postToken(JSON.stringify({ room: 'call 1', identity: 'caller-1' }));
    await postToken('{"room": "call-1",');
    assert.equal(opened.length, before);
  });

  it('names the missing or malformed field', async () => {
    const cases: [unknown, string][] = [
      [{ identity: 'caller-1' }, "room must be 1-64 letters, digits, '-' or '_'"],
      [{ room: 'call 1', identity: 'caller-1' }, "room must be 1-64 letters, digits, '-' or '_'"],
      [{ room: 'call-1' }, "identity must be 1-64 letters, digits, '-' or '_'"],
      [{ room: 'call-1', identity: 'x'.repeat(65) }, "identity must be 1-64 letters, digits, '-' or '_'"],
    ];
    for (const [body, error] of cases) {
      const res = await postToken(JSON.stringify(body));
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(JSON.parse(res.body), { error, field: error.split(' ')[0] });
    }
  });

  it('refuses a body that is not JSON', async () => {
    const res = await postToken('{"room": "call-1",');
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { error: 'body must be valid JSON', field: 'body' });
  });

  it('refuses bodies over 4 KiB, declared or streamed', async () => {
    const big = JSON.stringify({ room: 'call-1', identity: 'caller-1', pad: 'x'.repeat(5000) });
    const declared = await postToken(big);
    assert.equal(declared.status, 413);
    assert.match(JSON.parse(declared.body).error, /4096 bytes/);
    // chunked: no content-length, so the limit is enforced while reading
    const streamed = await postToken(big, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    assert.equal(streamed.status, 413);
  });

  it('answers 405 with Allow for other methods', async () => {
    const res = await rawRequest(web.port, 'GET', '/api/token');
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
    assert.match(JSON.parse(res.body).error, /POST/);
  });
});

describe('GET /api/connection', () => {
  it('tells the page where LiveKit is, so it can warm the connection before the click', async () => {
    const res = await rawRequest(web.port, 'GET', '/api/connection');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { url: livekitUrl });
    assert.equal((await rawRequest(web.port, 'POST', '/api/connection', '{}')).status, 405);
  });
});

describe('GET /api/health', () => {
  it('reports LiveKit down when nothing answers at LIVEKIT_URL', async () => {
    const res = await rawRequest(web.port, 'GET', '/api/health');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { ok: true, livekit: 'down' });
  });

  it('reports LiveKit up when its URL answers HTTP', async () => {
    const fakeLivekit: Server = createServer((_req, res) => res.end('OK'));
    await new Promise<void>((r) => fakeLivekit.listen(0, '127.0.0.1', r));
    const port = (fakeLivekit.address() as AddressInfo).port;
    const other = await startWebServer(testConfig({ livekitUrl: `ws://127.0.0.1:${port}` }));
    try {
      const res = await rawRequest(other.port, 'GET', '/api/health');
      assert.deepEqual(JSON.parse(res.body), { ok: true, livekit: 'up' });
    } finally {
      await other.stop();
      await new Promise((r) => fakeLivekit.close(r));
    }
  });

  it('answers 405 for POST', async () => {
    const res = await rawRequest(web.port, 'POST', '/api/health', '{}');
    assert.equal(res.status, 405);
  });
});

describe('unknown routes', () => {
  it('answers JSON 404 for unknown API paths', async () => {
    for (const path of ['/api/nope', '/api', '/api/token/extra']) {
      const res = await rawRequest(web.port, 'GET', path);
      assert.equal(res.status, 404, path);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.match(JSON.parse(res.body).error, /no such API route/);
    }
  });

  it('answers 404 for unknown pages in static mode', async () => {
    const res = await rawRequest(web.port, 'GET', '/settings');
    assert.equal(res.status, 404);
  });
});

describe('static files', () => {
  it('serves the SPA index for / and files with their content types', async () => {
    const expected: [string, RegExp][] = [
      ['/', /^text\/html/],
      ['/?x=1', /^text\/html/],
      ['/index.html', /^text\/html/],
      ['/assets/main-abc.js', /^text\/javascript/],
      ['/assets/main-abc.css', /^text\/css/],
      ['/vad/ort.wasm', /^application\/wasm$/],
      ['/vad/ort.mjs', /^text\/javascript/],
      ['/vad/model.onnx', /^application\/octet-stream$/],
    ];
    for (const [path, type] of expected) {
      const res = await rawRequest(web.port, 'GET', path);
      assert.equal(res.status, 200, path);
      assert.match(String(res.headers['content-type']), type, path);
    }
    const index = await rawRequest(web.port, 'GET', '/');
    assert.match(index.body, /<title>Voxanne<\/title>/);
  });

  it('lets the browser revalidate unhashed files cheaply', async () => {
    const first = await rawRequest(web.port, 'GET', '/vad/ort.wasm');
    assert.equal(first.headers['cache-control'], 'no-cache');
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[0-9a-z]+-[0-9a-z]+"$/);
    const again = await rawRequest(web.port, 'GET', '/vad/ort.wasm', undefined, { 'if-none-match': etag });
    assert.equal(again.status, 304);
    assert.equal(again.body, '');
    const hashed = await rawRequest(web.port, 'GET', '/assets/main-abc.js');
    assert.match(String(hashed.headers['cache-control']), /immutable/);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await rawRequest(web.port, 'HEAD', '/vad/model.onnx');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '3');
    assert.equal(head.body, '');
    const put = await rawRequest(web.port, 'PUT', '/index.html', 'x');
    assert.equal(put.status, 405);
  });

  it('never serves anything outside the build folder', async () => {
    const attempts = [
      '/../secret.txt',
      '/../package.json',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2e%2e%5c%2e%2e%5csecret.txt',
      '/index.html%00.js',
      '/%',
      '/.env',
      '//etc/passwd',
      'http://evil/../secret.txt',
    ];
    for (const path of attempts) {
      const res = await rawRequest(web.port, 'GET', path);
      assert.ok(res.status === 400 || res.status === 404, `${path} answered ${res.status}`);
      assert.ok(!res.body.includes('do not serve') && !res.body.includes('SECRET'), path);
    }
  });
});

describe('security headers and hosts (probe finding 6)', () => {
  const PAGES_AND_APIS: [string, string][] = [
    ['GET', '/'],
    ['GET', '/assets/main-abc.js'],
    ['GET', '/api/connection'],
    ['GET', '/api/health'],
    ['GET', '/api/no-such-route'],
    ['POST', '/api/token'],
    ['GET', '/internal/v1/calls/x'],
    ['GET', '/no-such-page'],
  ];

  it('every page and API answer carries CSP, frame-ancestors, Referrer-Policy and nosniff', async () => {
    for (const [method, path] of PAGES_AND_APIS) {
      const res = await rawRequest(web.port, method, path, method === 'POST' ? '{}' : undefined);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'(;|$)/, `${method} ${path}: no inline script`);
      assert.ok(!/unsafe-inline/.test(csp), `${method} ${path}: static mode allows no inline style either`);
      assert.match(csp, /frame-ancestors 'none'/, path);
      const connect = /connect-src ([^;]+)/.exec(csp)![1]!.split(' ');
      const lk = new URL(livekitUrl);
      assert.deepEqual(
        connect,
        ["'self'", `ws://${lk.host}`, `http://${lk.host}`],
        `${path}: own origin + LiveKit only`,
      );
      assert.equal(res.headers['x-frame-options'], 'DENY', path);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', path);
      assert.equal(res.headers['strict-transport-security'], undefined, `${path}: no HSTS over plain HTTP`);
    }
  });

  it('refuses any Host that is not allowed, on every route (DNS rebinding)', async () => {
    for (const [method, path] of PAGES_AND_APIS) {
      const res = await rawRequest(web.port, method, path, method === 'POST' ? '{}' : undefined, {
        host: 'attacker.example:5173',
      });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.match(res.body, /host name is not served here/);
    }
    for (const host of ['localhost:5173', '127.0.0.1', `127.0.0.1:${web.port}`, '[::1]:80'])
      assert.equal((await rawRequest(web.port, 'GET', '/api/connection', undefined, { host })).status, 200, host);
    for (const host of ['evil.localhost.example', '127.0.0.1.nip.io', 'localhost@evil'])
      assert.equal((await rawRequest(web.port, 'GET', '/api/connection', undefined, { host })).status, 403, host);
  });

  it('/metrics, /healthz and /readyz never answer the page (probe finding 9); unknown paths are 404', async () => {
    for (const path of ['/metrics', '/healthz', '/readyz', '/metrics?x=1']) {
      const res = await rawRequest(web.port, 'GET', path);
      assert.ok(!/text\/html/.test(String(res.headers['content-type'])), `${path}: ${res.headers['content-type']}`);
      assert.ok(!res.body.includes('<title>'), path);
      assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/, path);
    }
    for (const path of ['/no-such-page', '/server/config.ts', '/metricsx'])
      assert.equal((await rawRequest(web.port, 'GET', path)).status, 404, path);
  });

  it('over HTTPS (PUBLIC_URL https, or a trusted X-Forwarded-Proto): HSTS', async () => {
    const proxied = await startWebServer(testConfig({ trustProxy: true }), { rooms });
    const behindHttps = await startWebServer(testConfig({ publicUrl: 'https://clinic.example.com' }), { rooms });
    try {
      const hsts = async (port: number, headers: Record<string, string> = {}) =>
        (await rawRequest(port, 'GET', '/api/connection', undefined, headers)).headers['strict-transport-security'];
      assert.match(String(await hsts(behindHttps.port)), /^max-age=31536000/);
      assert.match(String(await hsts(proxied.port, { 'x-forwarded-proto': 'https' })), /^max-age=31536000/);
      assert.equal(await hsts(proxied.port), undefined);
      // without TRUST_PROXY the header is anyone's to send, and means nothing
      assert.equal(await hsts(web.port, { 'x-forwarded-proto': 'https' }), undefined);
    } finally {
      await proxied.stop();
      await behindHttps.stop();
    }
  });
});
