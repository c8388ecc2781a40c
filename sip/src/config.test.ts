import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ConfigError, livekitHttpUrl, parseProvisionConfig } from './config.ts';

const base = { SIP_NUMBERS: '+15550100200, +15550100201', SIP_ALLOWED_ADDRESSES: '127.0.0.1/32' };

test('numbers and addresses are comma lists', () => {
  const c = parseProvisionConfig(base);
  assert.deepEqual(c.SIP_NUMBERS, ['+15550100200', '+15550100201']);
  assert.deepEqual(c.SIP_ALLOWED_ADDRESSES, ['127.0.0.1/32']);
  assert.equal(c.SIP_TENANT, 'riverside');
});

test('refuses a trunk anyone could call, non-E.164 numbers, half credentials', () => {
  assert.throws(() => parseProvisionConfig({ SIP_NUMBERS: '+15550100200' }), /SIP_ALLOWED_ADDRESSES/);
  assert.throws(() => parseProvisionConfig({ ...base, SIP_NUMBERS: '555-0100' }), /E\.164/);
  assert.throws(() => parseProvisionConfig({ ...base, SIP_INBOUND_USERNAME: 'u' }), /SIP_INBOUND_PASSWORD/);
  assert.throws(() => parseProvisionConfig({ ...base, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}` }), ConfigError);
});

test('Twilio needs its trunk domain, the LiveKit SIP URI and outbound credentials', () => {
  const e = (() => {
    try {
      parseProvisionConfig({ ...base, TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' });
    } catch (err) {
      return (err as Error).message;
    }
  })();
  assert.match(e ?? '', /TWILIO_TRUNK_DOMAIN/);
  assert.match(e ?? '', /LIVEKIT_SIP_URI/);
});

test('ws URLs map to the API over http(s)', () => {
  assert.equal(livekitHttpUrl('ws://127.0.0.1:7880'), 'http://127.0.0.1:7880');
  assert.equal(livekitHttpUrl('wss://x.livekit.cloud'), 'https://x.livekit.cloud');
});
