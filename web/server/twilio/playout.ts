/**
 * What Twilio has played of her voice, from the marks. The bridge counts the audio it sends; after a
 * sentence it sends a mark, and Twilio echoes the mark once everything before it has been played (or
 * dropped by a `clear`). So at any moment the caller has heard at least up to the last echoed mark,
 * and at most what was sent. Pure: no clock, no socket.
 */
export class Playout {
  #sentMs = 0;
  #playedMs = 0;
  #seq = 0;
  readonly #pending = new Map<string, number>();

  /** ms of her audio handed to Twilio since the stream started */
  get sentMs(): number {
    return this.#sentMs;
  }

  /** ms of her audio Twilio has confirmed played, by the marks */
  get playedMs(): number {
    return this.#playedMs;
  }

  /** what was sent and not yet confirmed: the most the caller may not have heard */
  get unconfirmedMs(): number {
    return this.#sentMs - this.#playedMs;
  }

  sent(ms: number): void {
    this.#sentMs += ms;
  }

  /** a mark to send now; its name says where in her audio it sits */
  mark(label: string): string {
    const name = `${label}#${++this.#seq}`;
    this.#pending.set(name, this.#sentMs);
    return name;
  }

  /** Twilio's echo of a mark. Unknown names (a stranger's, a repeat) change nothing. */
  echoed(name: string): boolean {
    const at = this.#pending.get(name);
    if (at === undefined) return false;
    this.#pending.delete(name);
    // marks echo in order; every mark before this one is played too
    for (const [n, ms] of this.#pending) if (ms <= at) this.#pending.delete(n);
    this.#playedMs = Math.max(this.#playedMs, at);
    return true;
  }

  /**
   * A `clear`: Twilio drops what it had queued and echoes the pending marks at once, so the marks no
   * longer say what was heard. Returns the most the caller may have missed; what is sent from now on
   * starts from a clean count.
   */
  cleared(): number {
    const missed = this.unconfirmedMs;
    this.#pending.clear();
    this.#playedMs = this.#sentMs;
    return missed;
  }
}
