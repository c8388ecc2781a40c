import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import { closedPort, rawRequest, startWebServer, stubRooms, testConfig, type Running } from './test-support.ts';

const SECRET = 'test-secret-that-is-long-enough-0123456789';
let tmp: string;
let web: Running;
let livekitUrl: string;
/** rooms the token endpoint opened, in order */
const rooms = stubRooms();

/** the token endpoint's answer when no line can take the call: 503, "lines busy", try again in a minute */
function assertLinesBusy(res: Awaited<ReturnType<typeof rawRequest>>): void {
  assert.equal(res.status, 503);
  assert.deepEqual(JSON.parse(res.body), {
    error: 'All our lines are busy; please try again in a minute',
    code: 'lines-busy',
  });
  assert.equal(res.headers['retry-after'], '60');
}

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
  web = await startWebServer(
    testConfig({ distDir: dist, livekitUrl, livekitApiSecret: SECRET, tokenBurst: 1000, maxCallsPerClient: 1000 }),
    { rooms },
  );
});
afterAll(async () => {
  await web.stop();
  await rm(tmp, { recursive: true, force: true });
});

const postToken = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  rawRequest(web.port, 'POST', '/api/token', body, headers);

describe('POST /api/token', () => {
  it('opens a fresh room of its own choosing, for one caller it names, and only then hands out a token', async () => {
    const res = await postToken('');
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const body = JSON.parse(res.body) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['identity', 'room', 'token', 'url']);
    assert.equal(body.url, livekitUrl);
    assert.match(body.room!, /^call-[a-z2-7]{26}$/);
    assert.match(body.identity!, /^caller-[a-z2-7]{26}$/);
    assert.ok(!res.body.includes(SECRET), 'the API secret must not be in the response');
    const claims = await new TokenVerifier('testkey', SECRET).verify(body.token!);
    assert.equal(claims.sub, body.identity);
    assert.equal(claims.video?.room, body.room);
    assert.equal(claims.video?.roomJoin, true);
    assert.notEqual(claims.video?.roomAdmin, true);
    assert.equal((claims.exp ?? 0) - (claims.nbf ?? 0), 60);
    assert.deepEqual(rooms.opened.at(-1), {
      room: body.room,
      metadata: { tenant: 'riverside', channel: 'web', caller: body.identity },
    });
    // an empty JSON object is an empty request too
    const again = await postToken('{}');
    assert.equal(again.status, 200);
    const second = JSON.parse(again.body) as Record<string, string>;
    assert.notEqual(second.room, body.room, 'every token is for a new room');
    assert.notEqual(second.identity, body.identity);
  });

  it('refuses a request that names a room or an identity: nobody gets a token for a call under way', async () => {
    const live = rooms.opened.at(-1)!;
    const before = rooms.opened.length;
    for (const [body, field] of [
      [{ room: live.room }, 'room'],
      [{ identity: live.metadata.caller }, 'identity'],
      [{ room: live.room, identity: live.metadata.caller }, 'room'],
    ] as const) {
      const res = await postToken(JSON.stringify(body));
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(JSON.parse(res.body), {
        error: `${field}: not accepted; the server chooses the call's room and identity (send an empty body)`,
        field,
      });
    }
    for (const body of ['[]', '"call-1"', '3', 'null']) {
      const res = await postToken(body);
      assert.equal(res.status, 400, body);
      assert.deepEqual(JSON.parse(res.body), { error: 'body must be empty or an empty JSON object', field: 'body' });
    }
    assert.equal(rooms.opened.length, before, 'no room opened for a refused request');
  });

  it('answers 503 and hands out no token when the room cannot be opened', async () => {
    // the real LiveKit-backed rooms, pointed at a port where nothing listens
    const other = await startWebServer(testConfig({ livekitUrl: `ws://127.0.0.1:${await closedPort()}` }));
    try {
      const res = await rawRequest(other.port, 'POST', '/api/token', '');
      assert.equal(res.status, 503);
      assert.deepEqual(JSON.parse(res.body), { error: 'the voice server cannot be reached; please try again shortly' });
    } finally {
      await other.stop();
    }
  });

  it('answers 503 "all lines busy" when LiveKit is up but has no node free for the room', async () => {
    // livekit-server's Twirp answer when its node selector finds no node (overloaded, its stats stale)
    const asked: string[] = [];
    const livekit = createServer((req, res) => {
      asked.push(req.url ?? '');
      const list = req.url?.endsWith('/ListRooms');
      res.writeHead(list ? 200 : 500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(list ? { rooms: [] } : { code: 'internal', msg: 'could not find any available nodes' }));
    });
    await new Promise<void>((r) => livekit.listen(0, '127.0.0.1', r));
    const port = (livekit.address() as AddressInfo).port;
    const full = await startWebServer(testConfig({ livekitUrl: `ws://127.0.0.1:${port}` }));
    try {
      assertLinesBusy(await rawRequest(full.port, 'POST', '/api/token', ''));
      assert.ok(asked.includes('/twirp/livekit.RoomService/CreateRoom'), asked.join(', '));
    } finally {
      await full.stop();
      await new Promise((r) => livekit.close(r));
    }
  });

  it('answers 503 "all lines busy" at once, and closes the room, when no worker takes the call', async () => {
    const busyRooms = stubRooms({ assigned: false });
    const busy = await startWebServer(testConfig({ livekitUrl }), { rooms: busyRooms });
    try {
      assertLinesBusy(await rawRequest(busy.port, 'POST', '/api/token', ''));
      assert.deepEqual(busyRooms.closed, [busyRooms.opened[0]!.room]);
    } finally {
      await busy.stop();
    }
  });

  it('refuses a body that is not JSON', async () => {
    const res = await postToken('{"room": "call-1",');
    assert.equal(res.status, 400);
    assert.deepEqual(JSON.parse(res.body), { error: 'body must be empty or valid JSON', field: 'body' });
  });

  it('refuses bodies over 4 KiB, declared or streamed', async () => {
    const big = JSON.stringify({ pad: 'x'.repeat(5000) });
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

describe('POST /api/token, per client address', () => {
  const limited = async (over: Partial<Parameters<typeof testConfig>[0]>, rooms = stubRooms()) =>
    ({ rooms, web: await startWebServer(testConfig({ livekitUrl, ...over }), { rooms }) }) as const;

  it('takes a burst, then refuses with 429 and Retry-After: 300 requests no longer open 300 rooms', async () => {
    const { rooms: r, web: w } = await limited({ tokenBurst: 3, tokenPerMinute: 1, maxCallsPerClient: 1000 });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 300 }, () => rawRequest(w.port, 'POST', '/api/token', '').then((x) => x)),
      );
      assert.equal(statuses.filter((x) => x.status === 200).length, 3);
      const refused = statuses.filter((x) => x.status === 429);
      assert.equal(refused.length, 297);
      assert.equal(JSON.parse(refused[0]!.body).code, 'too-many-calls');
      assert.match(JSON.parse(refused[0]!.body).error, /^too many calls from this address; try again in \d+ s$/);
      assert.ok(Number(refused[0]!.headers['retry-after']) >= 1);
      assert.equal(r.opened.length, 3);
    } finally {
      await w.stop();
    }
  });

  it('caps the calls one address holds; a call that has ended frees its place', async () => {
    const { rooms: r, web: w } = await limited({ tokenBurst: 100, tokenPerMinute: 100, maxCallsPerClient: 2 });
    try {
      const ok = [await postTo(w), await postTo(w)];
      assert.deepEqual(
        ok.map((x) => x.status),
        [200, 200],
      );
      const third = await postTo(w);
      assert.equal(third.status, 429);
      assert.deepEqual(JSON.parse(third.body), {
        error: 'this address already holds 2 calls; end one first',
        code: 'too-many-calls',
      });
      // the first call ends: LiveKit no longer has its room
      r.closed.push(JSON.parse(ok[0]!.body).room);
      assert.equal((await postTo(w)).status, 200);
    } finally {
      await w.stop();
    }
  });

  it('trusts X-Forwarded-For only with TRUST_PROXY, and then only its last entry', async () => {
    const xff = (v: string) => ({ 'x-forwarded-for': v });
    const direct = await limited({ tokenBurst: 1, tokenPerMinute: 0 });
    try {
      assert.equal((await postTo(direct.web, xff('10.0.0.1'))).status, 200);
      // without a trusted proxy the header is anyone's to write: every request is the socket's address
      assert.equal((await postTo(direct.web, xff('10.0.0.2'))).status, 429);
    } finally {
      await direct.web.stop();
    }
    const proxied = await limited({ tokenBurst: 1, tokenPerMinute: 0, trustProxy: true });
    try {
      assert.equal((await postTo(proxied.web, xff('10.0.0.1'))).status, 200);
      assert.equal((await postTo(proxied.web, xff('10.0.0.2'))).status, 200, 'another client behind the proxy');
      // a client cannot pose as another by prepending: the proxy appends the address it saw
      assert.equal((await postTo(proxied.web, xff('10.0.0.3, 10.0.0.1'))).status, 429);
    } finally {
      await proxied.web.stop();
    }
  });
});

const postTo = (w: Running, headers: Record<string, string> = {}) =>
  rawRequest(w.port, 'POST', '/api/token', '', headers);

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
