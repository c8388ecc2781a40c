import type { CallMetric } from '../core/call-metrics.ts';
import type { TurnEffect } from '../core/turn-core.ts';
import { computeTurnMetrics, type TurnMarks, type TurnMetrics } from '../core/turn-metrics.ts';
import { callCounters } from './counters.ts';
import type { Logger } from './logger.ts';
import type { RoomPublisher } from './publisher.ts';

/** An answered turn's latency figures: logged, published to the room, handed to the worker. */
export function reportTurn(o: {
  turn: number;
  marks: Readonly<TurnMarks>;
  engines: TurnMetrics['engines'];
  watchdogRecoveries: number;
  log: Logger;
  pub: RoomPublisher;
  onMetrics?: ((m: TurnMetrics) => void) | undefined;
}): void {
  const metrics = { ...computeTurnMetrics(o.turn, o.marks, o.engines), watchdogRecoveries: o.watchdogRecoveries };
  o.log.info({ metrics }, 'turn metrics');
  o.log.debug({ marks: Object.fromEntries(Object.entries(o.marks).map(([k, v]) => [k, Math.round(v)])) }, 'turn marks');
  o.pub.metrics(metrics);
  o.onMetrics?.(metrics);
}

/** The watchdog unstuck the call: counted (process total and the worker's metric) and logged with what it saw. */
export function reportWatchdog(
  e: Extract<TurnEffect, { type: 'watchdog' }>,
  callId: string,
  log: Logger,
  onCallMetric?: (m: CallMetric) => void,
): void {
  const total = callCounters.watchdogRecoveries.inc();
  onCallMetric?.({ kind: 'watchdog_recovery' });
  log.error(
    {
      callId,
      reason: e.stuck.reason,
      state: e.stuck.state,
      stuckForMs: Math.round(e.stuck.forMs),
      recovery: e.recovery,
      turn: e.turn,
      watchdogRecoveries: e.count,
      watchdogRecoveriesTotal: total,
      stateHistory: e.history.map((h) => ({ ...h, atMs: Math.round(h.atMs) })),
    },
    'call stuck; watchdog recovering',
  );
}
