import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { serverFieldError, toFormValues, validateSettings } from './settings-form.ts';

const settings = {
  agentName: 'Voxanne',
  voice: 'aura-2-thalia-en',
  greeting: 'Hello!',
  instructions: 'Be kind.',
  silenceTimeoutMs: 3000,
  knowledgeBase: 'name: Riverside\n',
};

describe('settings form', () => {
  it('round-trips the API object through the form', () => {
    const v = toFormValues(settings);
    assert.equal(v.silenceTimeoutMs, '3000');
    assert.deepEqual(validateSettings(v), { ok: true, value: settings });
  });

  it('names each field that is missing or malformed', () => {
    const r = validateSettings({ ...toFormValues(settings), agentName: '  ', silenceTimeoutMs: '3.5s', greeting: '' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(Object.keys(r.errors).sort(), ['agentName', 'greeting', 'silenceTimeoutMs']);
    assert.match(r.errors.silenceTimeoutMs!, /whole number/);
  });

  it('places the server’s error next to the field it names', () => {
    assert.deepEqual(serverFieldError({ error: 'must be between 1000 and 30000', field: 'silenceTimeoutMs' }), {
      field: 'silenceTimeoutMs',
      message: 'must be between 1000 and 30000',
    });
    assert.deepEqual(
      serverFieldError({ error: 'services[0].name is required', field: 'knowledgeBase.services.0.name' }),
      {
        field: 'knowledgeBase',
        message: 'services[0].name is required',
      },
    );
    assert.deepEqual(serverFieldError({ error: 'nope', field: 'other' }), { field: null, message: 'nope' });
    assert.deepEqual(serverFieldError(null), { field: null, message: 'The settings could not be saved.' });
  });
});
