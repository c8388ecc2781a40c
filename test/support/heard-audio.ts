/**
 * What a test phone heard of her voice, and waiting on it: one entry per received frame or packet
 * with its loudness. SimCaller (LiveKit, 10 ms frames) and RtpPhone (RTP, 20 ms packets) both extend it.
 */
export interface Heard {
  atMs: number;
  rms: number;
}

export class HeardAudio<H extends Heard> {
  readonly heard: H[] = [];
  protected readonly listeners = new Set<() => void>();

  /**
   * @param frameMs the audio one entry stands for
   * @param quietMs how long a silence must last to count as her stopping (silentFrom's default)
   */
  constructor(
    readonly frameMs: number,
    readonly quietMs: number,
  ) {}

  /** Milliseconds of her audio louder than `threshold` RMS (int16 units) at or after fromMs. */
  audibleMs(fromMs = 0, threshold = 300): number {
    return this.heard.filter((h) => h.atMs >= fromMs && h.rms > threshold).length * this.frameMs;
  }

  /** Time of the first audible entry at or after fromMs. */
  firstAudibleAfter(fromMs: number, threshold = 300): number | undefined {
    return this.heard.find((h) => h.atMs >= fromMs && h.rms > threshold)?.atMs;
  }

  /** Start of the first run of `quietMs` of silence after fromMs: when her audio stopped at the phone. */
  silentFrom(fromMs: number, quietMs = this.quietMs, threshold = 300): number | undefined {
    let runStart: number | undefined;
    for (const h of this.heard) {
      if (h.atMs < fromMs) continue;
      if (h.rms > threshold) runStart = undefined;
      else {
        runStart ??= h.atMs;
        if (h.atMs - runStart >= quietMs) return runStart;
      }
    }
    return undefined;
  }

  /** Resolves once pred() holds (checked on everything received), or rejects after timeoutMs. */
  waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!pred()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  /** Runs the waiting checks; call it after each entry or message received. */
  protected notify(): void {
    for (const l of [...this.listeners]) l();
  }
}
