import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'vitest';
import { freeStackPorts, isTcpPortFree } from './ports.ts';

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
