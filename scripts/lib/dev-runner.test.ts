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
