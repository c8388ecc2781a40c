import { test } from 'vitest';
import assert from 'node:assert/strict';
import { DEV_LIVEKIT_API_SECRET, DEV_RECORDS_API_KEY } from '@voxanne/contracts/env';
import { ConfigError, parseAgentConfig } from './config.ts';

test('defaults make a working local setup', () => {
  const c = parseAgentConfig({ VOXANNE_DEV: '1' });
  assert.equal(c.LIVEKIT_URL, 'ws://127.0.0.1:7880');
  assert.equal(c.AGENT_HTTP_PORT, 8081);
  assert.equal(c.DEEPGRAM_API_KEY, undefined);
  assert.equal(c.AGENT_NAME, 'voxanne', 'the name the web server, SIP and recovery dispatch');
});

test('empty variables count as unset', () => {
  assert.equal(parseAgentConfig({ VOXANNE_DEV: '1', GROQ_API_KEY: '' }).GROQ_API_KEY, undefined);
});

test('a bad value names the variable', () => {
  assert.throws(
    () => parseAgentConfig({ VOXANNE_DEV: '1', AGENT_HTTP_PORT: 'eighty' }),
    (e: unknown) => e instanceof ConfigError && /AGENT_HTTP_PORT/.test(e.message),
  );
  assert.throws(() => parseAgentConfig({ VOXANNE_DEV: '1', LIVEKIT_URL: 'not a url' }), /LIVEKIT_URL/);
  assert.throws(() => parseAgentConfig({ VOXANNE_DEV: '1', AGENT_NAME: 'voxanne east' }), /AGENT_NAME/);
  assert.throws(() => parseAgentConfig({ VOXANNE_DEV: '1', REDIS_URL: '127.0.0.1:6379' }), /REDIS_URL/);
  assert.equal(
    parseAgentConfig({ VOXANNE_DEV: '1', REDIS_URL: 'redis://10.0.0.5:6379' }).REDIS_URL,
    'redis://10.0.0.5:6379',
  );
});

test("the worker refuses the repository's example secret outside dev mode (probe finding 5)", () => {
  assert.throws(() => parseAgentConfig({}), /LIVEKIT_API_SECRET: not set/);
  assert.throws(
    () => parseAgentConfig({ LIVEKIT_API_SECRET: DEV_LIVEKIT_API_SECRET }),
    /LIVEKIT_API_SECRET: this is the example secret published in the repository/,
  );
  // a real LiveKit secret and no records API: nothing else is needed
  const real = 'a-real-secret-0123456789abcdef0123456789';
  assert.equal(parseAgentConfig({ LIVEKIT_API_SECRET: real }).LIVEKIT_API_SECRET, real);
  // with the records API: its own key, not LiveKit's and not the example
  const withRecords = { LIVEKIT_API_SECRET: real, VOXANNE_RECORDS_URL: 'http://127.0.0.1:5173' };
  assert.throws(() => parseAgentConfig(withRecords), /RECORDS_API_KEY: not set/);
  assert.throws(
    () => parseAgentConfig({ ...withRecords, RECORDS_API_KEY: real }),
    /must differ from LIVEKIT_API_SECRET/,
  );
  assert.throws(
    () => parseAgentConfig({ ...withRecords, RECORDS_API_KEY: DEV_RECORDS_API_KEY }),
    /RECORDS_API_KEY: this is the example key/,
  );
  const key = 'a-real-records-key-0123456789abcdef01234';
  assert.equal(parseAgentConfig({ ...withRecords, RECORDS_API_KEY: key }).RECORDS_API_KEY, key);
  // dev mode: the defaults, announced by npm start
  assert.equal(
    parseAgentConfig({ VOXANNE_DEV: '1', VOXANNE_RECORDS_URL: 'http://x' }).RECORDS_API_KEY,
    DEV_RECORDS_API_KEY,
  );
  assert.throws(
    () => parseAgentConfig({ VOXANNE_DEV: '1', NODE_ENV: 'production' }),
    /VOXANNE_DEV: dev mode is not allowed/,
  );
});

test('warm job processes: one per line up to 4 unless set; 0 is refused (the library reads 0 as its default)', () => {
  const idle = (env: Record<string, string>) => parseAgentConfig({ VOXANNE_DEV: '1', ...env }).AGENT_IDLE_PROCESSES;
  assert.equal(idle({}), 4, 'the shipped 4 lines, each with a warm process');
  assert.equal(idle({ MAX_CONCURRENT_CALLS: '2' }), 2);
  assert.equal(idle({ MAX_CONCURRENT_CALLS: '25' }), 4, 'capped: a full worker keeps these besides its calls');
  assert.equal(idle({ MAX_CONCURRENT_CALLS: '25', AGENT_IDLE_PROCESSES: '25' }), 25);
  assert.equal(idle({ AGENT_IDLE_PROCESSES: '1' }), 1);
  assert.throws(() => idle({ AGENT_IDLE_PROCESSES: '0' }), /AGENT_IDLE_PROCESSES: at least 1/);
});
