import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { parseInbound } from './media-messages.ts';
import { dtmfCode } from './twilio-json.ts';
import { EDGE_BARGE_IN, EdgeBargeIn, rms } from './edge-barge-in.ts';
import { maskPhoneNumber } from '@voxanne/contracts/call-room';
import { signStreamToken, verifyStreamToken } from './stream-token.ts';

describe('media socket token', () => {
  const claims = {
    callSid: `CA${'a'.repeat(32)}`,
    tenant: 'riverside',
    callerMasked: '+1******4567',
    expiresAt: 10_000,
  };
  it('verifies its own token and returns the claims', () => {
    const t = signStreamToken('auth-token-1', claims);
    assert.deepEqual(verifyStreamToken('auth-token-1', t, 9_999), { ok: true, claims });
  });
  it('refuses another key, a changed claim, an expired or a malformed token', () => {
    const t = signStreamToken('auth-token-1', claims);
    assert.deepEqual(verifyStreamToken('auth-token-2', t, 0), { ok: false, reason: 'bad signature' });
    const [, mac] = t.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...claims, tenant: 'lakeside' })).toString('base64url')}.${mac}`;
    assert.deepEqual(verifyStreamToken('auth-token-1', forged, 0), { ok: false, reason: 'bad signature' });
    assert.deepEqual(verifyStreamToken('auth-token-1', t, 10_001), { ok: false, reason: 'expired' });
    for (const bad of ['', 'x', 'a.b', `${t}x`, '../../etc/passwd'])
      assert.equal(verifyStreamToken('auth-token-1', bad, 0).ok, false, bad);
  });
  it('masks the number as the agent does', () => {
    assert.equal(maskPhoneNumber('+15551234567'), '+1******4567');
    assert.equal(maskPhoneNumber(undefined), '(unknown)');
  });
});

describe('Media Streams messages', () => {
  it('reads start, media, dtmf, mark and stop in Twilio’s shapes', () => {
    const start = parseInbound(
      JSON.stringify({
        event: 'start',
        sequenceNumber: '1',
        start: {
          accountSid: 'AC1',
          streamSid: 'MZ1',
          callSid: 'CA1',
          tracks: ['inbound'],
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
          customParameters: { clinic: 'riverside', n: 5 },
        },
        streamSid: 'MZ1',
      }),
    );
    assert.deepEqual(start, {
      event: 'start',
      streamSid: 'MZ1',
      callSid: 'CA1',
      customParameters: { clinic: 'riverside' },
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    });
    const media = parseInbound(
      JSON.stringify({
        event: 'media',
        media: { track: 'inbound', chunk: '2', timestamp: '20', payload: Buffer.from([1, 2, 3]).toString('base64') },
        streamSid: 'MZ1',
      }),
    );
    assert.equal(media.event, 'media');
    assert.deepEqual([...(media as { payload: Uint8Array }).payload], [1, 2, 3]);
    assert.deepEqual(parseInbound('{"event":"dtmf","dtmf":{"track":"inbound_track","digit":"0"}}'), {
      event: 'dtmf',
      digit: '0',
    });
    assert.deepEqual(parseInbound('{"event":"mark","mark":{"name":"a1#2"}}'), { event: 'mark', name: 'a1#2' });
    assert.deepEqual(parseInbound('{"event":"stop","stop":{}}'), { event: 'stop' });
  });
  it('ignores, with a reason, what is not a message of the stream', () => {
    const reasons = [
      '{',
      '[]',
      '{"event":"hello"}',
      '{"event":"start","start":{}}',
      '{"event":"media","media":{}}',
      '{"event":"media","media":{"track":"outbound","payload":"AAAA"}}',
      `{"event":"media","media":{"payload":"${'A'.repeat(20_000)}"}}`,
      '{"event":"dtmf","dtmf":{"digit":"12"}}',
      '{"event":"mark","mark":{}}',
    ].map((t) => parseInbound(t));
    for (const r of reasons) assert.equal(r.event, 'ignored', JSON.stringify(r));
  });
  it('maps keypad digits to SIP DTMF codes', () => {
    assert.deepEqual(['0', '9', '*', '#', 'A', 'D'].map(dtmfCode), [0, 9, 10, 11, 12, 15]);
  });
});

describe('barge-in at the edge (EdgeBargeIn)', () => {
  const run = (levels: number[], speaks: (i: number) => boolean, rule = new EdgeBargeIn()) =>
    levels.map((l, i) => rule.caller(l, speaks(i), i * 20));
  const quietLine = Array<number>(25).fill(30);

  it('clears on the second loud frame while she speaks, once per sound', () => {
    const out = run([...quietLine, 3000, 3200, 2800, 3000, 2900], () => true);
    assert.deepEqual(
      out.map((d, i) => (d ? i : -1)).filter((i) => i >= 0),
      [26],
    );
    assert.equal(out[26]!.holdUntil, 26 * 20 + EDGE_BARGE_IN.holdMs);
  });
  it('never clears while she is silent, nor on one loud frame, nor on line silence', () => {
    assert.ok(run([...quietLine, 3000, 3200, 2800], () => false).every((d) => d === undefined));
    assert.ok(run([...quietLine, 3000, 30, 3000, 30, 3000, 30], () => true).every((d) => d === undefined));
    assert.ok(run(Array<number>(50).fill(0), () => true).every((d) => d === undefined));
  });
  it('a noisy line raises the floor: only a rise well above it counts', () => {
    const hiss = Array<number>(60).fill(350);
    assert.ok(run([...hiss, 900, 950, 900], () => true).every((d) => d === undefined));
    const out = run([...hiss, 1500, 1600], () => true);
    assert.ok(out[61], 'a sound over four times the hiss is an onset');
  });
  it('a new sound may clear again only after the line has been quiet', () => {
    const rule = new EdgeBargeIn();
    const first = run([...quietLine, 3000, 3000, 30, 30, 3000, 3000], () => true, rule);
    assert.equal(first.filter(Boolean).length, 1, 'two quiet frames do not release the sound');
    const later = [...Array<number>(EDGE_BARGE_IN.releaseFrames).fill(30), 3000, 3000].map((l, i) =>
      rule.caller(l, true, 10_000 + i * 20),
    );
    assert.equal(later.filter(Boolean).length, 1);
  });
  it('holds her frames until the hold ends or the agent settles it', () => {
    const rule = new EdgeBargeIn();
    run([...quietLine, 3000, 3000], () => true, rule);
    const clearAt = 26 * 20;
    assert.equal(rule.holding(clearAt + 10), true);
    assert.equal(rule.holding(clearAt + EDGE_BARGE_IN.holdMs), false);
    run([...quietLine, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 3000, 3000], () => true, rule);
    rule.settle();
    assert.equal(rule.holding(clearAt + 1), false);
  });
  it('measures RMS in int16 units', () => {
    assert.equal(rms(new Int16Array([3, -3, 3, -3])), 3);
    assert.equal(rms(new Int16Array(0)), 0);
  });
});
