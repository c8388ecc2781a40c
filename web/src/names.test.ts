import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { newCallNames, randomSuffix } from './names.ts';

describe('randomSuffix', () => {
  it('makes names the token server accepts', () => {
    const s = randomSuffix(10, (n) => Uint8Array.from({ length: n }, (_, i) => i * 37));
    assert.match(`call-${s}`, /^[A-Za-z0-9_-]{1,64}$/);
    assert.equal(s.length, 10);
    assert.notEqual(randomSuffix(), randomSuffix());
    const { room, identity } = newCallNames();
    assert.match(room, /^call-[a-z0-9]{10}$/);
    assert.match(identity, /^caller-[a-z0-9]{10}$/);
  });
});
