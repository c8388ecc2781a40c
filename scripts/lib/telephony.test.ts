import assert from 'node:assert/strict';
import { test } from 'vitest';
import { parse } from 'yaml';
import { freeTelephonyPorts, livekitRedis, sipConfig } from './telephony.ts';
import { livekitConfig } from './stack.ts';

const ports = { redis: 16379, sip: 15060, sipHealth: 18082, rtpStart: 30000, rtpEnd: 30020 };

test('sip.yaml is filled with the keys, the LiveKit URL, the shared Redis and the ports', async () => {
  const cfg = parse(
    await sipConfig(ports, 'ws://127.0.0.1:17880', 'key', 'secret-secret-secret-secret-secret'),
  ) as Record<string, any>;
  assert.equal(cfg.api_key, 'key');
  assert.equal(cfg.ws_url, 'ws://127.0.0.1:17880');
  assert.deepEqual(cfg.redis, { address: '127.0.0.1:16379' });
  assert.equal(cfg.sip_port, 15060);
  assert.equal(cfg.health_port, 18082);
  assert.equal(cfg.rtp_port, '30000-30020');
  assert.equal(cfg.listen_ip, '127.0.0.1', 'loopback unless configured otherwise');
});

test('livekit-server gets the same Redis only when telephony is on', async () => {
  const lk = { livekit: 17880, livekitTcp: 17881, livekitUdp: 17882, web: 0, agentHealth: 0 };
  assert.deepEqual(parse(await livekitConfig(lk, ports)).redis, livekitRedis(ports));
  assert.equal(parse(await livekitConfig(lk)).redis, undefined);
});

test('free telephony ports do not collide', async () => {
  const p = await freeTelephonyPorts(10);
  assert.equal(p.rtpEnd - p.rtpStart, 10);
  assert.ok(p.sip < p.rtpStart || p.sip > p.rtpEnd);
  assert.equal(new Set([p.redis, p.sip, p.sipHealth]).size, 3);
});
