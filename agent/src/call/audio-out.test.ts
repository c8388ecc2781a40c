import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { AudioFrame } from '@livekit/rtc-node';
import { ManualClock } from '../core/clock.ts';
import { AudioOut, QUEUE_MS, type OutputSource } from './audio-out.ts';
import { DuckRule } from '../core/duck-rule.ts';

const RATE = 48000;
const frame = (ms = 20) => AudioFrame.create(RATE, 1, (RATE * ms) / 1000);
const settle = () => new Promise<void>((r) => setImmediate(r));

/**
 * rtc-node's AudioSource as AudioOut sees it: a bounded queue that a write waits to enter, played
 * out when the test says so, and (the detail issue 10 hinged on) clearQueue() ends a pending
 * waitForPlayout() as if everything had been played.
 */
class FakeSource implements OutputSource {
  queued: number[] = [];
  played = 0;
  #room: Array<() => void> = [];
  #playout: Array<() => void> = [];
  get queuedDuration(): number {
    return this.queued.reduce((a, b) => a + b, 0);
  }
  async captureFrame(f: AudioFrame): Promise<void> {
    this.queued.push((f.samplesPerChannel / f.sampleRate) * 1000);
    while (this.queuedDuration > QUEUE_MS) await new Promise<void>((r) => this.#room.push(r));
  }
  clearQueue(): void {
    this.queued = [];
    this.#wake();
  }
  async waitForPlayout(): Promise<void> {
    if (!this.queued.length) return;
    await new Promise<void>((r) => this.#playout.push(r));
  }
  async close(): Promise<void> {}
  /** plays out `ms` of what is queued */
  play(ms: number): void {
    while (ms > 0 && this.queued.length) {
      const take = Math.min(ms, this.queued[0]!);
      this.queued[0]! -= take;
      ms -= take;
      this.played += take;
      if (this.queued[0]! <= 0) this.queued.shift();
    }
    this.#wake();
  }
  #wake(): void {
    for (const r of this.#room.splice(0)) r();
    if (!this.queued.length) for (const r of this.#playout.splice(0)) r();
  }
}

function tracked<T>(p: Promise<T>): { done: () => boolean; value: () => T | undefined } {
  let done = false;
  let value: T | undefined;
  void p.then((v) => {
    done = true;
    value = v;
  });
  return { done: () => done, value: () => value };
}

describe('AudioOut: nothing outlives its reply', () => {
  it('a pause left by reply N never blocks reply N+1', async () => {
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const first = out.begin();
    assert.equal(await out.write(first, frame()), true);
    out.pause();
    assert.equal(out.paused, true);
    const next = out.begin();
    const w = tracked(out.write(next, frame()));
    await settle();
    assert.equal(w.done(), true, 'the next reply wrote at once');
    assert.equal(w.value(), true);
    assert.equal(out.paused, false);
  });

  it('a writer of an earlier reply is refused once the next one begins, even one waiting on a pause', async () => {
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const first = out.begin();
    await out.write(first, frame());
    out.pause();
    const stale = tracked(out.write(first, frame()));
    await settle();
    assert.equal(stale.done(), false, 'waits while its own reply is paused');
    out.begin();
    await settle();
    assert.equal(stale.value(), false);
  });

  it('a reply does not count as played out while it is paused (the pause empties the queue)', async () => {
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const token = out.begin();
    for (let i = 0; i < 5; i++) await out.write(token, frame());
    const drained = tracked(out.drain(token));
    await settle();
    assert.equal(drained.done(), false);
    out.pause();
    await settle();
    assert.equal(drained.done(), false, 'still paused: the rest of the reply has not been heard');
    const resumed = out.resume();
    await settle();
    await resumed;
    assert.equal(drained.done(), false, 'resumed audio is queued again');
    src.play(1000);
    await settle();
    assert.equal(drained.done(), true);
    assert.equal(src.played, 100, 'every frame was heard once');
  });

  it('stop() ends a drain that waits on a pause', async () => {
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const token = out.begin();
    await out.write(token, frame());
    const drained = tracked(out.drain(token));
    out.pause();
    await settle();
    assert.equal(drained.done(), false);
    out.stop();
    await settle();
    assert.equal(drained.done(), true);
  });

  it('a frame that was waiting for room when the pause came is kept for the resume', async () => {
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const token = out.begin();
    for (let i = 0; i < 10; i++) await out.write(token, frame()); // the queue is full (200 ms)
    const blocked = tracked(out.write(token, frame()));
    await settle();
    assert.equal(blocked.done(), false);
    out.pause(); // empties the queue: the blocked write gets in, and must go to the stash
    await settle();
    assert.equal(blocked.value(), true);
    assert.equal(src.queuedDuration, 0, 'nothing sounds while paused');
    const resumed = tracked(out.resume());
    await settle();
    assert.equal(src.queuedDuration, 220, 'the unheard 200 ms and the late frame play on');
    src.play(20);
    await settle();
    assert.equal(resumed.done(), true);
    assert.equal(out.paused, false);
  });
});

describe('AudioOut: what a stop leaves belongs to the stopped utterance', () => {
  it('how much was heard when it was stopped is kept by generation, untouched by later utterances', async () => {
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const first = out.begin();
    for (let i = 0; i < 5; i++) await out.write(first, frame());
    src.play(60);
    assert.equal(out.playedMsAtStop(first), undefined, 'not stopped yet');
    assert.equal(out.stop(), 60);
    const next = out.begin();
    await out.write(next, frame());
    out.stop();
    out.begin();
    assert.equal(out.playedMsAtStop(first), 60);
    assert.equal(out.playedMsAtStop(next), 0);
  });
});

describe('a duck (core DuckRule) performed on AudioOut belongs to the reply it paused', () => {
  /** what CallSession does with the rule's decisions */
  const ducking = (clock: ManualClock, out: AudioOut) => {
    const rule = new DuckRule(clock, (generation) => void out.resume(generation));
    return {
      rule,
      loud() {
        for (let i = 0; i < 30; i++) rule.onLevel(30, true);
        for (let i = 0; i < 3; i++) {
          if (!rule.onLevel(20000, !out.paused)) continue;
          const generation = out.pause();
          if (generation !== undefined) rule.ducked(generation);
        }
      },
    };
  };

  it('releases its own pause when no speech follows', async () => {
    const clock = new ManualClock();
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const duck = ducking(clock, out);
    const token = out.begin();
    await out.write(token, frame());
    duck.loud();
    assert.equal(out.paused, true);
    clock.advance(249);
    assert.equal(out.paused, true);
    clock.advance(1);
    await settle();
    assert.equal(out.paused, false);
    assert.equal(src.queuedDuration, 20);
  });

  it('its timer never touches the next reply', async () => {
    const clock = new ManualClock();
    const src = new FakeSource();
    const out = new AudioOut(RATE, src);
    const duck = ducking(clock, out);
    const first = out.begin();
    await out.write(first, frame());
    duck.loud();
    const next = out.begin();
    await out.write(next, frame());
    out.pause(); // a pause of the next reply, by someone else
    clock.advance(250);
    await settle();
    assert.equal(out.paused, true, 'the old duck did not lift a pause it does not own');
  });
});
