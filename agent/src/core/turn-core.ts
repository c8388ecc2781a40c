import type { AgentLines } from './agent-lines.ts';
import { silencePrompt } from './agent-lines.ts';
import type { Clock, TimerHandle } from './clock.ts';
import { DuckRule, DUCK_CONFIRM_MS } from './duck-rule.ts';
import { DICTATION_HOLD_MS, dictationAsked, dictationVerdict, type DictationKind } from './dictation.ts';
import type { EmergencyRule } from './emergency.ts';
import { DEFAULT_END_OF_TURN, endOfTurn, type EndOfTurnOptions } from './end-of-turn.ts';
import type { ConversationState } from '@voxanne/contracts/protocol';
import { keepOfReply, type ReplyKeep } from './reply-commit.ts';
import { SpeculationRule } from './speculation-rule.ts';
import { recognisedWords } from './text/recognised-words.ts';
import { initialMachine, transition, type ConversationEvent, type Machine } from './state-machine.ts';
import { isBackchannel, TurnPolicy, type PolicyAction, type TurnPolicyOptions } from './turn-policy.ts';
import {
  DEFAULT_WATCHDOG_LIMITS,
  nextCheckAt,
  recoveryFor,
  stuckAt,
  type Recovery,
  type Stuck,
  type WatchdogLimits,
} from './watchdog.ts';

/** what she says by herself, in the watchdog's words when she has to ask again */
export const ASK_AGAIN_LINE = 'Sorry, could you say that again?';

export type LineKind = 'greeting' | 'prompt' | 'resume' | 'goodbye' | 'recovery';
export interface Line {
  kind: LineKind;
  text: string;
}

/** One reply, as the core asks for it. Everything the performer starts for it carries its turn. */
export type ReplyJob =
  | { turn: number; source: 'agent'; line: Line }
  /**
   * recover: the watchdog abandoned the first try; apologise and answer with the embedded engines.
   * fixed: the words are answered with this line, exactly, and no model sees them (an emergency).
   */
  | { turn: number; source: 'user'; userText: string; recover: boolean; fixed?: string };

export interface StateChange {
  from: ConversationState;
  to: ConversationState;
  atMs: number;
  turn: number;
}

export type TurnEffect =
  | ({ type: 'state_changed' } & StateChange)
  | { type: 'start_reply'; job: ReplyJob }
  /** silence her now and end the current utterance (barge-in, abandon, hang-up) */
  | { type: 'stop_audio' }
  /** abort that reply's LLM and TTS requests */
  | { type: 'cancel_reply'; turn: number }
  | { type: 'end_call'; reason: string; byAgent: boolean }
  /** pause her voice now (a sound onset while she speaks); answer with ducked(generation) */
  | { type: 'duck' }
  /** lift the pause of that output generation if it is still there (no speech followed the sound) */
  | { type: 'unduck'; generation: number }
  /** ask the LLM ahead of time for the answer to these words */
  | { type: 'prefetch'; userText: string }
  /** call takeTurn() once the current event has been handled (words arrived while she was busy) */
  | { type: 'take_turn_soon' }
  /**
   * A reply is over and counts (not replaced before it spoke, nor abandoned): `keep` is what the
   * history, her screen and the records keep of it (core/reply-commit.ts); `answered`: it answered the
   * caller, so its turn metrics are published. Comes before the state moves on.
   */
  | { type: 'commit_reply'; turn: number; keep: ReplyKeep | undefined; answered: boolean }
  /** the caller's words were handed to someone else (handOff); they belong in the history */
  | { type: 'handed_off'; userText: string }
  /**
   * the caller's words name an emergency (core/emergency.ts): reply `turn` answers them with the fixed
   * line; the call is flagged, and on the phone the on-call person takes it once the line is said
   */
  | { type: 'emergency'; turn: number; phrase: string }
  /** she was stuck with the caller waiting; what the watchdog saw and does */
  | { type: 'watchdog'; stuck: Stuck; recovery: Recovery['kind']; count: number; turn: number; history: StateChange[] };

export interface ReplyResult {
  /** at least one frame of it reached her voice */
  audioStarted: boolean;
  /** it was stopped (barge-in, superseded, hang-up) rather than ending by itself */
  aborted: boolean;
  /** from the sentence she was cut off in to the end of what was prepared: what a resume says */
  unheard?: string | undefined;
  /** what the caller heard of it */
  heard?: string | undefined;
  /** everything whose audio was queued */
  spoken?: string | undefined;
  /** tool calls it made (with their outputs) */
  toolCalls?: number | undefined;
}

export type ReplyVerdict = 'stale' | 'superseded' | 'ended';

export interface TurnCoreOptions {
  clock: Clock;
  perform(e: TurnEffect): void;
  lines: AgentLines;
  policy?: Partial<TurnPolicyOptions>;
  watchdog?: Partial<WatchdogLimits>;
  duckConfirmMs?: number;
  /** true when an LLM can take prefetch effects (the embedded brain answers in microseconds anyway) */
  speculate?: boolean;
  /** a caller's turn that is not for the brain: true = taken care of elsewhere (a hand-over to a person) */
  handOff?(userText: string): boolean;
  /** words that name an emergency get its fixed line, before any model (and are never prefetched) */
  emergency?: EmergencyRule;
  /** the semantic end-of-turn rule's holds (core/end-of-turn.ts) */
  endOfTurn?: Partial<EndOfTurnOptions>;
  /** while she collects a phone number, a birth date or a spelling: the wait for the next group (core/dictation.ts) */
  dictationHoldMs?: number;
  /**
   * the caller talking within this long of the first audio of her answer makes it a false start: she
   * answered a pause, not a finished turn. It is cut, nothing of it is kept, and the caller's words wait
   * for the rest of their turn.
   */
  falseStartMs?: number;
}

/** a false start: the caller goes on talking within this long of her answer's first audio */
export const FALSE_START_MS = 800;
/** however long a caller talks on, a held turn is answered after this much with no final transcript */
const MAX_HOLD_MS = 8000;

const HISTORY = 24;

/**
 * The turn rules of one call, pure: the conversation state machine, the turn policy's timers, the
 * duck, speculation, the caller's words waiting for an answer, supersede, resume after a false
 * interruption, backchannels during a barge-in, and the watchdog. Events come in as method calls;
 * decisions leave as effects, which CallSession performs (and the core's timing sweep simulates).
 * It holds one reply at a time: a reply that ends after it was abandoned or replaced is 'stale' and
 * changes nothing.
 */
export class TurnCore {
  readonly #o: TurnCoreOptions;
  readonly #clock: Clock;
  readonly #startedAt: number;
  #machine: Machine = initialMachine(0);
  readonly #policy: TurnPolicy;
  readonly #duck: DuckRule;
  readonly #speculation = new SpeculationRule();
  readonly #limits: WatchdogLimits;
  /** caller words recognised but not yet answered, and since when */
  #pending: string[] = [];
  #unansweredSince: number | undefined;
  /** the reply being made */
  #reply: ReplyJob | undefined;
  /** the next reply's details, set just before the turn_end that starts it */
  #next:
    | { source: 'agent'; line: Line }
    | { source: 'user'; userText: string; recover: boolean; fixed?: string }
    | undefined;
  /** a barge-in stopped her; once the reply has stopped, `unheard` is what a resume would say */
  #resume: { kind: 'none' } | { kind: 'interrupted'; unheard: string | undefined } = { kind: 'none' };
  #recoverNext = false;
  /**
   * an interim showed real words after a barge-in: the interruption was real, so no resume; she waits
   * for their final transcript (since when, for the watchdog)
   */
  #awaitingFinalSince: number | undefined;
  readonly #history: StateChange[] = [];
  #watchTimer: TimerHandle | undefined;
  #recoveriesInARow = 0;
  /** when the reply being spoken last handed her voice a frame */
  #lastAudioAt: number | undefined;
  #watchdogCount = 0;
  #byAgent = false;
  readonly #eot: EndOfTurnOptions;
  /** the end-of-turn rule holds the turn: the caller's words wait for more (or for this timer) */
  #hold: TimerHandle | undefined;
  /** an end-of-turn model's probability for the audio behind the latest final transcript */
  #eotProbability: number | undefined;
  /** when the first audio of the reply being spoken reached her voice */
  #replyAudioAt: number | undefined;
  /** the caller talked over the first moments of her answer: it was a false start */
  #falseStart = false;
  /** after a false start: the rest of the caller's turn is on its way, so nothing is answered before it */
  #awaitContinuation = false;
  /** the VAD hears the caller now */
  #callerSpeaking = false;
  /** what her last reply asked the caller to dictate (core/dictation.ts), if anything */
  #dictation: DictationKind | undefined;

  constructor(o: TurnCoreOptions) {
    this.#o = o;
    this.#clock = o.clock;
    this.#startedAt = o.clock.now();
    this.#limits = { ...DEFAULT_WATCHDOG_LIMITS, ...o.watchdog };
    this.#eot = { ...DEFAULT_END_OF_TURN, ...o.endOfTurn };
    this.#policy = new TurnPolicy(o.clock, (a) => this.#onPolicy(a), o.policy);
    this.#duck = new DuckRule(
      o.clock,
      (generation) => o.perform({ type: 'unduck', generation }),
      o.duckConfirmMs ?? DUCK_CONFIRM_MS,
    );
  }

  get state(): ConversationState {
    return this.#machine.state;
  }

  get turn(): number {
    return this.#machine.turn;
  }

  /** how often the watchdog had to step in during this call */
  get watchdogCount(): number {
    return this.#watchdogCount;
  }

  get hasPendingWords(): boolean {
    return this.#pending.length > 0;
  }

  /** speech starting now goes on with caller words not yet answered (that turn keeps its timing marks) */
  get speechContinuesTurn(): boolean {
    return this.#machine.state === 'LISTENING' && this.#pending.length > 0;
  }

  get stateHistory(): readonly StateChange[] {
    return this.#history;
  }

  /** call-relative milliseconds */
  now(): number {
    return this.#clock.now() - this.#startedAt;
  }

  start(greeting: Line): void {
    this.#dispatch({ type: 'call_start' });
    this.say(greeting);
  }

  /** She takes the floor by herself; only while she listens (false: not now). */
  say(line: Line): boolean {
    if (this.#machine.state !== 'LISTENING') return false;
    this.#next = { source: 'agent', line };
    return this.#dispatch({ type: 'turn_end', source: 'agent' });
  }

  end(reason: string): void {
    if (this.#machine.state === 'IDLE') return;
    this.#dispatch({ type: 'call_end', reason });
  }

  /** loudness (RMS) of each 10 ms frame of the caller's audio; `outputPaused`: her voice is paused already */
  level(rms: number, outputPaused: boolean): void {
    if (this.#duck.onLevel(rms, this.#machine.state === 'SPEAKING' && !outputPaused)) this.#o.perform({ type: 'duck' });
    const wasAudible = this.#speculation.callerAudible;
    const guess = this.#speculation.onLevel(rms, this.#machine.state === 'LISTENING');
    if (!wasAudible && this.#speculation.callerAudible) this.#callerLoudAgain();
    if (!guess || !this.#o.speculate) return;
    const userText = [...this.#pending, guess].join(' ');
    // an emergency's words never reach a model, not even ahead of time; words that stop mid-sentence
    // will not be answered as they are: no point asking for their answer
    if (this.#o.emergency?.match(userText) !== undefined) return;
    if (this.#dictation && dictationVerdict(this.#dictation, userText) === 'more') return;
    if (endOfTurn(userText, undefined, this.#eot).kind === 'complete') this.#o.perform({ type: 'prefetch', userText });
  }

  /** what she is collecting now: the caller's next words are dictation (their keypad digits count too) */
  get dictating(): DictationKind | undefined {
    return this.#dictation;
  }

  /** true while the end-of-turn rule holds the caller's words back, waiting for the rest of their turn */
  get holding(): boolean {
    return this.#hold !== undefined;
  }

  /** the duck effect paused output generation `generation` */
  ducked(generation: number): void {
    this.#duck.ducked(generation);
  }

  /**
   * The caller's line is loud again after a pause (the speculation rule's 80 ms of quiet). When the
   * VAD never heard them stop (the pause was shorter than its silence) and she has just taken the turn
   * on the words before it, the recogniser ended the utterance on a gap inside the caller's sentence
   * and its final came before they were audible again (over the phone a band-limited consonant
   * leaves such a gap: README, turn-taking). The VAD gives no new speech start for a caller who never
   * stopped, so without this she would talk over them until their next pause. An answer not yet
   * heard is cancelled; one whose first audio is out is cut as a false start; either way nothing of
   * it is kept and the words wait for the rest of the turn.
   */
  #callerLoudAgain(): void {
    const reply = this.#reply;
    if (!this.#callerSpeaking || reply?.source !== 'user' || this.#falseStart) return;
    const state = this.#machine.state;
    if (state === 'PROCESSING') {
      this.#keepNothingOfReply();
      this.#o.perform({ type: 'cancel_reply', turn: reply.turn });
    } else if (state === 'SPEAKING' && this.#inFalseStartWindow()) {
      this.#keepNothingOfReply();
      this.#dispatch({ type: 'barge_in' });
    }
  }

  /** her answer to the caller's words began to be heard less than a false start's window ago */
  #inFalseStartWindow(): boolean {
    return (
      this.#reply?.source === 'user' &&
      this.#replyAudioAt !== undefined &&
      this.now() - this.#replyAudioAt < (this.#o.falseStartMs ?? FALSE_START_MS)
    );
  }

  /** she answered a pause: nothing of that answer is kept and nothing resumed; the words wait for the rest */
  #keepNothingOfReply(): void {
    this.#falseStart = true;
    this.#resume = { kind: 'none' };
  }

  /** The caller started speaking (VAD); true when that was a barge-in. */
  speechStarted(): boolean {
    this.#policy.onUserSpeechStart();
    this.#callerSpeaking = true;
    // the caller goes on: a held turn waits for their words (bounded, should no final ever come)
    if (this.#hold) this.#holdTurn(MAX_HOLD_MS);
    if (this.#machine.state !== 'SPEAKING') return false;
    if (this.#inFalseStartWindow()) {
      // she answered a pause: cut at once
      this.#keepNothingOfReply();
      this.#dispatch({ type: 'barge_in' });
      return true;
    }
    this.#resume = { kind: 'interrupted', unheard: undefined };
    this.#dispatch({ type: 'barge_in' });
    this.#policy.onBargeIn();
    return true;
  }

  speechEnded(): void {
    this.#policy.onUserSpeechEnd();
    this.#callerSpeaking = false;
    // the caller paused again with no new final yet: the held words are judged again (and held anew)
    if (this.#hold) this.#decide();
    if (this.#awaitingFinalSince !== undefined) {
      // the recogniser's final comes after the speech: the wait for it counts from there
      this.#awaitingFinalSince = this.now();
      this.#watch();
    }
  }

  interim(text: string): void {
    this.#speculation.onInterim(text);
    if (this.#resume.kind !== 'interrupted' || !text.trim() || isBackchannel(text)) return;
    // real words over a barge-in: the interruption was real; no resume while their final is on its way
    this.#policy.onRealInterim();
    this.#awaitingFinalSince = this.now();
    this.#watch();
  }

  /**
   * A final transcript. 'empty': nothing was said; 'backchannel': an "uh-huh" over her, she carries
   * on; 'words': words to answer (now, or once she is free, or together with the ones being answered).
   */
  finalTranscript(heard: string, eotProbability?: number): 'empty' | 'backchannel' | 'words' {
    // a final of no words (blank, or only the recogniser's noise markers) is never a turn
    const text = recognisedWords(heard);
    this.#speculation.onFinal();
    this.#eotProbability = eotProbability;
    const held = this.#awaitingFinalSince !== undefined;
    this.#awaitingFinalSince = undefined;
    const reply = this.#reply;
    // an "uh-huh" over her: after a barge-in, or whose final came once she had taken up her line again
    // (after a false start too: she answers the words waiting again, from the start, not the "okay")
    const overHer =
      this.#resume.kind === 'interrupted' ||
      this.#awaitContinuation ||
      (reply?.source === 'agent' && reply.line.kind === 'resume');
    if (!text || (overHer && isBackchannel(text))) {
      // the words an interim showed came to nothing after all: it was a false interruption
      if (held) {
        this.#policy.onNoWordsCame();
        this.#onPolicy({ type: 'resume' });
      }
      // after a false start, nothing more came: the words waiting are judged as they are
      if (this.#awaitContinuation) {
        this.#awaitContinuation = false;
        this.#decide();
      }
      this.#watch();
      return text ? 'backchannel' : 'empty';
    }
    this.#policy.onUserWords(text);
    this.#resume = { kind: 'none' };
    this.#awaitContinuation = false;
    this.#pending.push(text);
    this.#unansweredSince ??= this.now();
    if (this.#machine.state === 'LISTENING') this.#decide();
    else if (this.#machine.state === 'PROCESSING' && reply?.source === 'user') {
      // more words before her answer started: answer the whole thing instead
      this.#o.perform({ type: 'cancel_reply', turn: reply.turn });
    } else if (
      (this.#machine.state === 'PROCESSING' || this.#machine.state === 'SPEAKING') &&
      reply?.source === 'agent' &&
      reply.line.kind === 'resume'
    ) {
      // the words came after she took up her line again: they are answered now, and what she had not
      // said of the line stays unsaid (its end keeps what was heard, then the words are taken)
      if (this.#machine.state === 'SPEAKING') this.#o.perform({ type: 'stop_audio' });
      this.#o.perform({ type: 'cancel_reply', turn: reply.turn });
    }
    this.#watch();
    return 'words';
  }

  /** Words the caller typed on the keypad and ended with `#`: their turn is over, whatever the words say. */
  typed(text: string): void {
    if (this.finalTranscript(text) === 'words') this.#takeTurnNow();
  }

  /** Answers the words waiting, if she is free and the caller's turn is over (end-of-turn rule). */
  takeTurn(): void {
    this.#decide();
  }

  /** the end-of-turn rule: answer the words waiting now, or hold them for the rest of the turn */
  #decide(): void {
    if (this.#machine.state !== 'LISTENING' || !this.#pending.length) return;
    const text = this.#pending.join(' ');
    // an emergency is answered at once, however the words end
    if (this.#o.emergency?.match(text) !== undefined) return this.#takeTurnNow();
    if (this.#awaitContinuation) return this.#holdTurn(this.#callerSpeaking ? MAX_HOLD_MS : this.#eot.unfinishedHoldMs);
    // a number, a birth date or a spelling read out in groups: the pauses between groups are not the end
    if (this.#dictation && dictationVerdict(this.#dictation, text) === 'more')
      return this.#holdTurn(this.#callerSpeaking ? MAX_HOLD_MS : (this.#o.dictationHoldMs ?? DICTATION_HOLD_MS));
    const v = endOfTurn(text, this.#eotProbability, this.#eot);
    // The recogniser ended the utterance on a gap the caller has already talked through (a final comes
    // 150 ms after the voice stops; by then a caller who only drew breath is loud again): the words are
    // not all in. Held until the next final, or the VAD hears them stop; a caller quiet at the final, as
    // after every finished question, is answered at once.
    if (v.kind === 'complete' && this.#speculation.callerAudible) return this.#holdTurn(MAX_HOLD_MS);
    if (v.kind === 'complete') this.#takeTurnNow();
    // the VAD still hears the caller (their pause was too short for it, or they went on): the hold lasts
    // until they stop, and is judged again then
    else this.#holdTurn(this.#callerSpeaking ? MAX_HOLD_MS : v.holdMs);
  }

  #holdTurn(ms: number): void {
    this.#clearHold();
    this.#hold = this.#clock.setTimeout(() => {
      this.#hold = undefined;
      this.#awaitContinuation = false;
      this.#takeTurnNow();
    }, ms);
    this.#watch();
  }

  #clearHold(): void {
    if (this.#hold) this.#clock.clearTimeout(this.#hold);
    this.#hold = undefined;
  }

  /** Answers the words waiting now, if she is free. */
  #takeTurnNow(): void {
    this.#clearHold();
    this.#awaitContinuation = false;
    if (this.#machine.state !== 'LISTENING' || !this.#pending.length) return;
    const text = this.#pending.join(' ');
    this.#pending = [];
    this.#unansweredSince = undefined;
    const recover = this.#recoverNext;
    this.#recoverNext = false;
    const emergency = this.#o.emergency;
    const phrase = emergency?.match(text);
    if (emergency && phrase !== undefined) {
      // before the hand-over to a person and before any model: the fixed line first, then (on the phone) on call
      this.#next = { source: 'user', userText: text, recover, fixed: emergency.line };
      this.#dispatch({ type: 'turn_end', source: 'user' });
      this.#o.perform({ type: 'emergency', turn: this.#machine.turn, phrase });
      return;
    }
    if (this.#o.handOff?.(text)) {
      this.#o.perform({ type: 'handed_off', userText: text });
      this.#watch();
      return;
    }
    this.#next = { source: 'user', userText: text, recover };
    this.#dispatch({ type: 'turn_end', source: 'user' });
  }

  /** the first audio of reply `turn` reached her voice */
  replyAudio(turn: number): void {
    if (this.#reply?.turn !== turn) return;
    this.#recoveriesInARow = 0;
    this.#lastAudioAt = this.now();
    this.#replyAudioAt = this.now();
    this.#dispatch({ type: 'reply_audio' });
  }

  /** reply `turn` handed her voice another frame (she is not stalled) */
  replyProgress(turn: number): void {
    if (this.#reply?.turn === turn) this.#lastAudioAt = this.now();
  }

  /**
   * Reply `turn` is over. When it counts (it was not replaced before it spoke, nor abandoned), a
   * commit_reply effect says what is kept of it, before the state moves on.
   */
  replyEnded(turn: number, r: ReplyResult): ReplyVerdict {
    const job = this.#reply;
    if (!job || job.turn !== turn) return 'stale';
    this.#reply = undefined;
    this.#replyAudioAt = undefined;
    if (this.#falseStart) {
      this.#falseStart = false;
      if (job.source === 'user') {
        // a false start: neither her first words nor the caller's half-turn go into the history yet;
        // the caller's words are answered with the rest of their turn
        this.#pending.unshift(job.userText);
        this.#unansweredSince ??= this.now();
        this.#awaitContinuation = true;
        if (this.#machine.state === 'INTERRUPTED') this.#dispatch({ type: 'flushed' });
        else if (this.#machine.state === 'SPEAKING') this.#dispatch({ type: 'reply_done' });
        else if (this.#machine.state === 'PROCESSING')
          this.#dispatch({ type: 'reply_cancelled', reason: 'caller continued' });
        return 'superseded';
      }
    }
    if (job.source === 'user' && !r.audioStarted && r.aborted && this.#machine.state === 'PROCESSING') {
      // superseded before she spoke (the caller went on talking): answer everything together
      this.#pending.unshift(job.userText);
      this.#unansweredSince ??= this.now();
      this.#dispatch({ type: 'reply_cancelled', reason: 'caller continued' });
      return 'superseded';
    }
    const userText = job.source === 'user' ? job.userText : undefined;
    const keep = keepOfReply({
      userText,
      audioStarted: r.audioStarted,
      aborted: r.aborted,
      heard: r.heard ?? '',
      spoken: r.spoken ?? '',
      toolCalls: r.toolCalls ?? 0,
    });
    if (keep || job.source === 'user')
      this.#o.perform({ type: 'commit_reply', turn, keep, answered: job.source === 'user' });
    // what this reply asked for decides how the caller's next words are waited for
    if (keep || job.source === 'user') this.#dictation = dictationAsked(r.spoken || r.heard || '');
    if (r.aborted) {
      if (this.#resume.kind === 'interrupted') this.#resume = { kind: 'interrupted', unheard: r.unheard ?? '' };
      if (this.#machine.state === 'INTERRUPTED') this.#dispatch({ type: 'flushed' });
      // stopped without a barge-in: superseded just as its first frame went out, or cancelled unheard
      else if (this.#machine.state === 'SPEAKING') this.#dispatch({ type: 'reply_done' });
      else if (this.#machine.state === 'PROCESSING') this.#dispatch({ type: 'reply_cancelled', reason: 'stopped' });
      return 'ended';
    }
    this.#dispatch(r.audioStarted ? { type: 'reply_done' } : { type: 'reply_cancelled', reason: 'no audio' });
    if (job.source === 'agent' && job.line.kind === 'goodbye') {
      this.#byAgent = true;
      this.end('agent hung up');
    }
    return 'ended';
  }

  dispose(): void {
    this.#clearHold();
    this.#policy.dispose();
    this.#duck.settle();
    this.#unwatch();
  }

  #dispatch(event: ConversationEvent): boolean {
    const r = transition(this.#machine, event, this.now());
    if (r.rejected) return false;
    this.#machine = r.machine;
    for (const e of r.effects) {
      switch (e.type) {
        case 'state_changed': {
          const change: StateChange = { from: e.from, to: e.to, atMs: e.atMs, turn: e.turn };
          this.#history.push(change);
          if (this.#history.length > HISTORY) this.#history.shift();
          this.#o.perform({ type: 'state_changed', ...change });
          this.#policy.onState(e.to, e.from === 'SPEAKING' && e.to === 'LISTENING');
          if (e.from === 'SPEAKING') this.#duck.settle();
          if (e.to === 'LISTENING' && this.#pending.length) this.#o.perform({ type: 'take_turn_soon' });
          this.#watch();
          break;
        }
        case 'start_reply': {
          const next = this.#next;
          this.#next = undefined;
          // only turn_end starts one, and it sets #next
          if (!next) throw new Error('a reply started with nothing to say');
          this.#reply = next.source === 'agent' ? { turn: e.turn, ...next } : { turn: e.turn, ...next };
          this.#o.perform({ type: 'start_reply', job: this.#reply });
          break;
        }
        case 'end_call':
          this.dispose();
          this.#o.perform({ type: 'end_call', reason: e.reason, byAgent: this.#byAgent });
          break;
        default:
          this.#o.perform(e);
      }
    }
    return true;
  }

  #onPolicy(a: PolicyAction): void {
    if (this.#machine.state !== 'LISTENING') return;
    switch (a.type) {
      case 'resume': {
        const text = this.#resume.kind === 'interrupted' ? this.#resume.unheard : undefined;
        this.#resume = { kind: 'none' };
        if (text) this.say({ kind: 'resume', text });
        break;
      }
      case 'silence_prompt':
        this.say({ kind: 'prompt', text: silencePrompt(this.#o.lines, a.count) });
        break;
      case 'goodbye':
        this.say({ kind: 'goodbye', text: this.#o.lines.goodbye });
        break;
    }
  }

  #watched() {
    const m = this.#machine;
    // words count as unanswered from when she was free to answer them
    // words the end-of-turn rule holds are waited for on purpose: its own timer answers them
    const since =
      m.state === 'LISTENING' && this.#pending.length && this.#unansweredSince !== undefined && !this.#hold
        ? Math.max(this.#unansweredSince, m.enteredAtMs)
        : undefined;
    const awaitingFinalSinceMs =
      m.state === 'LISTENING' && !this.#pending.length && this.#awaitingFinalSince !== undefined
        ? Math.max(this.#awaitingFinalSince, m.enteredAtMs)
        : undefined;
    return {
      state: m.state,
      enteredAtMs: m.enteredAtMs,
      unansweredSinceMs: since,
      awaitingFinalSinceMs,
      lastAudioMs: this.#lastAudioAt,
    };
  }

  #unwatch(): void {
    if (this.#watchTimer) this.#clock.clearTimeout(this.#watchTimer);
    this.#watchTimer = undefined;
  }

  #watch(): void {
    this.#unwatch();
    const at = nextCheckAt(this.#watched(), this.#limits);
    if (at === undefined) return;
    this.#watchTimer = this.#clock.setTimeout(() => {
      this.#watchTimer = undefined;
      this.#check();
    }, at - this.now());
  }

  #check(): void {
    const stuck = stuckAt(this.#watched(), this.now(), this.#limits);
    if (!stuck) return this.#watch();
    const job = this.#reply;
    const recovery = recoveryFor(
      stuck,
      {
        userText: job?.source === 'user' ? job.userText : undefined,
        wasRecovery: job?.source === 'user' && job.recover,
        recoveriesInARow: this.#recoveriesInARow,
      },
      this.#limits,
    );
    this.#watchdogCount++;
    this.#recoveriesInARow++;
    this.#o.perform({
      type: 'watchdog',
      stuck,
      recovery: recovery.kind,
      count: this.#watchdogCount,
      turn: this.#machine.turn,
      history: [...this.#history],
    });
    // whatever is stuck is abandoned first: its end, if it ever comes, is stale
    const state = this.#machine.state;
    if (state === 'PROCESSING' || state === 'SPEAKING' || state === 'INTERRUPTED') {
      this.#reply = undefined;
      this.#o.perform({ type: 'stop_audio' });
      if (job) this.#o.perform({ type: 'cancel_reply', turn: job.turn });
      this.#dispatch(
        state === 'PROCESSING'
          ? { type: 'reply_cancelled', reason: 'watchdog' }
          : state === 'SPEAKING'
            ? { type: 'reply_done' }
            : { type: 'flushed' },
      );
    }
    switch (recovery.kind) {
      case 'answer_fallback':
        this.#pending.unshift(recovery.userText);
        this.#recoverNext = true;
        this.#takeTurnNow();
        break;
      case 'ask_again':
        this.#awaitingFinalSince = undefined;
        if (this.#pending.length) this.#takeTurnNow();
        else this.say({ kind: 'recovery', text: ASK_AGAIN_LINE });
        break;
      case 'take_turn':
        this.#takeTurnNow();
        break;
      case 'flush':
        // the state has moved on; words waiting are taken by take_turn_soon, a resume by the policy
        break;
      case 'give_up':
        // stop watching these words (the next ones start a new count); the watchdog rests until something changes
        this.#unansweredSince = undefined;
        break;
    }
    this.#watch();
  }
}
