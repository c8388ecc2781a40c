import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { MARK_EVERY_MS, Playout } from './playout.ts';

/** her audio going out in real time: a 20 ms frame every 20 ms from `fromMs` to `toMs` */
function sendRealTime(p: Playout, fromMs: number, toMs: number): void {
  for (let t = fromMs + 20; t <= toMs; t += 20) p.sent(20, t);
}

describe('Playout: what Twilio has played of her voice, by the marks', () => {
  it('an echoed mark confirms the audio before it, settles every earlier mark and measures the lag', () => {
    const p = new Playout(0);
    p.sent(400, 400);
    const m1 = p.mark('a1', 400);
    p.sent(600, 1000);
    const m2 = p.mark('a1', 1000);
    p.sent(200, 1200);
    assert.equal(p.echoed(m2, 1300), true);
    assert.equal(p.confirmedMs, 1000);
    assert.equal(p.lagMs, 300, 'sent at 1000, played at 1300');
    assert.equal(p.echoed(m1, 1310), false, 'an earlier mark is settled by a later echo');
    assert.equal(p.echoed('stranger#9', 1310), false);
    assert.equal(p.confirmedMs, 1000);
  });

  it('between echoes the ear moves on in real time, each frame playable the lag after it went out', () => {
    const p = new Playout(0);
    sendRealTime(p, 0, 1000);
    const m = p.mark('a1', 1000);
    sendRealTime(p, 1000, 1400);
    p.echoed(m, 1350); // Twilio ran 350 ms behind
    assert.equal(p.heardMs(1350), 1000);
    assert.equal(p.heardMs(1410), 1040, 'played on since the echo: the frames sent at 1020 and 1040');
    // her audio stopped at 1400 ms sent: the ear gets there a lag later, not before, not beyond
    assert.equal(p.heardMs(1600), 1230);
    assert.equal(p.heardMs(1770), 1400);
    assert.equal(p.heardMs(5000), 1400);
    // a burst (frames held, then let go at once) plays at 1x from when it is playable
    p.sent(500, 6000);
    assert.equal(p.heardMs(6000), 1400);
    assert.equal(p.heardMs(6350), 1400, 'not before the lag');
    assert.equal(p.heardMs(6550), 1600);
    assert.equal(p.heardMs(9000), 1900);
  });

  it('before the first echo it takes Twilio to play what it gets at once', () => {
    const p = new Playout(100);
    sendRealTime(p, 100, 300);
    assert.equal(p.heardMs(250), 130, 'each frame as it arrived: six whole frames and half of one');
    assert.equal(p.heardMs(900), 200, 'never more than was sent');
  });

  it('a clear says what was dropped unheard, and the echoes it causes say nothing', () => {
    const p = new Playout(0);
    sendRealTime(p, 0, 1000);
    const early = p.mark('a2', 1000);
    p.echoed(early, 1200); // 200 ms behind
    sendRealTime(p, 1000, 1600);
    const pending = p.mark('a2', 1600);
    // Twilio runs 200 ms behind: by 1600 the caller heard the frames sent before 1400; 220 ms are dropped
    assert.equal(p.cleared(1600), 220);
    assert.equal(p.echoed(pending, 1601), false, 'the echo a clear causes is not a playback');
    // after the clear the ear counts from what was sent then; the new audio is as late as Twilio lags
    p.sent(100, 1600);
    assert.equal(p.heardMs(1800), 1600);
    assert.equal(p.heardMs(1900), 1700);
  });

  it('counts what clears drop of her current reply only, never the silence or the replies before it', () => {
    const p = new Playout(0);
    sendRealTime(p, 0, 1000); // the greeting and the line silence after it, all heard
    p.echoed(p.mark('a1', 1000), 1000);
    p.replyStarted();
    sendRealTime(p, 1000, 1300);
    // an edge clear at 1300 with Twilio 0 ms behind drops the frame that just went out; 500 ms later
    // the hold runs out
    assert.equal(p.cleared(1300), 20);
    p.sent(800, 1800); // the held frames go out at once, and nothing of them is heard by 1800
    // the agent's barge-in: a second clear drops them; both count for her reply
    assert.equal(p.cleared(1800), 800);
    assert.equal(p.takeReplyDropped(), 820);
    assert.equal(p.takeReplyDropped(), 0, 'taken once');
    // a clear long after her reply began never counts audio sent before it
    const q = new Playout(0);
    sendRealTime(q, 0, 2000);
    const m = q.mark('a1', 2000);
    q.echoed(m, 2600); // 600 ms behind
    q.replyStarted();
    sendRealTime(q, 2000, 2200);
    assert.equal(q.cleared(2200), 200, 'not the 600 ms of what came before her reply');
  });

  it('asks for a mark every MARK_EVERY_MS of her audio', () => {
    const p = new Playout(0);
    p.sent(MARK_EVERY_MS - 20, 0);
    assert.equal(p.markDue(), false);
    p.sent(20, 20);
    assert.equal(p.markDue(), true);
    p.mark('p', MARK_EVERY_MS);
    assert.equal(p.markDue(), false);
  });
});
