import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { BenchTranscriber } from './bench-transcriber.ts';

const seg = (startSec: number, endSec: number) => ({ audio: new Int16Array(0), sampleRate: 16000, startSec, endSec });

describe('BenchTranscriber: a final carries the words its audio covers', () => {
  it('a pause between parts: each final has its part; a gap inside a part splits its words', () => {
    const t = new BenchTranscriber();
    // the connection's clock is 10 s ahead of the played audio; the voice starts 100 ms into it
    t.expectParts([
      { text: 'my number is', onsetMs: 100, endMs: 700 },
      { text: 'five five', onsetMs: 1400, endMs: 1800 },
    ]);
    assert.equal(t.interim(seg(10.0, 10.25)), 'my');
    assert.equal(t.final(seg(10.0, 10.45)), 'my number');
    assert.equal(t.final(seg(10.5, 10.6)), 'is');
    assert.equal(t.final(seg(11.3, 11.7)), 'five five');
    assert.equal(t.final(seg(12.0, 12.2)), '', 'nothing left to say');
    assert.equal(t.unexpected, 1);
  });
});
