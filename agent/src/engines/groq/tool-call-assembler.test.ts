import assert from 'node:assert/strict';
import { test } from 'vitest';
import { ToolCallAssembler } from './tool-call-assembler.ts';

test('arguments split over many deltas come back whole when the reply finishes', () => {
  const a = new ToolCallAssembler();
  assert.deepEqual(a.push({ index: 0, id: 'call_1', function: { name: 'book', arguments: '' } }), []);
  for (const piece of ['{"da', 'te":"2025-', '03-14"', '}'])
    assert.deepEqual(a.push({ index: 0, function: { arguments: piece } }), []);
  assert.equal(a.pending, 1);
  assert.deepEqual(a.flush(), [{ callId: 'call_1', name: 'book', args: '{"date":"2025-03-14"}' }]);
  assert.equal(a.pending, 0);
  assert.deepEqual(a.flush(), []);
});

test('the first delta of the next call completes the previous one', () => {
  const a = new ToolCallAssembler();
  a.push({ index: 0, id: 'call_a', function: { name: 'lookup', arguments: '{"q":' } });
  a.push({ index: 0, function: { arguments: '"hours"}' } });
  const done = a.push({ index: 1, id: 'call_b', function: { name: 'end_call', arguments: '{}' } });
  assert.deepEqual(done, [{ callId: 'call_a', name: 'lookup', args: '{"q":"hours"}' }]);
  assert.deepEqual(a.flush(), [{ callId: 'call_b', name: 'end_call', args: '{}' }]);
});

test("Groq's whole-call-in-one-delta shape and missing ids or arguments", () => {
  const a = new ToolCallAssembler('chatcmpl-9');
  a.push({ index: 0, id: null, function: { name: 'transfer', arguments: null } });
  assert.deepEqual(a.flush(), [{ callId: 'chatcmpl-9_0', name: 'transfer', args: '{}' }]);
});
