// The receivers' side of room data: whatever a participant publishes, decodeMessage() (the page, the
// Twilio bridges) and decodeRelay() (the relay bridge, the agent) answer a message in its declared shape
// or null, and never throw (the agent's side, a live call fed the same payloads, is in
// test/agent-robustness.test.ts; npm run fuzz runs as many as its --cases).
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, it } from 'vitest';
import { agentMessageProblem, fuzzRoomData } from './room-data.ts';
import { Rng } from './rng.ts';

describe('room data fuzz', () => {
  it('10,000 hostile payloads: each decodes to a message in its declared shape or to nothing, never a throw', () => {
    const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
    const r = fuzzRoomData(new Rng(seed), 10_000);
    console.log(`room data fuzz: seed ${seed}, ${JSON.stringify(r.bySurface)}, ${JSON.stringify(r.byOutcome)}`);
    assert.deepEqual(r.bySurface, { 'room-data': 5000, 'relay-data': 5000 });
    assert.ok(r.byOutcome.message > 500, 'enough payloads were messages for the shape check to mean something');
    assert.deepEqual(
      r.failures.map((f) => `case ${f.case} ${f.surface}: ${f.problem} ${f.sample}`),
      [],
      `seed ${seed}`,
    );
  });

  it('the shape check refuses a message its type does not allow', () => {
    const m = { v: 1, type: 'metrics', callId: 'c', metrics: { turn: 1, voiceToVoiceMs: 'yyyy' } } as never;
    assert.match(agentMessageProblem(m)!, /metrics/);
    assert.equal(
      agentMessageProblem({
        v: 1,
        type: 'transcript',
        callId: 'c',
        speaker: 'agent',
        id: 'a',
        text: 'hi',
        final: true,
      }),
      undefined,
    );
  });
});
