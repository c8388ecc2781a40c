import { test } from 'vitest';
import assert from 'node:assert/strict';
import { ConfigError, parseAgentConfig } from './config.ts';

test('defaults make a working local setup', () => {
  const c = parseAgentConfig({});
  assert.equal(c.LIVEKIT_URL, 'ws://127.0.0.1:7880');
  assert.equal(c.AGENT_HTTP_PORT, 8081);
  assert.equal(c.DEEPGRAM_API_KEY, undefined);
  assert.equal(c.AGENT_NAME, 'voxanne', 'the name the web server, SIP and recovery dispatch');
});

test('empty variables count as unset', () => {
  assert.equal(parseAgentConfig({ GROQ_API_KEY: '' }).GROQ_API_KEY, undefined);
});

test('a bad value names the variable', () => {
  assert.throws(
    () => parseAgentConfig({ AGENT_HTTP_PORT: 'eighty' }),
    (e: unknown) => e instanceof ConfigError && /AGENT_HTTP_PORT/.test(e.message),
  );
  assert.throws(() => parseAgentConfig({ LIVEKIT_URL: 'not a url' }), /LIVEKIT_URL/);
  assert.throws(() => parseAgentConfig({ AGENT_NAME: 'voxanne east' }), /AGENT_NAME/);
});
