import type { CallMetric, ErrorKind } from './call-metrics.ts';

/** What a recogniser's failure means for the call: what to count, and whether to listen with the fallback now. */
export interface SttFailureVerdict {
  metrics: CallMetric[];
  /** true once: the call moves to the embedded recogniser from here on */
  switchToFallback: boolean;
}

/**
 * The speech recogniser's failover for one call: a failure of the primary moves the call to the
 * embedded engine once; a failure of that engine (or of the primary where there is none) only counts,
 * and the call goes on with a fresh stream of the same engine (call/caller-audio.ts retries).
 */
export class SttFailover {
  #onFallback = false;

  /** `fallback`: the embedded recogniser's name, absent when the call has none */
  constructor(private readonly engines: { primary: string; fallback?: string | undefined }) {}

  get onFallback(): boolean {
    return this.#onFallback;
  }

  failed(error: ErrorKind): SttFailureVerdict {
    const provider = this.#onFallback ? this.engines.fallback! : this.engines.primary;
    const metrics: CallMetric[] = [{ kind: 'provider_error', stage: 'stt', provider, error }];
    if (this.engines.fallback === undefined || this.#onFallback) return { metrics, switchToFallback: false };
    this.#onFallback = true;
    metrics.push({ kind: 'fallback', stage: 'stt', provider, error });
    return { metrics, switchToFallback: true };
  }
}
