import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { ManualClock } from './clock.ts';
import { TurnMarksBook } from './turn-marks-book.ts';

function book() {
  const clock = new ManualClock();
  return { clock, marks: new TurnMarksBook(() => clock.now()) };
}

describe('TurnMarksBook', () => {
  it('a turn answered: speech end (back-dated by the silence), final, turn end, the reply stages, first audio', () => {
    const { clock, marks } = book();
    clock.advance(1000);
    marks.speechStarted(false);
    clock.advance(1500);
    marks.speechEnded(300); // detected after 300 ms of quiet
    clock.advance(100);
    marks.finalWords(clock.now());
    clock.advance(20);
    marks.replyStarted(1, 'user');
    clock.advance(5);
    marks.mark(1, 'llmStartMs');
    clock.advance(50);
    marks.mark(1, 'llmFirstTokenMs');
    marks.mark(1, 'ttsStartMs');
    clock.advance(80);
    marks.firstAudio(1);
    clock.advance(500);
    marks.mark(1, 'llmStartMs'); // a second attempt (the fallback) keeps the first mark
    marks.firstAudio(1);
    assert.deepEqual(marks.of(1), {
      speechEndMs: 2200,
      sttFinalMs: 2600,
      turnEndMs: 2620,
      llmStartMs: 2625,
      llmFirstTokenMs: 2675,
      ttsStartMs: 2675,
      ttsFirstAudioMs: 2755,
      firstAudioOutMs: 2755,
    });
  });

  it('a final that beats the VAD: the speech end reported after her reply started still dates that turn', () => {
    const { clock, marks } = book();
    marks.speechStarted(false);
    clock.advance(1000);
    marks.finalWords(clock.now());
    marks.replyStarted(1, 'user');
    clock.advance(200);
    marks.speechEnded(300);
    assert.deepEqual(marks.of(1), { sttFinalMs: 1000, turnEndMs: 1000, speechEndMs: 900 });
  });

  it('speech that goes on with words not yet answered keeps the turn; new speech opens a new one', () => {
    const { clock, marks } = book();
    marks.speechStarted(false);
    clock.advance(1000);
    marks.speechEnded(0);
    marks.finalWords(clock.now());
    clock.advance(400);
    marks.speechStarted(true); // "... and on Saturdays?" before she answered
    clock.advance(800);
    marks.speechEnded(0);
    marks.replyStarted(1, 'user');
    assert.deepEqual(marks.of(1), { speechEndMs: 2200, sttFinalMs: 1000, turnEndMs: 2200 });

    clock.advance(3000);
    marks.speechStarted(false);
    clock.advance(500);
    marks.speechEnded(0);
    marks.replyStarted(2, 'user');
    assert.deepEqual(marks.of(2), { speechEndMs: 5700, turnEndMs: 5700 }, 'no final of the last turn carried over');
  });

  it("her own line has marks of its own, not the caller's; one reply at a time", () => {
    const { clock, marks } = book();
    marks.speechStarted(false);
    clock.advance(700);
    marks.speechEnded(0);
    marks.replyStarted(0, 'agent');
    clock.advance(10);
    marks.firstAudio(0);
    assert.deepEqual(marks.of(0), { ttsFirstAudioMs: 710, firstAudioOutMs: 710 });
    marks.replyStarted(1, 'user');
    assert.equal(marks.of(0), undefined, 'the earlier reply is gone');
    marks.mark(0, 'llmStartMs'); // a late report of the replaced reply changes nothing
    assert.deepEqual(marks.of(1), { speechEndMs: 700, turnEndMs: 710 });
  });
});
