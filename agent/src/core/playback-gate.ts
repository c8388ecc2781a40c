/**
 * Who may use her voice, as plain state. Every utterance gets its own generation from begin(); a
 * pause belongs to the generation it paused; begin() and stop() end the previous generation and
 * every trace of it, its pause included. So nothing one reply left behind can hold up the next:
 * a writer of reply N+1 never waits on a pause taken during reply N (issue 10).
 *
 * AudioOut performs this with the real audio source; the core's timing sweep runs the same gate
 * against a simulated source.
 */
export type WriteVerdict = 'write' | 'wait' | 'refuse';

export class PlaybackGate {
  #generation = 0;
  /** the generation that is paused, if any (only ever the current one) */
  #paused: number | undefined;

  get generation(): number {
    return this.#generation;
  }

  get paused(): boolean {
    return this.#paused !== undefined;
  }

  /** A new utterance: earlier tokens are refused from now on and any pause they left is gone. */
  begin(): number {
    this.#paused = undefined;
    return ++this.#generation;
  }

  /** Ends the current utterance for good (barge-in, hang-up): its writers are refused. */
  stop(): void {
    this.#paused = undefined;
    this.#generation++;
  }

  /** Pauses the current utterance; returns its generation, or undefined when it already was. */
  pause(): number | undefined {
    if (this.#paused !== undefined) return undefined;
    this.#paused = this.#generation;
    return this.#generation;
  }

  /** Lifts the pause of `generation`; false when that pause is gone already (stopped, or a newer utterance). */
  resume(generation: number): boolean {
    if (this.#paused !== generation) return false;
    this.#paused = undefined;
    return true;
  }

  /** Whether a writer holding `token` may write now, must wait for a resume, or has been stopped. */
  verdict(token: number): WriteVerdict {
    if (token !== this.#generation) return 'refuse';
    return this.#paused === token ? 'wait' : 'write';
  }

  /**
   * The source reported its queue played out. That ends the utterance unless it is paused: a pause
   * empties the source's queue, which also ends its wait, and the rest is still to be played.
   */
  drained(token: number): boolean {
    return this.verdict(token) !== 'wait';
  }
}
