import type { Clock, TimerHandle } from './clock.ts';
import type { ConversationState } from '@voxanne/contracts/protocol';

/**
 * The timing rules around turns, kept apart from the state machine so each is simple:
 * - false interruption: after a barge-in, if the caller says no real words within
 *   `falseInterruptionMs` of falling silent (a cough, "uh-huh"), she picks up where she was cut off;
 * - silence prompting: `silencePromptMs` of caller silence after her reply brings a gentle prompt;
 *   after `maxSilencePrompts` unanswered prompts, a polite goodbye.
 * Time comes from the injected clock; decisions leave through `act`.
 */
export interface TurnPolicyOptions {
  falseInterruptionMs: number;
  silencePromptMs: number;
  maxSilencePrompts: number;
}

export const DEFAULT_TURN_POLICY: TurnPolicyOptions = {
  falseInterruptionMs: 1000,
  silencePromptMs: 3000,
  maxSilencePrompts: 2,
};

export type PolicyAction = { type: 'resume' } | { type: 'silence_prompt'; count: number } | { type: 'goodbye' };

const BACKCHANNEL = new Set([
  'uh',
  'huh',
  'uh-huh',
  'uhhuh',
  'um',
  'umm',
  'hmm',
  'mm',
  'mhm',
  'mmhmm',
  'mm-hmm',
  'ah',
  'oh',
  'er',
  'erm',
  'yeah',
  'yep',
  'ok',
  'okay',
  'right',
  'sure',
  'cool',
  'aha',
  'the',
  'a',
]);

/** True when a transcript carries no request: fillers and acknowledgements only. */
export function isBackchannel(text: string): boolean {
  const words = text
    .toLowerCase()
    .replace(/[^a-z\s'-]/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
  return words.every((w) => BACKCHANNEL.has(w));
}

export class TurnPolicy {
  readonly #o: TurnPolicyOptions;
  #falseTimer: TimerHandle | undefined;
  #silenceTimer: TimerHandle | undefined;
  #interrupted = false;
  /** an interim showed real words: their final transcript is on its way, so her silence is no cue to prompt */
  #wordsComing = false;
  #userSpeaking = false;
  #prompts = 0;
  #state: ConversationState = 'IDLE';

  constructor(
    private readonly clock: Clock,
    private readonly act: (a: PolicyAction) => void,
    opts: Partial<TurnPolicyOptions> = {},
  ) {
    this.#o = { ...DEFAULT_TURN_POLICY, ...opts };
  }

  /** The conversation entered `state`; `afterReply` when LISTENING follows a finished reply. */
  onState(state: ConversationState, afterReply: boolean): void {
    this.#state = state;
    this.#clear('silence');
    if (state !== 'LISTENING') this.#wordsComing = false;
    if (state === 'LISTENING' && afterReply && !this.#userSpeaking) this.#armSilence();
    if (state === 'IDLE') this.#clear('false');
  }

  onBargeIn(): void {
    this.#interrupted = true;
    this.#clear('false'); // armed when the caller falls silent, not while they talk
  }

  onUserSpeechStart(): void {
    this.#userSpeaking = true;
    this.#clear('silence');
    this.#clear('false');
  }

  onUserSpeechEnd(): void {
    this.#userSpeaking = false;
    if (this.#interrupted) {
      this.#falseTimer = this.clock.setTimeout(() => {
        this.#falseTimer = undefined;
        if (!this.#interrupted || this.#userSpeaking) return;
        this.#interrupted = false;
        this.act({ type: 'resume' });
      }, this.#o.falseInterruptionMs);
    } else if (this.#state === 'LISTENING' && !this.#wordsComing) {
      this.#armSilence();
    }
  }

  /** A final transcript arrived. Real words make the interruption (if any) genuine. */
  onUserWords(text: string): void {
    if (isBackchannel(text)) return;
    this.#interrupted = false;
    this.#wordsComing = false;
    this.#prompts = 0;
    this.#clear('false');
    this.#clear('silence');
  }

  /** An interim transcript showed real words after a barge-in: the interruption is real, no resume. */
  onRealInterim(): void {
    this.#interrupted = false;
    this.#wordsComing = true;
    this.#clear('false');
    this.#clear('silence');
  }

  /** The final transcript those interim words promised came to nothing: her silence counts again. */
  onNoWordsCame(): void {
    this.#wordsComing = false;
    if (this.#state === 'LISTENING' && !this.#userSpeaking) this.#armSilence();
  }

  dispose(): void {
    this.#clear('false');
    this.#clear('silence');
  }

  #armSilence(): void {
    this.#clear('silence');
    this.#silenceTimer = this.clock.setTimeout(() => {
      this.#silenceTimer = undefined;
      if (this.#state !== 'LISTENING' || this.#userSpeaking) return;
      if (this.#prompts >= this.#o.maxSilencePrompts) {
        this.act({ type: 'goodbye' });
      } else {
        this.#prompts++;
        this.act({ type: 'silence_prompt', count: this.#prompts });
      }
    }, this.#o.silencePromptMs);
  }

  #clear(which: 'false' | 'silence'): void {
    const h = which === 'false' ? this.#falseTimer : this.#silenceTimer;
    if (h) this.clock.clearTimeout(h);
    if (which === 'false') this.#falseTimer = undefined;
    else this.#silenceTimer = undefined;
  }
}
