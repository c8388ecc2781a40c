import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { DEV_LIVEKIT_API_SECRET, DEV_RECORDS_API_KEY } from '@voxanne/contracts/env';
import { parseWebConfig, REPO_ROOT, WEB_ROOT } from './config.ts';

/** `npm start`'s dev mode: the example secrets are accepted */
const DEV = { VOXANNE_DEV: '1' };
const REAL = 'a-real-secret-0123456789abcdef0123456789';
const REAL_RECORDS = 'a-real-records-key-0123456789abcdef01234';

describe('parseWebConfig', () => {
  it('uses the documented defaults', () => {
    const r = parseWebConfig(DEV);
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
      recordsApiKey: DEV_RECORDS_API_KEY,
      devMode: true,
      publicUrl: undefined,
      allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
      trustProxy: false,
      logPii: false,
      tokenBurst: 10,
      tokenPerMinute: 20,
      maxCallsPerClient: 3,
      webStandbyCalls: 1,
      fhirAllowedOrigins: undefined,
    });
  });

  it('FHIR_ALLOWED_ORIGINS: read as origins; a URL with a path is refused, naming the variable', () => {
    const set = parseWebConfig({ ...DEV, FHIR_ALLOWED_ORIGINS: 'https://ehr.example.org,https://idp.example.net' });
    assert.ok(set.ok);
    assert.deepEqual(set.config.fhirAllowedOrigins, ['https://ehr.example.org', 'https://idp.example.net']);
    const bad = parseWebConfig({ ...DEV, FHIR_ALLOWED_ORIGINS: 'https://ehr.example.org/fhir' });
    assert.ok(!bad.ok);
    assert.match(bad.errors.join(), /^FHIR_ALLOWED_ORIGINS: "https:\/\/ehr.example.org\/fhir" is not an origin/);
  });

  it('WEB_STANDBY_CALLS: 0 turns the standby calls off; a count past the maximum or not a count is refused', () => {
    const off = parseWebConfig({ ...DEV, WEB_STANDBY_CALLS: '0' });
    assert.ok(off.ok);
    assert.equal(off.config.webStandbyCalls, 0);
    for (const v of ['9', '-1', 'some']) {
      const bad = parseWebConfig({ ...DEV, WEB_STANDBY_CALLS: v });
      assert.ok(!bad.ok);
      assert.match(bad.errors.join('\n'), /^WEB_STANDBY_CALLS: /m);
    }
  });

  it('refuses the example secrets outside dev mode, and a missing secret in production (probe finding 5)', () => {
    const none = parseWebConfig({});
    assert.ok(!none.ok);
    assert.match(none.errors.join('\n'), /^LIVEKIT_API_SECRET: not set/m);
    assert.match(none.errors.join('\n'), /^RECORDS_API_KEY: not set/m);
    const example = parseWebConfig({
      LIVEKIT_API_SECRET: DEV_LIVEKIT_API_SECRET,
      RECORDS_API_KEY: DEV_RECORDS_API_KEY,
    });
    assert.ok(!example.ok);
    assert.match(
      example.errors.join('\n'),
      /^LIVEKIT_API_SECRET: this is the example secret published in the repository/m,
    );
    assert.match(example.errors.join('\n'), /^RECORDS_API_KEY: this is the example key published in the repository/m);
    const same = parseWebConfig({ LIVEKIT_API_SECRET: REAL, RECORDS_API_KEY: REAL });
    assert.ok(!same.ok);
    assert.match(same.errors.join('\n'), /^RECORDS_API_KEY: must differ from LIVEKIT_API_SECRET/m);
    const real = parseWebConfig({ LIVEKIT_API_SECRET: REAL, RECORDS_API_KEY: REAL_RECORDS });
    assert.ok(real.ok);
    assert.equal(real.config.recordsApiKey, REAL_RECORDS);
    assert.equal(real.config.devMode, false);
    // production: dev mode is refused, and with it every default
    const prod = parseWebConfig({ NODE_ENV: 'production', VOXANNE_DEV: '1' });
    assert.ok(!prod.ok);
    assert.match(prod.errors.join('\n'), /^VOXANNE_DEV: dev mode is not allowed with NODE_ENV=production/m);
    assert.match(prod.errors.join('\n'), /^LIVEKIT_API_SECRET: not set/m);
    assert.ok(parseWebConfig({ NODE_ENV: 'production', LIVEKIT_API_SECRET: REAL, RECORDS_API_KEY: REAL_RECORDS }).ok);
  });

  it('the demo seed (published passwords) needs dev mode', () => {
    const r = parseWebConfig({ LIVEKIT_API_SECRET: REAL, RECORDS_API_KEY: REAL_RECORDS, VOXANNE_DEMO_SEED: '1' });
    assert.ok(!r.ok);
    assert.match(r.errors.join('\n'), /^VOXANNE_DEMO_SEED: .*needs dev mode \(VOXANNE_DEV=1\)/m);
  });

  it('allows the loopback names, the bind address, PUBLIC_URL and ALLOWED_HOSTS as Host', () => {
    const r = parseWebConfig({
      ...DEV,
      HOST: '10.0.0.5',
      PUBLIC_URL: 'https://Clinic.Example.com',
      ALLOWED_HOSTS: 'voxanne.internal,192.168.1.9',
      TRUST_PROXY: '1',
    });
    assert.ok(r.ok);
    assert.deepEqual(r.config.allowedHosts, [
      'localhost',
      '127.0.0.1',
      '[::1]',
      '10.0.0.5',
      'clinic.example.com',
      'voxanne.internal',
      '192.168.1.9',
    ]);
    assert.equal(r.config.publicUrl, 'https://Clinic.Example.com');
    assert.equal(r.config.trustProxy, true);
    const wildcard = parseWebConfig({ ...DEV, HOST: '0.0.0.0' });
    assert.ok(wildcard.ok);
    assert.ok(!wildcard.config.allowedHosts.includes('0.0.0.0'));
  });

  it('reads the Twilio webhook settings: channel, public URL, numbers → clinics', () => {
    const r = parseWebConfig({
      ...DEV,
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
      const bad = parseWebConfig({ ...DEV, TWILIO_AUTH_TOKEN: 'auth-token-123', [k]: v });
      assert.ok(!bad.ok, k);
      assert.match(bad.errors.join('\n'), new RegExp(`^${k}: `, 'm'));
    }
  });

  it('reads the proxy and the per-address limits, naming a bad one', () => {
    const r = parseWebConfig({
      ...DEV,
      TRUST_PROXY: '1',
      TOKEN_RATE_BURST: '3',
      TOKEN_RATE_PER_MINUTE: '0.5',
      MAX_CALLS_PER_CLIENT: '1',
    });
    assert.ok(r.ok);
    assert.deepEqual(
      [r.config.trustProxy, r.config.tokenBurst, r.config.tokenPerMinute, r.config.maxCallsPerClient],
      [true, 3, 0.5, 1],
    );
    const bad = parseWebConfig({ ...DEV, TRUST_PROXY: 'yes', TOKEN_RATE_BURST: '0', MAX_CALLS_PER_CLIENT: 'many' });
    assert.ok(!bad.ok);
    for (const v of ['TRUST_PROXY', 'TOKEN_RATE_BURST', 'MAX_CALLS_PER_CLIENT'])
      assert.match(bad.errors.join('\n'), new RegExp(`^${v}: `, 'm'));
  });

  it('reads the agent to dispatch, refusing a name unsafe for logs', () => {
    const r = parseWebConfig({ ...DEV, AGENT_NAME: 'voxanne-east' });
    assert.ok(r.ok);
    assert.equal(r.config.agentName, 'voxanne-east');
    const bad = parseWebConfig({ ...DEV, AGENT_NAME: 'two words' });
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('\n'), /^AGENT_NAME: /m);
  });

  it('reads the records database settings', () => {
    const r = parseWebConfig({
      ...DEV,
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
    const bad = parseWebConfig({ ...DEV, DATABASE_URL: 'mysql://x', VOXANNE_TENANT: 'Big Clinic' });
    assert.ok(!bad.ok);
    assert.match(bad.errors.join('\n'), /^DATABASE_URL: /m);
    assert.match(bad.errors.join('\n'), /^VOXANNE_TENANT: /m);
  });

  it('reads every variable, treating empty ones as unset', () => {
    const r = parseWebConfig({
      ...DEV,
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
    const r = parseWebConfig({ ...DEV, PORT: 'eighty', WEB_MODE: 'prod', LIVEKIT_URL: 'ftp://x' });
    assert.ok(!r.ok);
    assert.equal(r.errors.length, 3);
    assert.match(r.errors.join('\n'), /^PORT: /m);
    assert.match(r.errors.join('\n'), /^WEB_MODE: /m);
    assert.match(r.errors.join('\n'), /^LIVEKIT_URL: must start with ws/m);
  });
});
