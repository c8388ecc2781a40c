import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { BenchTranscriber } from './bench-transcriber.ts';

const seg = (startSec: number, endSec: number) => ({ audio: new Int16Array(0), sampleRate: 16000, startSec, endSec });

describe('BenchTranscriber: a final carries the words its audio covers', () => {
  it('a pause between parts: each final has its part; a gap inside a part splits its words', () => {
    const t = new BenchTranscriber();
    // the connection's clock is 10 s ahead of the played audio; the voice starts 100 ms into it
    t.expectParts([
      { text: 'my number is', onsetMs: 100, endMs: 1300 },
      { text: 'five five', onsetMs: 2000, endMs: 2400 },
    ]);
    assert.equal(t.interim(seg(10.0, 10.2)), 'my');
    assert.equal(t.final(seg(10.0, 10.5)), 'my');
    assert.equal(t.final(seg(10.6, 11.1)), 'number is', 'its quiet end is still the part');
    assert.equal(t.final(seg(11.9, 12.3)), 'five five');
    assert.equal(t.final(seg(12.5, 12.7)), '', 'nothing left to say');
    assert.equal(t.unexpected, 1);
  });
});
