import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import { parseCallRoomMetadata, randomName, SERVER_NAME_PATTERN } from '@voxanne/contracts/call-room';
import { mintCallerToken, newCallNames, TOKEN_TTL_MS, validateTokenRequest } from './token.ts';

describe('newCallNames', () => {
  it('chooses a room and an identity of 26 random base32 characters each, never the same twice', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const { room, identity } = newCallNames();
      assert.match(room, /^call-[a-z2-7]{26}$/);
      assert.match(identity, /^caller-[a-z2-7]{26}$/);
      assert.match(room, SERVER_NAME_PATTERN);
      seen.add(room).add(identity);
    }
    assert.equal(seen.size, 2000);
  });

  it('uses every bit it is given: different bytes, different names', () => {
    const fixed = (v: number) => (n: number) => new Uint8Array(n).fill(v);
    assert.equal(randomName('call-', fixed(0)), `call-${'a'.repeat(26)}`);
    assert.equal(randomName('call-', fixed(255)), `call-${'7'.repeat(26)}`);
    const last = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 15 ? 1 : 0));
    assert.notEqual(randomName('call-', last), randomName('call-', fixed(0)));
  });
});

describe('validateTokenRequest', () => {
  it('accepts an empty request', () => {
    assert.deepEqual(validateTokenRequest(undefined), { ok: true });
    assert.deepEqual(validateTokenRequest({}), { ok: true });
  });

  it('refuses any field, naming it: the page chooses nothing', () => {
    for (const field of ['room', 'identity', 'tenant']) {
      assert.deepEqual(validateTokenRequest({ [field]: 'call-1' }), {
        ok: false,
        error: `${field}: not accepted; the server chooses the call's room and identity (send an empty body)`,
        field,
      });
    }
  });

  it('refuses a field with an empty name, naming the body', () => {
    assert.deepEqual(validateTokenRequest({ '': '' }), {
      ok: false,
      error: `body: not accepted; the server chooses the call's room and identity (send an empty body)`,
      field: 'body',
    });
  });

  it('refuses bodies that are not objects', () => {
    for (const body of [null, [], 'room', 3]) {
      assert.deepEqual(validateTokenRequest(body), {
        ok: false,
        error: 'body must be empty or an empty JSON object',
        field: 'body',
      });
    }
  });
});

describe('mintCallerToken', () => {
  it('grants exactly one room and identity, publish/subscribe/data, no admin rights, for one minute', async () => {
    const creds = { apiKey: 'k1', apiSecret: 'a-secret-of-at-least-thirty-two-chars!' };
    const before = Math.floor(Date.now() / 1000);
    const jwt = await mintCallerToken(creds, { room: 'call-1', identity: 'caller-1' });
    const claims = await new TokenVerifier(creds.apiKey, creds.apiSecret).verify(jwt);
    assert.equal(claims.sub, 'caller-1');
    assert.equal(claims.iss, 'k1');
    const video = { ...claims.video } as Record<string, unknown>;
    assert.equal(video.room, 'call-1');
    const may = ['roomJoin', 'canPublish', 'canSubscribe', 'canPublishData'];
    const mayNot = ['roomAdmin', 'roomCreate', 'roomList'];
    for (const grant of may) assert.equal(video[grant], true, `the caller may ${grant}`);
    for (const grant of mayNot) assert.equal(video[grant], false, `the caller may not ${grant}`);
    assert.deepEqual(Object.keys(video).sort(), ['room', ...may, ...mayNot].sort(), 'no other grant');
    assert.ok(claims.exp !== undefined && claims.nbf !== undefined);
    assert.equal(claims.exp - claims.nbf, TOKEN_TTL_MS / 1000);
    assert.equal(TOKEN_TTL_MS, 60_000);
    assert.ok(claims.nbf >= before - 1 && claims.nbf <= before + 5);
    await assert.rejects(new TokenVerifier(creds.apiKey, 'some-other-secret-of-32-characters!!').verify(jwt));
  });
});

describe('parseCallRoomMetadata', () => {
  it('reads what the room opener wrote and drops what is malformed or not ours', () => {
    const caller = newCallNames().identity;
    assert.deepEqual(parseCallRoomMetadata(JSON.stringify({ tenant: 'riverside', channel: 'web', caller })), {
      tenant: 'riverside',
      channel: 'web',
      caller,
    });
    assert.deepEqual(parseCallRoomMetadata(JSON.stringify({ tenant: 'Big Clinic', channel: 'fax', caller: 'x' })), {});
    for (const raw of [undefined, '', 'not json', '[]', 'null', '3'])
      assert.deepEqual(parseCallRoomMetadata(raw), {}, String(raw));
  });
});
