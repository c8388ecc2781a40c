import { test } from 'vitest';
import assert from 'node:assert/strict';
import { splitHeard } from './heard-text.ts';

const chunks = [
  { text: 'We open at eight.', durationMs: 1000 },
  { text: 'We close at five on Fridays.', durationMs: 1500 },
];

test('nothing played means nothing heard', () => {
  assert.deepEqual(splitHeard(chunks, 0), { heard: '', unheard: 'We open at eight. We close at five on Fridays.' });
});

test('a fully played first chunk is heard, the rest is not', () => {
  assert.deepEqual(splitHeard(chunks, 1000), { heard: 'We open at eight.', unheard: 'We close at five on Fridays.' });
});

test('a cut inside a chunk keeps only the words that finished', () => {
  const r = splitHeard(chunks, 1000 + 700);
  assert.equal(r.heard, 'We open at eight. We close at');
  assert.equal(r.unheard, 'five on Fridays.');
});

test('playing past the end hears everything', () => {
  assert.deepEqual(splitHeard(chunks, 99_999), {
    heard: 'We open at eight. We close at five on Fridays.',
    unheard: '',
  });
});
