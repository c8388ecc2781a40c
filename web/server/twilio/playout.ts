/**
 * What Twilio has played of her voice, from the marks. The bridge counts the audio it sends; it sends
 * a mark after each of her sentences (and every MARK_EVERY_MS while she talks), and Twilio echoes a
 * mark once everything before it has been played, or at once when a `clear` drops it. So an echo that
 * is not a clear's says where the caller's ear was at that moment, and how far behind what the bridge
 * had sent it ran then (the mark's round trip: Twilio's queue plus the network). Between echoes the
 * ear moves on in real time through what was sent after it, each piece playable that lag after it went
 * out, one after another (a burst, such as frames held after an edge clear, plays at 1x, not at once).
 * The bridge's stream of her voice is continuous (silence between her replies), so what a clear drops
 * is counted for her current reply only: from where its audio began (`replyStarted`) on.
 * Pure: times come in as arguments (performance.now() in the bridge), no socket.
 */

/** a mark this often while she talks keeps the ear's position fresh inside a long sentence */
export const MARK_EVERY_MS = 240;
/** how much sending history is kept: far more than Twilio ever lags */
const HISTORY_MS = 10_000;

export class Playout {
  #sentMs = 0;
  #seq = 0;
  /** marks sent and not yet echoed: where in her audio each sits and when it went out */
  readonly #pending = new Map<string, { pos: number; sentAt: number }>();
  /** the last place the ear was known to be: position, time, and how far behind what was sent it ran */
  #ear: { pos: number; at: number; lagMs: number };
  #lastMarkPos = 0;
  /** where her current reply's audio begins, and what clears dropped of it unheard */
  #replyFrom = 0;
  #replyDropped = 0;
  /** when the audio went out: [time, ms sent by then], oldest first */
  #history: Array<[number, number]> = [];

  constructor(nowMs = 0) {
    this.#ear = { pos: 0, at: nowMs, lagMs: 0 };
  }

  /** ms of her audio handed to Twilio since the stream started */
  get sentMs(): number {
    return this.#sentMs;
  }

  /** ms of her audio Twilio has played, as far as the marks confirm */
  get confirmedMs(): number {
    return this.#ear.pos;
  }

  /** Twilio's delay as the last echo measured it (queue plus network) */
  get lagMs(): number {
    return this.#ear.lagMs;
  }

  sent(ms: number, nowMs: number): void {
    this.#sentMs += ms;
    this.#history.push([nowMs, this.#sentMs]);
    while (this.#history.length > 1 && this.#history[0]![0] < nowMs - HISTORY_MS) this.#history.shift();
  }

  /** whether a mark is due because her audio went on for MARK_EVERY_MS since the last one */
  markDue(): boolean {
    return this.#sentMs - this.#lastMarkPos >= MARK_EVERY_MS;
  }

  /** a mark to send now; its name says where in her audio it sits */
  mark(label: string, nowMs: number): string {
    const name = `${label}#${++this.#seq}`;
    this.#pending.set(name, { pos: this.#sentMs, sentAt: nowMs });
    this.#lastMarkPos = this.#sentMs;
    return name;
  }

  /** Twilio's echo of a mark. Unknown names (a stranger's, a repeat, one a clear dropped) change nothing. */
  echoed(name: string, nowMs: number): boolean {
    const m = this.#pending.get(name);
    if (!m) return false;
    this.#pending.delete(name);
    // marks echo in order; every mark before this one is played too
    for (const [n, other] of this.#pending) if (other.pos <= m.pos) this.#pending.delete(n);
    if (m.pos >= this.#ear.pos) this.#ear = { pos: m.pos, at: nowMs, lagMs: Math.max(0, nowMs - m.sentAt) };
    return true;
  }

  /** ms of her audio the caller has heard by `nowMs`: between the last echo and what was sent */
  heardMs(nowMs: number): number {
    const e = this.#ear;
    let pos = e.pos;
    let t = e.at;
    let before = 0;
    for (const [sentAt, by] of this.#history) {
      const from = Math.max(before, pos);
      before = by;
      if (by <= from) continue;
      t = Math.max(t, sentAt + e.lagMs);
      const take = Math.min(by - from, nowMs - t);
      if (take <= 0) break;
      pos = from + take;
      t += take;
    }
    return pos;
  }

  /**
   * A `clear` at `nowMs`: Twilio drops what it had queued and echoes the pending marks at once, which
   * therefore say nothing about what was heard and are forgotten here. Returns what was dropped of her
   * current reply: the ms sent that the caller never heard. What is sent from now on plays at once.
   */
  cleared(nowMs: number): number {
    const dropped = this.#sentMs - Math.max(this.heardMs(nowMs), this.#replyFrom);
    this.#replyDropped += dropped;
    this.#pending.clear();
    this.#ear = { pos: this.#sentMs, at: nowMs, lagMs: this.#ear.lagMs };
    return dropped;
  }

  /** her next reply's audio begins with what is sent from now on */
  replyStarted(): void {
    this.#replyFrom = this.#sentMs;
    this.#replyDropped = 0;
  }

  /** what clears dropped of her current reply, unheard; counted afresh from now on */
  takeReplyDropped(): number {
    const d = this.#replyDropped;
    this.#replyDropped = 0;
    return d;
  }
}
