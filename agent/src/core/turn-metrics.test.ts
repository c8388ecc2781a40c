import { test } from 'vitest';
import assert from 'node:assert/strict';
import { computeTurnMetrics } from './turn-metrics.ts';

test('turn metrics are differences of the recorded marks', () => {
  const m = computeTurnMetrics(
    3,
    {
      speechEndMs: 1000,
      sttFinalMs: 1150,
      turnEndMs: 1160,
      llmStartMs: 1160,
      llmFirstTokenMs: 1260.4,
      ttsStartMs: 1270,
      ttsFirstAudioMs: 1370,
      firstAudioOutMs: 1375,
    },
    { llm: 'groq', tts: 'aura' },
  );
  assert.deepEqual(m, {
    turn: 3,
    sttFinalDelayMs: 150,
    endOfTurnDelayMs: 160,
    llmTtftMs: 100,
    ttsTtfbMs: 100,
    voiceToVoiceMs: 375,
    engines: { llm: 'groq', tts: 'aura' },
  });
});

test('missing marks give null, not zero or NaN', () => {
  const m = computeTurnMetrics(
    1,
    { ttsStartMs: 5, ttsFirstAudioMs: 60, firstAudioOutMs: 61 },
    { llm: 'rules', tts: 'flite' },
  );
  assert.equal(m.voiceToVoiceMs, null);
  assert.equal(m.llmTtftMs, null);
  assert.equal(m.ttsTtfbMs, 55);
});
