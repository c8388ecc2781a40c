/**
 * A caller is waiting: one quick retry, then the fallback. (The agents default of three retries two
 * seconds apart would leave seconds of dead air.) Every LLM and TTS request of a reply uses this.
 */
export const INTERACTIVE_CONN = { maxRetry: 1, retryIntervalMs: 100, timeoutMs: 5000 } as const;

/** how long the embedded engines may take to start the fallback answer after a provider failed */
export const FALLBACK_BUDGET_MS = 3000;

/**
 * The longest a reply may honestly stay in PROCESSING: every try of the provider timing out, then
 * the fallback answer. Anything longer is a bug, and the watchdog steps in.
 */
export const PROCESSING_BOUND_MS =
  (INTERACTIVE_CONN.maxRetry + 1) * INTERACTIVE_CONN.timeoutMs +
  INTERACTIVE_CONN.maxRetry * INTERACTIVE_CONN.retryIntervalMs +
  FALLBACK_BUDGET_MS;
