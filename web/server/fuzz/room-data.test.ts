// The page's side of room data: whatever a participant publishes, decodeMessage() answers a well-formed
// message or null, and never throws (the agent's side, a live call fed the same payloads, is in
// test/agent-robustness.test.ts).
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'vitest';
import { CONVERSATION_STATES, decodeMessage } from '@voxanne/contracts/protocol';
import { roomDataCase } from './room-data.ts';
import { Rng } from './rng.ts';

describe('room data fuzz', () => {
  it('10,000 hostile payloads: the page decodes each to a well-formed message or nothing, never throws', () => {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
    const r = new Rng(seed);
    let messages = 0;
    for (let i = 0; i < 10_000; i++) {
      const c = roomDataCase(r);
      const m = decodeMessage(c.payload);
      if (m === null) continue;
      messages++;
      assert.equal(m.v, 1, `seed ${seed} case ${i}`);
      assert.equal(typeof m.callId, 'string');
      if (m.type === 'state') assert.ok(CONVERSATION_STATES.includes(m.state), `seed ${seed} case ${i}`);
    }
    console.log(`room data fuzz: seed ${seed}, 10000 payloads, ${messages} decoded as messages, the rest ignored`);
  });
});
