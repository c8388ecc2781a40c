import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dtmfIntent, maskPhoneNumber } from './phone-number.ts';

test('masks all but the country digit and the last four', () => {
  assert.equal(maskPhoneNumber('+15551234567'), '+1******4567');
  assert.equal(maskPhoneNumber('+447700900123'), '+4*******0123');
  assert.equal(maskPhoneNumber('5551234567'), '******4567');
  assert.equal(maskPhoneNumber('+1 (555) 123-4567'), '+1******4567');
});

test('short or missing numbers reveal nothing', () => {
  assert.equal(maskPhoneNumber('1234'), '****');
  assert.equal(maskPhoneNumber(''), '(unknown)');
  assert.equal(maskPhoneNumber(undefined), '(unknown)');
});

test('0 asks for a person; other keys mean nothing to her', () => {
  assert.equal(dtmfIntent('0'), 'person');
  assert.equal(dtmfIntent('*'), 'none');
  assert.equal(dtmfIntent('5'), 'none');
});
