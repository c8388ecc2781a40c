import { RoomEvent, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import type { AgentLines } from '../core/agent-lines.ts';
import type { Clock } from '../core/clock.ts';
import type { EmergencyRule } from '../core/emergency.ts';
import { recordsFlushMs } from '../core/records-flush.ts';
import type { DictationKind } from '../core/dictation.ts';
import type { ConversationState } from '../core/state-machine.ts';
import type { ReplyKeep } from '../core/reply-commit.ts';
import type { FarEndPlayout } from '../core/phone/far-end-playout.ts';
import { TurnCore, type ReplyJob, type TurnEffect } from '../core/turn-core.ts';
import type { TurnPolicyOptions } from '../core/turn-policy.ts';
import type { WatchdogLimits } from '../core/watchdog.ts';
import type { TurnMetrics } from '../core/turn-metrics.ts';
import { TurnMarksBook } from '../core/turn-marks-book.ts';
import type { CallMetric } from '../core/call-metrics.ts';
import type { Engines } from '../engines/types.ts';
import { AudioOut } from './audio-out.ts';
import { reportTurn, reportWatchdog } from './call-reports.ts';
import { CallRecords, type RecordsTarget } from './call-records.ts';
import { CallerAudio, type CallerAudioHandlers } from './caller-audio.ts';
import { CallerEvents } from './caller-events.ts';
import { Conversation } from './conversation.ts';
import { farEndHeard } from './far-end-heard.ts';
import { Speculation } from './speculation.ts';
import type { Logger } from './logger.ts';
import { RoomPublisher } from './publisher.ts';
import { runReply, type AgentLine, type ReplyContext, type ReplyOutcome } from './reply-turn.ts';
import { ReplyShaping } from './reply-shaping.ts';
import type { ReplyTools } from './llm-text.ts';
import { sttSwitch } from './stt-switch.ts';
import type { CallSummary, SummaryItem } from '../core/call-summary.ts';

export interface CallSessionOptions {
  callId: string;
  room: Room;
  caller: RemoteParticipant;
  engines: Engines;
  greeting: { text: string; audio?: AgentLine['audio'] };
  /** her voice, already published before the caller arrived (absent: published by start()) */
  voice?: AudioOut;
  lines: AgentLines;
  /** system prompt for a cloud LLM (the offline brain ignores it) */
  instructions: string;
  clock: Clock;
  logger: Logger;
  policy?: Partial<TurnPolicyOptions>;
  /** when the watchdog calls her stuck (tests shorten it) */
  watchdog?: Partial<WatchdogLimits>;
  /** ends the call for everyone (the agent hangs up) */
  hangUp(): Promise<void>;
  onMetrics?(m: TurnMetrics): void;
  /** barge-ins, provider errors and fallbacks, watchdog recoveries, for the worker's Prometheus metrics */
  onCallMetric?(m: CallMetric): void;
  /** appointment tools the LLM may call (absent: she offers a callback instead of booking) */
  tools?: ReplyTools;
  /** writes the call, its turns, state changes and end as they happen */
  records?: RecordsTarget;
  /** the after-call summary from the conversation (the LLM's, or an extractive one) */
  summarize?(items: SummaryItem[], callerName: string | undefined): Promise<CallSummary>;
  /** true for a sentence of hers that must not be spoken (a leak of her instructions) */
  guard?(sentence: string): boolean;
  /**
   * A caller's turn that is not for the brain: true = taken care of elsewhere (on a phone line, "can I
   * speak to someone?" hands the call to a person, who says her own line through say()).
   */
  handOff?(userText: string): boolean;
  /** words that name an emergency get its fixed line before any model (core/emergency.ts) */
  emergency?: EmergencyRule;
  /** an emergency was heard and reply `turn` says the line (on the phone: the on-call transfer follows) */
  onEmergency?(phrase: string, turn: number): void;
  /** every change of her conversation state (phone actions wait for her to finish a line) */
  onState?(to: ConversationState, from: ConversationState): void;
  /**
   * A call taken over after its job process died (core/recovery.ts): the conversation so far, the
   * turn index its records go on from, and the line she says instead of the greeting.
   */
  restore?: {
    history: ReadonlyArray<{ role: 'user' | 'assistant'; text: string }>;
    nextTurnIndex: number;
    line: string;
  };
  /**
   * her voice reaches the caller through a far end that buffers it (a Twilio Media Stream): what was
   * heard of a reply a barge-in stopped comes from its playout reports (core/phone/far-end-playout.ts)
   */
  farEnd?: FarEndPlayout;
  /** how she hears the caller (default: CallerAudio on the room; tests feed events by hand) */
  listen?(handlers: CallerAudioHandlers): Listener;
}

/** what the session needs of whatever hears the caller */
export interface Listener {
  start(): void;
  close(): void;
}

/** the reply being made: how to cancel its LLM and TTS requests, and (once over) what it produced */
interface ActiveReply {
  turn: number;
  abort: AbortController;
  startedAt: string;
  /** a frame of it reached her voice */
  audioStarted: boolean;
  outcome?: ReplyOutcome | undefined;
}

/**
 * One call: performs what the turn core (core/turn-core.ts: state machine, turn policy, duck,
 * speculation, supersede, resume, watchdog, what a finished reply keeps) decides, with the room, the
 * caller's audio, the engines and her voice. This class feeds the core events and carries out its
 * effects; the history lives in conversation.ts, the records and summary in call-records.ts.
 */
export class CallSession {
  readonly #core: TurnCore;
  readonly #out: AudioOut;
  readonly #pub: RoomPublisher;
  readonly #listener: Listener;
  readonly #speculation: Speculation;
  readonly #log: Logger;
  readonly #conversation: Conversation;
  readonly #records: CallRecords;
  readonly #replyContext: ReplyContext;
  #reply: ActiveReply | undefined;
  readonly #marks: TurnMarksBook;
  readonly #caller: CallerEvents;
  readonly #shaping: ReplyShaping;
  #endResolve!: (reason: string) => void;
  /** resolves with the reason once the call is over */
  readonly ended: Promise<string> = new Promise((r) => (this.#endResolve = r));

  constructor(private readonly o: CallSessionOptions) {
    this.#log = o.logger; // already carries callId and room
    this.#conversation = new Conversation(o.instructions, o.clock, o.restore?.history);
    this.#records = new CallRecords({
      callId: o.callId,
      clock: o.clock,
      log: this.#log,
      records: o.records,
      summarize: o.summarize,
      restore: o.restore,
    });
    this.#out = o.voice ?? new AudioOut(o.engines.tts.sampleRate);
    this.#shaping = new ReplyShaping(o.guard);
    this.#pub = new RoomPublisher(o.room.localParticipant!, o.callId, this.#log);
    this.#replyContext = {
      chat: this.#conversation,
      engines: o.engines,
      lines: o.lines,
      out: this.#out,
      log: this.#log,
      tools: o.tools,
      ...(o.onCallMetric ? { onCallMetric: o.onCallMetric } : {}),
      ...(o.farEnd ? { heardOf: farEndHeard(o.farEnd, this.#log) } : {}),
    };
    this.#speculation = new Speculation({
      prefetcher: o.engines.prefetch,
      log: this.#log,
      tools: o.tools,
      // exactly what the reply will send once the final transcript says the same words
      chatFor: (userText) => this.#conversation.chatFor(userText),
    });
    this.#core = new TurnCore({
      clock: o.clock,
      perform: (e) => this.#perform(e),
      lines: o.lines,
      ...(o.policy ? { policy: o.policy } : {}),
      ...(o.watchdog ? { watchdog: o.watchdog } : {}),
      speculate: o.engines.prefetch !== undefined,
      ...(o.handOff ? { handOff: o.handOff } : {}),
      ...(o.emergency ? { emergency: o.emergency } : {}),
    });
    this.#marks = new TurnMarksBook(() => this.#core.now());
    this.#caller = new CallerEvents({
      core: this.#core,
      marks: this.#marks,
      pub: this.#pub,
      log: this.#log,
      vad: o.engines.vad !== undefined,
      outputPaused: () => this.#out.paused,
      onSttFailure: sttSwitch(o.engines, this.#log, o.onCallMetric),
      ...(o.onCallMetric ? { onCallMetric: o.onCallMetric } : {}),
    });
    const handlers: CallerAudioHandlers = this.#caller;
    this.#listener = o.listen
      ? o.listen(handlers)
      : new CallerAudio(o.room, o.caller, o.engines.stt, o.engines.vad, handlers, this.#log);
  }

  get state(): ConversationState {
    return this.#core.state;
  }

  /** how often the watchdog had to unstick this call */
  get watchdogRecoveries(): number {
    return this.#core.watchdogCount;
  }

  async start(): Promise<void> {
    if (!this.o.voice) await this.#out.publish(this.o.room.localParticipant!);
    this.#pub.engines(this.o.engines.info);
    this.o.room.on(RoomEvent.ParticipantDisconnected, this.#onLeave);
    this.o.room.on(RoomEvent.Disconnected, this.#onDisconnected);
    this.#records.start({
      room: this.o.room.name ?? '',
      callerIdentity: this.o.caller.identity,
      engines: this.o.engines.info,
    });
    this.#core.start({ kind: 'greeting', text: this.#opening.text });
    this.#listener.start();
  }

  /** what she is collecting now (core/dictation.ts): a phone's keypad digits are an answer then */
  get dictating(): DictationKind | undefined {
    return this.#core.dictating;
  }

  /** The caller typed `text` on the keypad and ended it with `#`: their answer, as if said. */
  typed(text: string): void {
    this.#caller.typed(text);
  }

  /** She says `text` by herself, as she does a silence prompt (a phone action: "connecting you now"). */
  say(text: string): void {
    this.#core.say({ kind: 'prompt', text });
  }

  end(reason: string): void {
    this.#core.end(reason);
  }

  readonly #onLeave = (p: RemoteParticipant) => {
    if (p.identity === this.o.caller.identity) this.end('caller left');
  };
  readonly #onDisconnected = () => this.end('room disconnected');

  /** her first line: the greeting, or after a crash the line that says she lost the caller */
  get #opening(): CallSessionOptions['greeting'] {
    return this.o.restore ? { text: this.o.restore.line } : this.o.greeting;
  }

  #perform(e: TurnEffect): void {
    switch (e.type) {
      case 'state_changed':
        this.#log.info({ from: e.from, to: e.to, atMs: Math.round(e.atMs), turn: e.turn }, 'state');
        this.#pub.state(e.to, e.from, e.atMs);
        this.o.farEnd?.stateChanged(e.from, e.to, e.atMs);
        this.#records.state(e.to);
        this.o.onState?.(e.to, e.from);
        break;
      case 'start_reply':
        this.#marks.replyStarted(e.job.turn, e.job.source);
        void this.#answer(e.job);
        break;
      case 'stop_audio':
        this.#out.stop(); // how much was heard stays with the stopped utterance's generation
        break;
      case 'cancel_reply':
        if (this.#reply?.turn === e.turn) this.#reply.abort.abort();
        break;
      case 'duck': {
        const generation = this.#out.pause();
        if (generation === undefined) break;
        this.#log.info({}, 'ducked on a sound onset');
        this.#core.ducked(generation);
        break;
      }
      case 'unduck':
        if (!this.#out.paused || this.#out.generation !== e.generation) break;
        this.#log.info({}, 'duck released: no speech followed the sound');
        void this.#out.resume(e.generation);
        break;
      case 'prefetch':
        this.#speculation.prefetch(e.userText);
        break;
      case 'take_turn_soon':
        // deferred: the core is inside an event, and the reply that just ended commits its history first
        queueMicrotask(() => this.#core.takeTurn());
        break;
      case 'commit_reply':
        this.#commit(e.turn, e.keep, e.answered);
        break;
      case 'handed_off':
        this.#log.info({}, 'caller turn handed off');
        this.#conversation.handedOff(e.userText);
        this.#records.handedOff(e.userText);
        break;
      case 'emergency':
        // the phrase, not the caller's words: the words are in the transcript, under pii in the logs
        this.#log.warn({ phrase: e.phrase, turn: e.turn }, 'emergency words; fixed line, no model');
        this.#records.flag('EMERGENCY', e.phrase);
        this.o.onEmergency?.(e.phrase, e.turn);
        break;
      case 'watchdog':
        reportWatchdog(e, this.o.callId, this.#log, this.o.onCallMetric);
        break;
      case 'end_call':
        this.#log.info({ reason: e.reason }, 'call ended');
        this.#shutdown(e.reason, e.byAgent);
        break;
    }
  }

  async #answer(job: ReplyJob): Promise<void> {
    const turn = job.turn;
    const userText = job.source === 'user' ? job.userText : undefined;
    const reply: ActiveReply = {
      turn,
      abort: new AbortController(),
      startedAt: this.#records.at(),
      audioStarted: false,
    };
    // one reply at a time: whatever an earlier one still has in flight (LLM, TTS) ends now
    this.#reply?.abort.abort();
    this.#reply = reply;
    const { abort } = reply;
    const line: AgentLine | undefined =
      job.source === 'agent'
        ? {
            ...job.line,
            ...(job.line.kind === 'greeting' && this.#opening.audio ? { audio: this.#opening.audio } : {}),
          }
        : undefined;
    this.#shaping.started(turn, userText);
    try {
      reply.outcome = await runReply(
        {
          turn,
          line,
          userText,
          recover: job.source === 'user' && job.recover,
          fixed: job.source === 'user' ? job.fixed : undefined,
          // every reply is shaped for the voice: numbers as words, short sentences, the caller's name
          shaper: this.#shaping.shaper(turn),
        },
        this.#replyContext,
        {
          mark: (k) => this.#marks.mark(turn, k),
          progress: (p) => {
            if (p === 'frame') return this.#core.replyProgress(turn);
            reply.audioStarted = true;
            // the caller's words are stored as she starts answering them: a crash mid-answer keeps them
            if (userText) this.#records.callerTurn(turn, userText, reply.startedAt);
            this.#marks.firstAudio(turn);
            this.#core.replyAudio(turn);
          },
          text: (text) => this.#pub.transcript('agent', `a${turn}`, text, false),
        },
        abort.signal,
      );
    } catch (err) {
      this.#log.error({ err, turn }, 'reply failed');
    }
    this.#shaping.ended(turn);
    const o = reply.outcome;
    // the core decides what is kept (commit_reply, performed by #commit while this reply is still current)
    const verdict = this.#core.replyEnded(turn, {
      audioStarted: reply.audioStarted,
      aborted: abort.signal.aborted,
      unheard: o?.unheard,
      heard: o?.heard,
      spoken: o?.spoken,
      toolCalls: o?.toolItems.length ?? 0,
    });
    if (this.#reply === reply) this.#reply = undefined;
    if (verdict === 'stale') this.#log.warn({ turn }, 'a reply ended after it was abandoned; nothing of it is kept');
  }

  /**
   * Performs commit_reply: what the core keeps of the reply goes into
   * the history, her screen and the records; its metrics are published.
   */
  #commit(turn: number, keep: ReplyKeep | undefined, answered: boolean): void {
    const reply = this.#reply;
    if (reply?.turn !== turn) return; // the core holds one reply at a time, the same one as here
    const toolItems = reply.outcome?.toolItems ?? [];
    if (keep) {
      this.#conversation.commit(keep, toolItems);
      if (keep.transcript !== undefined) this.#pub.transcript('agent', `a${turn}`, keep.transcript, true);
      this.#records.reply(turn, keep, toolItems, reply.startedAt);
    }
    if (!answered) return;
    reportTurn({
      turn,
      marks: this.#marks.of(turn) ?? {},
      engines: reply.outcome?.engines ?? { llm: this.o.engines.info.llm, tts: this.o.engines.info.tts },
      watchdogRecoveries: this.#core.watchdogCount,
      log: this.#log,
      pub: this.#pub,
      onMetrics: this.o.onMetrics,
    });
  }

  #shutdown(reason: string, byAgent: boolean): void {
    this.o.room.off(RoomEvent.ParticipantDisconnected, this.#onLeave);
    this.o.room.off(RoomEvent.Disconnected, this.#onDisconnected);
    this.#core.dispose();
    this.o.farEnd?.dispose();
    this.#listener.close();
    this.#speculation.close();
    void this.#out.close().catch((err: unknown) => this.#log.warn({ err }, 'closing audio output failed'));
    // the call's record is finished before the job (and with it this process) goes
    const records = this.#records.end(this.#shaping.callerName, recordsFlushMs(reason));
    if (!byAgent) {
      void records.finally(() => this.#endResolve(reason));
      return;
    }
    // she ends the call: close the room for everyone before the job (and with it this process) goes;
    // nothing awaits this chain, #endResolve is what the job waits on
    void this.o
      .hangUp()
      .catch((err: unknown) => this.#log.warn({ err }, 'hanging up failed'))
      .then(() => records)
      .finally(() => this.#endResolve(reason));
  }
}
