import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'vitest';
import {
  CHOSEN_PORTS,
  freeStackPorts,
  freeTcpPort,
  isTcpPortFree,
  isUdpPortFree,
  reservePorts,
  withFreshPorts,
} from './ports.ts';
import { freeStackPortSet } from './stack.ts';
import { startRedis } from './telephony.ts';

test('a stack gets five ports that are free when asked for', async () => {
  const ports = await freeStackPorts();
  const all = Object.values(ports);
  assert.equal(all.length, 5);
  for (const p of all) assert.ok(Number.isInteger(p) && p > 1024 && p < 65536, `port ${p}`);
  for (const p of [ports.livekit, ports.livekitTcp, ports.web, ports.agentHealth]) assert.ok(await isTcpPortFree(p));
});

test('a port someone listens on is not free', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    assert.equal(await isTcpPortFree(port), false);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  assert.equal(await isTcpPortFree(port), true);
});

test('a reservation holds every port it took until release: none free meanwhile, all distinct', async () => {
  const r = await reservePorts({ tcp: 4, both: 2, udpRuns: [5, 3] });
  const runPorts = r.runs.flatMap((start, i) => Array.from({ length: [5, 3][i]! }, (_, k) => start + k));
  assert.equal(new Set([...r.tcp, ...r.both]).size, 6, 'TCP ports distinct');
  assert.equal(new Set([...r.both, ...runPorts]).size, 2 + 8, 'UDP ports distinct');
  for (const p of [...r.both, ...runPorts])
    assert.ok(p >= CHOSEN_PORTS.from && p <= CHOSEN_PORTS.to, `${p} chosen below the ephemeral range`);
  for (const p of [...r.tcp, ...r.both]) assert.equal(await isTcpPortFree(p), false, `TCP ${p} held`);
  for (const p of [...r.both, ...runPorts]) assert.equal(await isUdpPortFree(p), false, `UDP ${p} held`);
  await r.release();
  for (const p of [...r.tcp, ...r.both]) assert.equal(await isTcpPortFree(p), true, `TCP ${p} released`);
  for (const p of [...r.both, ...runPorts]) assert.equal(await isUdpPortFree(p), true, `UDP ${p} released`);
});

test("a stack's ports and its telephony's come from one reservation: no two processes share a port", async () => {
  for (let i = 0; i < 20; i++) {
    const { ports, telephony } = await freeStackPortSet({ rtpCount: 20 });
    assert.ok(telephony);
    const tcp = [ports.livekit, ports.livekitTcp, ports.web, ports.agentHealth, ports.agentMetrics];
    tcp.push(telephony.redis, telephony.sipHealth, ports.livekitUdp, telephony.sip);
    assert.equal(new Set(tcp).size, 9, `all TCP ports distinct: ${tcp.join(' ')}`);
    const rtp = Array.from({ length: 21 }, (_, k) => telephony.rtpStart + k);
    assert.equal(telephony.rtpEnd, telephony.rtpStart + 20);
    assert.equal(new Set([ports.livekitUdp, telephony.sip, ...rtp]).size, 23, 'UDP ports distinct');
  }
});

test('a start that loses a port ("address already in use") is made again on fresh ports, no other', async () => {
  const picks: number[] = [];
  let next = 100;
  const pick = async () => {
    picks.push(next);
    return next++;
  };
  const retried: unknown[] = [];
  // lost its port once, by its output; then starts
  const started = await withFreshPorts({
    pick,
    onRetry: (err) => void retried.push(err),
    start: async (port, seen) => {
      if (port === 100) {
        seen('listen tcp4 127.0.0.1:100: bind: address already in use');
        throw new Error('livekit exited during start-up (code 1)');
      }
      return `up on ${port}`;
    },
  });
  assert.equal(started, 'up on 101');
  assert.deepEqual(picks, [100, 101], 'fresh ports for the second attempt');
  assert.equal(retried.length, 1);

  // the error itself names it (Node's EADDRINUSE); three attempts, then the last error stands
  await assert.rejects(
    withFreshPorts({
      pick,
      start: async () => {
        throw Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:5173'), {
          code: 'EADDRINUSE',
        });
      },
    }),
    /EADDRINUSE/,
  );
  assert.equal(picks.length, 2 + 3);

  // any other failure is not about ports: no second attempt
  await assert.rejects(
    withFreshPorts({
      pick,
      start: async (_p, seen) => {
        seen('redis: ready');
        throw new Error('agent exited during start-up (code 1)');
      },
    }),
    /agent exited/,
  );
  assert.equal(picks.length, 2 + 3 + 1);

  // stopped (Ctrl-C during start-up): no further attempt either
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(
    withFreshPorts({
      pick,
      signal: abort.signal,
      start: async () => {
        throw new Error('bind: address already in use');
      },
    }),
    /address already in use/,
  );
  assert.equal(picks.length, 2 + 3 + 1 + 1);
});

test('a real Redis given a taken port fails on it and starts on the fresh one', async () => {
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
  const taken = (squatter.address() as AddressInfo).port;
  const tried: number[] = [];
  try {
    const redis = await withFreshPorts({
      pick: async () => (tried.length ? freeTcpPort() : taken),
      start: async (port, seen) => {
        tried.push(port);
        return startRedis(port, seen);
      },
    });
    await redis.stop();
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
  assert.equal(tried.length, 2);
  assert.equal(tried[0], taken);
  assert.notEqual(tried[1], taken);
});
