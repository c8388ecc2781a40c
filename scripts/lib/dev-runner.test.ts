import { strict as assert } from 'node:assert';
import { it } from 'node:test';
import { fatalReason } from './dev-runner.ts';

it("fatalReason: the agent's fatal line as one sentence; anything else is not a reason", () => {
  const fatal = JSON.stringify({ level: 60, msg: 'agent cannot start', error: { type: 'DecoderError', message: 'library /x could not be loaded', stack: 'DecoderError: …' } });
  assert.equal(fatalReason(fatal), 'agent cannot start: library /x could not be loaded');
  assert.equal(fatalReason(JSON.stringify({ level: 60, msg: 'agent worker stops' })), 'agent worker stops');
  assert.equal(fatalReason(JSON.stringify({ level: 50, msg: 'call record rejected', error: { message: 'bad' } })), undefined);
  assert.equal(fatalReason('registered worker'), undefined);
  assert.equal(fatalReason('{not json'), undefined);
});

it('a busy port is one sentence naming it, and nothing starts', async () => {
  const { createServer } = await import('node:net');
  const { freeTcpPort, freeUdpPort } = await import('./ports.ts');
  const { runDev } = await import('./dev-runner.ts');
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const web = (taken.address() as { port: number }).port;
  const errors: string[] = [];
  const printed: string[] = [];
  const codes: number[] = [];
  try {
    const ports = { livekit: await freeTcpPort(), livekitTcp: await freeTcpPort(), livekitUdp: await freeUdpPort(), web, agentHealth: await freeTcpPort() };
    await runDev({ ports, apiKey: 'k', apiSecret: 's'.repeat(32), print: (l) => printed.push(l), printError: (l) => errors.push(l), exit: (c) => void codes.push(c) });
  } finally {
    taken.close();
  }
  assert.deepEqual(codes, [1]);
  assert.deepEqual(errors, [`Cannot start: web port ${web}/tcp already in use. Stop the other process (another 'npm start'?) or, for the web port, set PORT.`]);
  assert.deepEqual(printed, []);
});
