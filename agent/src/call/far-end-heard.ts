import type { FarEndPlayout } from '../core/phone/far-end-playout.ts';
import type { Logger } from './logger.ts';

/**
 * What the caller heard of reply `turn`, stopped with `playedMs` gone out of her voice, when her voice
 * goes through a far end that buffers it (a Twilio Media Stream: core/phone/far-end-playout.ts decides,
 * from the far end's playout report). A stop that was not a barge-in keeps her own count, unlogged.
 */
export function farEndHeard(farEnd: FarEndPlayout, log: Logger): (playedMs: number, turn: number) => Promise<number> {
  return async (playedMs, turn) => {
    const v = await farEnd.heard(playedMs);
    if (v.source !== 'no barge-in')
      log.info(
        {
          turn,
          playedMs: Math.round(playedMs),
          heardMs: Math.round(v.heardMs),
          ...(v.unheardMs !== undefined ? { unheardMs: Math.round(v.unheardMs) } : {}),
          source: v.source,
        },
        'reply heard at the far end',
      );
    return v.heardMs;
  };
}
