import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { parseWebConfig, REPO_ROOT, WEB_ROOT } from './config.ts';

describe('parseWebConfig', () => {
  it('uses the documented defaults', () => {
    const r = parseWebConfig({});
    assert.ok(r.ok);
    assert.deepEqual(r.config, {
      port: 5173,
      host: '127.0.0.1',
      livekitUrl: 'ws://127.0.0.1:7880',
      livekitApiKey: 'devkey',
      livekitApiSecret: 'voxanne-local-dev-secret-0123456789abcdef',
      agentName: 'voxanne',
      mode: 'dev',
      webRoot: WEB_ROOT,
      distDir: `${WEB_ROOT}/dist`,
      dataDir: `${REPO_ROOT}/.data/pglite`,
      databaseUrl: undefined,
      defaultTenant: 'riverside',
      knowledgeBasePath: `${REPO_ROOT}/agent/knowledge/clinic.yaml`,
      demoSeed: false,
      reaperIntervalMs: 30_000,
      reaperGraceMs: 60_000,
      twilio: undefined,
    });
  });

  it('reads the Twilio webhook settings: channel, public URL, numbers → clinics', () => {
    const r = parseWebConfig({
      TWILIO_AUTH_TOKEN: 'auth-token-123',
      TWILIO_CHANNEL: 'media-streams',
      PUBLIC_URL: 'https://voxanne.example.org/',
      TWILIO_NUMBERS: '+15550100200=riverside, +15550100300=lakeside',
    });
    assert.ok(r.ok);
    assert.deepEqual(r.config.twilio, {
      channel: 'media-streams',
      authToken: 'auth-token-123',
      accountSid: undefined,
      apiBaseUrl: undefined,
      publicUrl: 'https://voxanne.example.org',
      numbers: { '+15550100200': 'riverside', '+15550100300': 'lakeside' },
    });
    for (const [k, v] of [
      ['TWILIO_NUMBERS', '5550100200=riverside'],
      ['TWILIO_CHANNEL', 'sip'],
      ['PUBLIC_URL', 'ftp://x'],
      ['TWILIO_ACCOUNT_SID', 'AC123'],
    ] as const) {
      const bad = parseWebConfig({ TWILIO_AUTH_TOKEN: 'auth-token-123', [k]: v });
      assert.ok(!bad.ok, k);
      assert.match(bad.errors.join('\n'), new RegExp(`^${k}: `, 'm'));
    }
  });

  it('reads the agent to dispatch, refusing a name unsafe for logs', () => {
    const r = parseWebConfig({ AGENT_NAME: 'voxanne-east' });
    assert.ok(r.ok);
    assert.equal(r.config.agentName, 'voxanne-east');
    const bad = parseWebConfig({ AGENT_NAME: 'two words' });
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('\n'), /^AGENT_NAME: /m);
  });

  it('reads the records database settings', () => {
    const r = parseWebConfig({
      DATA_DIR: '/tmp/vx',
      DATABASE_URL: 'postgres://u@h/db',
      VOXANNE_TENANT: 'lakeside',
      VOXANNE_DEMO_SEED: '1',
    });
    assert.ok(r.ok);
    assert.equal(r.config.dataDir, '/tmp/vx');
    assert.equal(r.config.databaseUrl, 'postgres://u@h/db');
    assert.equal(r.config.defaultTenant, 'lakeside');
    assert.equal(r.config.demoSeed, true);
    const bad = parseWebConfig({ DATABASE_URL: 'mysql://x', VOXANNE_TENANT: 'Big Clinic' });
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('\n'), /^DATABASE_URL: /m);
    assert.match(bad.errors.join('\n'), /^VOXANNE_TENANT: /m);
  });

  it('reads every variable, treating empty ones as unset', () => {
    const r = parseWebConfig({
      PORT: '8080',
      HOST: '',
      LIVEKIT_URL: 'wss://lk.example',
      WEB_MODE: 'static',
      WEB_DIST_DIR: '/tmp/d',
    });
    assert.ok(r.ok);
    assert.equal(r.config.port, 8080);
    assert.equal(r.config.host, '127.0.0.1');
    assert.equal(r.config.livekitUrl, 'wss://lk.example');
    assert.equal(r.config.mode, 'static');
    assert.equal(r.config.distDir, '/tmp/d');
  });

  it('names each bad variable', () => {
    const r = parseWebConfig({ PORT: 'eighty', WEB_MODE: 'prod', LIVEKIT_URL: 'ftp://x' });
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 3);
    assert.match(r.errors.join('\n'), /^PORT: /m);
    assert.match(r.errors.join('\n'), /^WEB_MODE: /m);
    assert.match(r.errors.join('\n'), /^LIVEKIT_URL: must start with ws/m);
  });
});
