import type { stt } from '@livekit/agents';
import { errorKind, type CallMetric } from '../core/call-metrics.ts';
import { SttFailover } from '../core/stt-failover.ts';
import type { Engines } from '../engines/types.ts';
import type { Logger } from './logger.ts';

/**
 * Performs the recogniser failover (core/stt-failover.ts) for call/caller-audio.ts: a failure is
 * counted, and the first of the primary's hands the call to the embedded recogniser (returned); any
 * later one leaves the engine as it is (undefined).
 */
export function sttSwitch(
  engines: Engines,
  log: Logger,
  onCallMetric?: (m: CallMetric) => void,
): (err: Error) => stt.STT | undefined {
  const failover = new SttFailover({ primary: engines.info.stt, fallback: engines.fallback?.info.stt });
  return (err) => {
    const verdict = failover.failed(errorKind(err));
    for (const m of verdict.metrics) onCallMetric?.(m);
    const fb = engines.fallback;
    if (!verdict.switchToFallback || !fb) return undefined;
    log.warn({ err: err.message, fallback: fb.info.stt }, 'speech recognition switched to the embedded engine');
    return fb.stt;
  };
}
