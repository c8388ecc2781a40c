import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { TokenVerifier } from 'livekit-server-sdk';
import { mintCallerToken, TOKEN_TTL_MS, validateTokenRequest } from './token.ts';

describe('validateTokenRequest', () => {
  it('accepts names of letters, digits, - and _ up to 64 characters', () => {
    const r = validateTokenRequest({ room: 'call-Ab_9', identity: 'x'.repeat(64) });
    assert.deepEqual(r, { ok: true, value: { room: 'call-Ab_9', identity: 'x'.repeat(64) } });
  });

  it('names the first offending field', () => {
    const cases: [unknown, string][] = [
      [{ identity: 'a' }, 'room'],
      [{ room: '', identity: 'a' }, 'room'],
      [{ room: 'a b', identity: 'a' }, 'room'],
      [{ room: 'a'.repeat(65), identity: 'a' }, 'room'],
      [{ room: 42, identity: 'a' }, 'room'],
      [{ room: 'ok' }, 'identity'],
      [{ room: 'ok', identity: 'é' }, 'identity'],
      [{ room: 'ok', identity: '../x' }, 'identity'],
    ];
    for (const [body, field] of cases) {
      assert.deepEqual(
        validateTokenRequest(body),
        { ok: false, error: `${field} must be 1-64 letters, digits, '-' or '_'`, field },
        JSON.stringify(body),
      );
    }
  });

  it('refuses bodies that are not objects', () => {
    for (const body of [null, [], 'room', 3]) {
      const r = validateTokenRequest(body);
      assert.equal(r.ok, false);
    }
  });
});

describe('mintCallerToken', () => {
  it('grants exactly one room and identity, publish/subscribe/data, no admin rights, for 10 minutes', async () => {
    const creds = { apiKey: 'k1', apiSecret: 'a-secret-of-at-least-thirty-two-chars!' };
    const before = Math.floor(Date.now() / 1000);
    const jwt = await mintCallerToken(creds, { room: 'call-1', identity: 'caller-1' });
    const claims = await new TokenVerifier(creds.apiKey, creds.apiSecret).verify(jwt);
    assert.equal(claims.sub, 'caller-1');
    assert.equal(claims.iss, 'k1');
    assert.deepEqual(
      { ...claims.video },
      {
        room: 'call-1',
        roomJoin: true,
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
        roomAdmin: false,
        roomCreate: false,
        roomList: false,
      },
    );
    assert.ok(claims.exp !== undefined && claims.nbf !== undefined);
    assert.equal(claims.exp - claims.nbf, TOKEN_TTL_MS / 1000);
    assert.ok(claims.nbf >= before - 1 && claims.nbf <= before + 5);
    await assert.rejects(new TokenVerifier(creds.apiKey, 'some-other-secret-of-32-characters!!').verify(jwt));
  });
});
