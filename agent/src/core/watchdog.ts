import type { ConversationState } from '@voxanne/contracts/protocol';
import { PROCESSING_BOUND_MS } from './provider-timing.ts';

/**
 * The last line of defence against silence: when is she stuck with the caller waiting, and what
 * then. Pure rules; TurnCore arms a timer from nextCheckAt() and performs recoveryFor().
 */
export interface WatchdogLimits {
  /** PROCESSING this long: every provider try and the fallback have had their time */
  processingMs: number;
  /** INTERRUPTED this long: the stopped reply never reported back */
  interruptedMs: number;
  /** LISTENING this long after a final transcript whose words got no reply */
  unansweredMs: number;
  /**
   * LISTENING this long after the caller's real words showed in an interim transcript over a barge-in
   * (which holds back the resume) with no final transcript: the offline recogniser's final can come
   * 2.3 s after the speech, so this is longer than unansweredMs
   */
  finalMissingMs: number;
  /** SPEAKING this long with no new audio from the reply (a voice or model stream that stalled mid-answer) */
  speakingStallMs: number;
  /** recoveries in a row (without her being heard in between) before the watchdog stops trying */
  maxRecoveries: number;
}

export const DEFAULT_WATCHDOG_LIMITS: WatchdogLimits = {
  processingMs: PROCESSING_BOUND_MS,
  interruptedMs: 3000,
  unansweredMs: 2000,
  finalMissingMs: 4000,
  speakingStallMs: PROCESSING_BOUND_MS,
  maxRecoveries: 2,
};

export interface WatchedState {
  state: ConversationState;
  enteredAtMs: number;
  /** when the oldest unanswered final transcript arrived (words pending, no reply for them yet) */
  unansweredSinceMs?: number | undefined;
  /** LISTENING: since when she waits for the final transcript of words an interim showed (no resume meanwhile) */
  awaitingFinalSinceMs?: number | undefined;
  /** SPEAKING: when the reply last handed her voice a frame */
  lastAudioMs?: number | undefined;
}

export type StuckReason =
  'processing_too_long' | 'interrupted_too_long' | 'words_unanswered' | 'final_missing' | 'speaking_stalled';

export interface Stuck {
  reason: StuckReason;
  state: ConversationState;
  /** how long the rule's condition has held */
  forMs: number;
}

/** When the watched state would become stuck if nothing changes (undefined: it cannot). */
export function nextCheckAt(s: WatchedState, l: WatchdogLimits): number | undefined {
  switch (s.state) {
    case 'PROCESSING':
      return s.enteredAtMs + l.processingMs;
    case 'INTERRUPTED':
      return s.enteredAtMs + l.interruptedMs;
    case 'LISTENING': {
      const words = s.unansweredSinceMs === undefined ? undefined : s.unansweredSinceMs + l.unansweredMs;
      const final = s.awaitingFinalSinceMs === undefined ? undefined : s.awaitingFinalSinceMs + l.finalMissingMs;
      return words === undefined ? final : final === undefined ? words : Math.min(words, final);
    }
    case 'SPEAKING':
      return Math.max(s.enteredAtMs, s.lastAudioMs ?? s.enteredAtMs) + l.speakingStallMs;
    default:
      return undefined;
  }
}

export function stuckAt(s: WatchedState, nowMs: number, l: WatchdogLimits): Stuck | undefined {
  const at = nextCheckAt(s, l);
  if (at === undefined || nowMs < at) return undefined;
  const wordsLate = s.unansweredSinceMs !== undefined && nowMs >= s.unansweredSinceMs + l.unansweredMs;
  const since =
    s.state === 'LISTENING'
      ? wordsLate
        ? s.unansweredSinceMs!
        : s.awaitingFinalSinceMs!
      : s.state === 'SPEAKING'
        ? Math.max(s.enteredAtMs, s.lastAudioMs ?? s.enteredAtMs)
        : s.enteredAtMs;
  const reason: StuckReason =
    s.state === 'LISTENING' && !wordsLate
      ? 'final_missing'
      : s.state === 'PROCESSING'
        ? 'processing_too_long'
        : s.state === 'INTERRUPTED'
          ? 'interrupted_too_long'
          : s.state === 'SPEAKING'
            ? 'speaking_stalled'
            : 'words_unanswered';
  return { reason, state: s.state, forMs: nowMs - since };
}

/**
 * What to do about it:
 * - answer_fallback: abandon the stuck reply; apologise and answer the same words with the embedded brain;
 * - ask_again: abandon what is stuck and say "Sorry, could you say that again?";
 * - take_turn: the words are waiting and nothing runs: answer them now;
 * - ask_again also when the final transcript of words an interim showed never came;
 * - flush: the stopped reply never reported back: forget it and listen (waiting words are answered then);
 * - give_up: recoveries keep failing; leave her listening (the call can still end politely by silence prompts).
 */
export type Recovery =
  | { kind: 'answer_fallback'; userText: string }
  | { kind: 'ask_again' }
  | { kind: 'take_turn' }
  | { kind: 'flush' }
  | { kind: 'give_up' };

/**
 * A stuck PROCESSING, SPEAKING or INTERRUPTED reply is abandoned first, whatever the recovery (the state must move on).
 */

export function recoveryFor(
  stuck: Stuck,
  ctx: {
    /** the caller's words the stuck reply was answering (none for her own lines) */
    userText?: string | undefined;
    /** was the stuck reply already a fallback answer */
    wasRecovery: boolean;
    /** recoveries since she was last heard */
    recoveriesInARow: number;
  },
  l: WatchdogLimits,
): Recovery {
  if (ctx.recoveriesInARow >= l.maxRecoveries) return { kind: 'give_up' };
  if (stuck.reason === 'words_unanswered') return { kind: 'take_turn' };
  if (stuck.reason === 'interrupted_too_long') return { kind: 'flush' };
  // a reply that never started, or stalled halfway: the embedded brain answers the same words again, whole
  if (
    (stuck.reason === 'processing_too_long' || stuck.reason === 'speaking_stalled') &&
    ctx.userText &&
    !ctx.wasRecovery
  ) {
    return { kind: 'answer_fallback', userText: ctx.userText };
  }
  return { kind: 'ask_again' };
}
