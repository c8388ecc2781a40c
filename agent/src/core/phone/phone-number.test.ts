import assert from 'node:assert/strict';
import { test } from 'vitest';
import { dtmfIntent, maskPhoneNumber, outboundGreeting, outboundPurpose, sipHeaderUser } from './phone-number.ts';

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

test('outbound purpose comes only from our own metadata', () => {
  assert.deepEqual(
    outboundPurpose(
      '{"tenant":"riverside","direction":"outbound","purpose":"reminder","detail":"your consultation on Tuesday"}',
    ),
    {
      purpose: 'reminder',
      detail: 'your consultation on Tuesday',
    },
  );
  assert.equal(outboundPurpose('{"tenant":"riverside"}'), undefined);
  assert.equal(outboundPurpose('{"direction":"outbound","purpose":"sell"}'), undefined);
  assert.equal(outboundPurpose('not json'), undefined);
  assert.equal(outboundPurpose(undefined), undefined);
});

test('when she calls, she says who she is and why', () => {
  const r = outboundGreeting('Riverside Clinic', {
    purpose: 'reminder',
    detail: 'your consultation on Tuesday at 10 a.m.',
  });
  assert.match(
    r,
    /^Hello, this is Voxanne.*Riverside Clinic.*remind you about your consultation on Tuesday at 10 a\.m\./,
  );
  assert.match(
    outboundGreeting('Riverside Clinic', { purpose: 'callback' }),
    /asked us to call you back\. How can I help\?/,
  );
});

test('the number in a SIP From or To header as LiveKit SIP copies it into an attribute', () => {
  assert.equal(sipHeaderUser('"Test Caller" <sip:+15551234567@127.0.0.1:5062>;tag=1234'), '+15551234567');
  assert.equal(sipHeaderUser('<sip:+15550100200@127.0.0.1:5060>'), '+15550100200');
  assert.equal(sipHeaderUser('sips:%2B15551234567@pstn.example;user=phone'), '+15551234567');
  assert.equal(sipHeaderUser('<tel:+15551234567>'), '+15551234567');
  assert.equal(sipHeaderUser('<sip:anonymous@anonymous.invalid>'), 'anonymous');
});

test('a header without a SIP user gives no number', () => {
  assert.equal(sipHeaderUser(undefined), undefined);
  assert.equal(sipHeaderUser(''), undefined);
  assert.equal(sipHeaderUser('<sip:127.0.0.1:5060>'), undefined);
  assert.equal(sipHeaderUser('no uri here'), undefined);
});
