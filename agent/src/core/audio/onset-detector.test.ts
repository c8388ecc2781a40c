import { test } from 'vitest';
import assert from 'node:assert/strict';
import { OnsetDetector, rms } from './onset-detector.ts';

const feed = (d: OnsetDetector, values: number[]) => values.map((v) => d.push(v));

test('speech rising out of a quiet line fires on its second loud frame', () => {
  const d = new OnsetDetector();
  feed(d, Array(50).fill(30)); // a quiet line: floor ≈ 30
  assert.deepEqual(feed(d, [2000, 2500, 2600]), [undefined, 'onset', undefined]);
});

test('a single click is not an onset', () => {
  const d = new OnsetDetector();
  feed(d, Array(50).fill(30));
  assert.deepEqual(feed(d, [5000, 30, 30]), [undefined, undefined, undefined]);
});

test('digital silence and quiet hiss never fire, however long', () => {
  const d = new OnsetDetector();
  assert.ok(feed(d, Array(500).fill(0)).every((e) => e === undefined));
  assert.ok(feed(d, Array(500).fill(300)).every((e) => e === undefined));
});

test('a steady loud hum raises the floor instead of firing again and again', () => {
  const d = new OnsetDetector();
  const events = feed(d, Array(600).fill(1500)).filter(Boolean);
  // it may fire once when the hum starts, then it becomes the floor and releases
  assert.ok(events.length <= 2, `events: ${events}`);
  assert.ok(d.noiseFloor > 1000, `floor followed the hum: ${d.noiseFloor}`);
  assert.deepEqual(feed(d, [2000, 2000]), [undefined, undefined], 'a little louder than the hum is not speech');
  assert.equal(feed(d, [9000, 9000])[1], 'onset', 'but a lot louder is');
});

test('after an onset it releases once the line has been quiet for releaseFrames, and can fire again', () => {
  const d = new OnsetDetector({ releaseFrames: 5 });
  feed(d, Array(20).fill(20));
  assert.equal(feed(d, [3000, 3000])[1], 'onset');
  assert.deepEqual(feed(d, [3000, 3000, 3000]), [undefined, undefined, undefined], 'no second onset while it lasts');
  assert.deepEqual(feed(d, [20, 20, 20, 20, 20]), [undefined, undefined, undefined, undefined, 'release']);
  assert.equal(feed(d, [3000, 3000])[1], 'onset');
});

test('rms of a full-scale square wave and of silence', () => {
  assert.equal(rms(new Int16Array([1000, -1000, 1000, -1000])), 1000);
  assert.equal(rms(new Int16Array(0)), 0);
});

test('a sentence with softer syllables and short gaps is one sound: released only after it ends', () => {
  const d = new OnsetDetector({ releaseFrames: 8 });
  feed(d, Array(30).fill(20));
  // 0.6 s of speech whose level swings between 2000 and 7000, a 40 ms gap, and 0.6 s more
  const speech = [...Array(60)].map((_, i) => (i % 10 < 5 ? 2000 : 7000));
  const events = feed(d, [...speech, 40, 40, 40, 40, ...speech, ...Array(20).fill(20)]);
  const at = (e: string) => events.flatMap((x, i) => (x === e ? [i] : []));
  assert.deepEqual(at('onset'), [1]);
  assert.deepEqual(
    at('release'),
    [60 + 4 + 60 + 7],
    'eight quiet frames after the last sound, none inside the sentence',
  );
});
