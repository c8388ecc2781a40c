import { Counter } from '../core/counter.ts';

/**
 * Counters for the whole worker process (each call's own count is in its logs and metrics). Kept
 * as plain Counters so a Prometheus endpoint can expose them later without touching the call path.
 */
export const callCounters = {
  watchdogRecoveries: new Counter(
    'voxanne_watchdog_recoveries_total',
    'times a call was stuck with the caller waiting and the watchdog recovered it',
  ),
} as const;
