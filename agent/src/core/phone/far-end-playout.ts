/**
 * What the caller heard of a reply stopped by a barge-in, when her voice goes through a far end that
 * buffers it (a Twilio Media Stream: the bridge hands her audio to Twilio, which plays it a little
 * later). Her own output only knows what left her audio source (`playedMs`); the far end knows, from
 * Twilio's mark echoes, how much of that never reached the caller's ear, and reports it once it has
 * acted on the barge-in (PlayoutReport, contracts/src/protocol.ts). The history keeps only the heard
 * part, so the model never believes the caller heard what Twilio dropped.
 *
 * The report arrives over the room, a round trip after her state went INTERRUPTED: possibly before the
 * stopped reply asks, possibly after. The reply waits for it at most `waitMs`; a far end that says
 * nothing in time leaves her own count (what a web or SIP call keeps), and the verdict says so.
 * Pure: time from the injected Clock; the bridge and the session only carry messages and ask.
 */
import type { ConversationState } from '@voxanne/contracts/protocol';
import type { Clock, TimerHandle } from '../clock.ts';

/** how long a stopped reply waits for the far end's report: a loopback round trip is a few ms */
export const FAR_END_WAIT_MS = 300;
/** reports kept for barge-ins not yet asked about (a report may arrive before the reply stops) */
const KEEP_REPORTS = 8;

export interface HeardVerdict {
  /** ms of the stopped utterance the caller heard */
  heardMs: number;
  /** 'far end': from the report; 'no report': her own count, none came in time; 'no barge-in': stopped otherwise */
  source: 'far end' | 'no report' | 'no barge-in';
  /** what the report said was not heard (absent without one) */
  unheardMs?: number;
}

export class FarEndPlayout {
  readonly #clock: Clock;
  readonly #waitMs: number;
  /** unheard ms by the barge-in they answer (the state message's atMs) */
  readonly #reports = new Map<number, number>();
  /** the barge-in that stopped her current reply, until that reply asks what was heard */
  #bargeIn: number | undefined;
  #waiter: { atMs: number; resolve: (unheardMs: number | undefined) => void; timer: TimerHandle } | undefined;

  constructor(clock: Clock, waitMs = FAR_END_WAIT_MS) {
    this.#clock = clock;
    this.#waitMs = waitMs;
  }

  /** her state went SPEAKING → INTERRUPTED at `atMs` (the time the far end's report will name) */
  bargedIn(atMs: number): void {
    this.#bargeIn = atMs;
  }

  /** her state changed at `atMs`: of all changes, SPEAKING → INTERRUPTED is the barge-in the far end answers */
  stateChanged(from: ConversationState, to: ConversationState, atMs: number): void {
    if (from === 'SPEAKING' && to === 'INTERRUPTED') this.bargedIn(atMs);
  }

  /** the far end's report; one for a barge-in nobody waits for yet is kept until asked for */
  report(bargeInAtMs: number, unheardMs: number): void {
    if (!Number.isFinite(unheardMs) || unheardMs < 0) return;
    const w = this.#waiter;
    if (w && w.atMs === bargeInAtMs) {
      this.#waiter = undefined;
      this.#clock.clearTimeout(w.timer);
      w.resolve(unheardMs);
      return;
    }
    this.#reports.set(bargeInAtMs, unheardMs);
    for (const k of this.#reports.keys()) if (this.#reports.size > KEEP_REPORTS) this.#reports.delete(k);
  }

  /**
   * The reply stopped with `playedMs` of it gone out of her source: what the caller heard. Resolves at
   * once unless a barge-in stopped it and its report has not come yet; then within `waitMs`.
   */
  async heard(playedMs: number): Promise<HeardVerdict> {
    const atMs = this.#bargeIn;
    this.#bargeIn = undefined;
    if (atMs === undefined) return { heardMs: playedMs, source: 'no barge-in' };
    let unheardMs = this.#reports.get(atMs);
    this.#reports.delete(atMs);
    if (unheardMs === undefined) {
      // one reply at a time: a waiter left by an earlier reply gives up now
      const earlier = this.#waiter;
      if (earlier) {
        this.#clock.clearTimeout(earlier.timer);
        earlier.resolve(undefined);
      }
      unheardMs = await new Promise<number | undefined>((resolve) => {
        const timer = this.#clock.setTimeout(() => {
          if (this.#waiter?.timer === timer) this.#waiter = undefined;
          resolve(undefined);
        }, this.#waitMs);
        this.#waiter = { atMs, resolve, timer };
      });
    }
    if (unheardMs === undefined) return { heardMs: playedMs, source: 'no report' };
    return { heardMs: Math.max(0, playedMs - unheardMs), source: 'far end', unheardMs };
  }

  dispose(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w) {
      this.#clock.clearTimeout(w.timer);
      w.resolve(undefined);
    }
  }
}
