import { llm, stt, VADEventType, type tts, type VAD, type VADEvent } from '@livekit/agents';
import { RoomEvent, type AudioFrame, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import type { AgentLines } from '../core/agent-lines.ts';
import type { Clock } from '../core/clock.ts';
import type { EnginesInfo } from '../core/protocol.ts';
import type { ConversationState } from '../core/state-machine.ts';
import { TurnCore, type ReplyJob, type TurnEffect } from '../core/turn-core.ts';
import type { TurnPolicyOptions } from '../core/turn-policy.ts';
import type { WatchdogLimits } from '../core/watchdog.ts';
import { computeTurnMetrics, type TurnMarks, type TurnMetrics } from '../core/turn-metrics.ts';
import { AudioOut } from './audio-out.ts';
import { CallerAudio } from './caller-audio.ts';
import { callCounters } from './counters.ts';
import { Speculation } from './speculation.ts';
import type { Logger } from './logger.ts';
import { RoomPublisher } from './publisher.ts';
import { runReply, type AgentLine, type ReplyOutcome } from './reply-turn.ts';
import type { ReplyTools } from './reply.ts';
import { CallerAddressBook, ReplyHumanizer } from '../core/humanizer/index.ts';
import type { CallSummary, SummaryItem } from '../core/call-summary.ts';
import type { CallRecorder, CallStart } from '../records/types.ts';

export interface EngineTrio {
  stt: stt.STT;
  llm: llm.LLM;
  tts: tts.TTS;
  info: EnginesInfo;
}

export interface Engines extends EngineTrio {
  /** voice activity detection on the caller's audio: what makes barge-in instant */
  vad?: VAD;
  /** embedded engines to fall back on when a cloud one fails; absent when already offline */
  fallback?: EngineTrio;
}

export interface CallSessionOptions {
  callId: string;
  room: Room;
  caller: RemoteParticipant;
  engines: Engines;
  greeting: { text: string; audio?: AudioFrame[] };
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
  /** appointment tools the LLM may call (absent: she offers a callback instead of booking) */
  tools?: ReplyTools;
  /** writes the call, its turns, state changes and end as they happen */
  records?: {
    recorder: CallRecorder;
    tenant: string;
    channel: CallStart['channel'];
    callerPhoneMasked?: string;
  };
  /** the after-call summary from the conversation (the LLM's, or an extractive one) */
  summarize?(items: SummaryItem[], callerName: string | undefined): Promise<CallSummary>;
  /** true for a sentence of hers that must not be spoken (a leak of her instructions) */
  guard?(sentence: string): boolean;
  /**
   * A caller's turn that is not for the brain: true = taken care of elsewhere (on a phone line, "can I
   * speak to someone?" hands the call to a person, who says her own line through say()).
   */
  handOff?(userText: string): boolean;
  /** every change of her conversation state (phone actions wait for her to finish a line) */
  onState?(to: ConversationState, from: ConversationState): void;
  /**
   * A call taken over after its job process died (core/recovery.ts): the conversation so far, the
   * turn index its records go on from, and the line she says instead of the greeting.
   */
  restore?: { history: ReadonlyArray<{ role: 'user' | 'assistant'; text: string }>; nextTurnIndex: number; line: string };
}

/**
 * One call: performs what the turn core (core/turn-core.ts: state machine, turn policy, duck,
 * speculation, supersede, resume, watchdog) decides, with the room, the caller's audio, the engines
 * and her voice. The turn decisions live in the core; this class feeds it events and carries out its
 * effects. (What a finished reply leaves in the history and the records is still decided here, in
 * #commitReply, which the core calls at the right moment.)
 */
export class CallSession {
  readonly #core: TurnCore;
  readonly #out: AudioOut;
  readonly #pub: RoomPublisher;
  readonly #listener: CallerAudio;
  readonly #speculation: Speculation;
  readonly #log: Logger;
  /** the conversation as the caller experienced it: only what she was heard saying */
  readonly #history = llm.ChatContext.empty();
  /** the reply being made, and how to cancel its LLM and TTS requests */
  #reply: { turn: number; abort: AbortController } | undefined;
  #marks: TurnMarks = {};
  #userSegment = 0;
  #usingFallbackStt = false;
  /** the caller's name once given, and when she last used it */
  readonly #names = new CallerAddressBook();
  /** the conversation with tool calls, for the summary */
  readonly #items: SummaryItem[] = [];
  #turnIndex = 0;
  /** the turn whose caller words are already recorded (at her first audio) */
  #callerRecordedTurn = -1;
  #endResolve!: (reason: string) => void;
  /** resolves with the reason once the call is over */
  readonly ended: Promise<string> = new Promise((r) => (this.#endResolve = r));

  constructor(private readonly o: CallSessionOptions) {
    this.#history.addMessage({ role: 'system', content: o.instructions });
    for (const h of o.restore?.history ?? []) {
      this.#history.addMessage({ role: h.role, content: h.text });
      this.#items.push(h); // the summary covers the whole call, not only this job's part
    }
    this.#turnIndex = o.restore?.nextTurnIndex ?? 0;
    this.#log = o.logger; // already carries callId and room
    this.#out = o.voice ?? new AudioOut(o.engines.tts.sampleRate);
    this.#pub = new RoomPublisher(o.room.localParticipant!, o.callId, this.#log);
    this.#speculation = new Speculation({
      llm: o.engines.llm,
      log: this.#log,
      tools: o.tools,
      chatFor: (userText) => {
        // exactly what the reply will send once the final transcript says the same words
        const chat = this.#history.copy();
        chat.addMessage({ role: 'user', content: userText });
        return chat;
      },
    });
    this.#core = new TurnCore({
      clock: o.clock,
      perform: (e) => this.#perform(e),
      lines: o.lines,
      ...(o.policy ? { policy: o.policy } : {}),
      ...(o.watchdog ? { watchdog: o.watchdog } : {}),
      speculate: this.#speculation.enabled,
      ...(o.handOff ? { handOff: o.handOff } : {}),
    });
    this.#listener = new CallerAudio(
      o.room,
      o.caller,
      o.engines.stt,
      o.engines.vad,
      {
        onSpeech: (ev) => this.#onSpeech(ev),
        onVad: (ev) => this.#onVad(ev),
        onLevel: (rms) => this.#core.level(rms, this.#out.paused),
        onSttFailure: (err) => this.#onSttFailure(err),
      },
      this.#log,
    );
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
    this.#recordStart();
    this.#core.start({ kind: 'greeting', text: this.#opening.text });
    this.#listener.start();
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

  #now(): number {
    return this.#core.now();
  }

  #perform(e: TurnEffect): void {
    switch (e.type) {
      case 'state_changed':
        this.#log.info({ from: e.from, to: e.to, atMs: Math.round(e.atMs), turn: e.turn }, 'state');
        this.#pub.state(e.to, e.from, e.atMs);
        this.o.records?.recorder.state(this.o.callId, { state: e.to, at: new Date().toISOString() });
        this.o.onState?.(e.to, e.from);
        break;
      case 'start_reply':
        if (e.job.source === 'user') this.#marks.turnEndMs = this.#now();
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
        this.#log.debug({}, 'ducked on a sound onset');
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
      case 'handed_off':
        this.#log.info({}, 'caller turn handed off');
        this.#history.addMessage({ role: 'user', content: e.userText });
        this.#recordTurn(e.userText, [], '', new Date().toISOString(), false);
        break;
      case 'watchdog': {
        const total = callCounters.watchdogRecoveries.inc();
        this.#log.error(
          {
            callId: this.o.callId,
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
        break;
      }
      case 'end_call':
        this.#log.info({ reason: e.reason }, 'call ended');
        this.#shutdown(e.reason, e.byAgent);
        break;
    }
  }

  #onVad(ev: VADEvent): void {
    if (ev.type === VADEventType.START_OF_SPEECH) this.#speechStarted(ev.speechDuration);
    else if (ev.type === VADEventType.END_OF_SPEECH) this.#speechEnded(ev.silenceDuration);
  }

  #speechStarted(speechMs: number): void {
    // marks for the utterance starting now; a reply already answering the previous one keeps its own
    if (this.#core.state !== 'LISTENING' || !this.#core.hasPendingWords) this.#marks = {};
    if (this.#core.speechStarted()) this.#log.info({ speechMs: Math.round(speechMs) }, 'barge-in');
  }

  /** silenceMs: how long the caller had already been quiet when this was detected */
  #speechEnded(silenceMs: number): void {
    // the same object the reply holds, so a final transcript that beat the VAD still gets its speech end
    this.#marks.speechEndMs = this.#now() - silenceMs;
    this.#core.speechEnded();
  }

  #onSpeech(ev: stt.SpeechEvent): void {
    switch (ev.type) {
      case stt.SpeechEventType.START_OF_SPEECH:
        // without a VAD the recogniser's own speech start is the barge-in signal (slower, but works)
        if (!this.o.engines.vad) this.#speechStarted(0);
        break;
      case stt.SpeechEventType.END_OF_SPEECH:
        if (!this.o.engines.vad) this.#speechEnded(0);
        break;
      case stt.SpeechEventType.INTERIM_TRANSCRIPT: {
        const text = ev.alternatives?.[0]?.text.trim();
        if (text) this.#pub.transcript('user', `u${this.#userSegment}`, text, false);
        if (text) this.#core.interim(text);
        break;
      }
      case stt.SpeechEventType.FINAL_TRANSCRIPT: {
        const text = ev.alternatives?.[0]?.text.trim() ?? '';
        if (text) {
          this.#pub.transcript('user', `u${this.#userSegment++}`, text, true);
          this.#log.info({ pii: { text } }, 'caller said');
        }
        const sttFinalMs = this.#now();
        // "uh-huh" over her (she carries on) or nothing said: not the end of a turn, no mark
        if (this.#core.finalTranscript(text) === 'words') this.#marks.sttFinalMs = sttFinalMs;
        break;
      }
      default:
        break;
    }
  }

  #onSttFailure(err: Error): stt.STT | undefined {
    const fb = this.o.engines.fallback;
    if (!fb || this.#usingFallbackStt) return undefined;
    this.#usingFallbackStt = true;
    this.#log.warn({ err: err.message, fallback: fb.info.stt }, 'speech recognition switched to the embedded engine');
    return fb.stt;
  }

  async #answer(job: ReplyJob): Promise<void> {
    const turn = job.turn;
    const abort = new AbortController();
    const reply = { turn, abort };
    // one reply at a time: whatever an earlier one still has in flight (LLM, TTS) ends now
    this.#reply?.abort.abort();
    this.#reply = reply;
    const line: AgentLine | undefined =
      job.source === 'agent' ? { ...job.line, ...(job.line.kind === 'greeting' && this.#opening.audio ? { audio: this.#opening.audio } : {}) } : undefined;
    const userText = job.source === 'user' ? job.userText : undefined;
    const marks = job.source === 'user' ? this.#marks : {};
    let audioStarted = false;
    let outcome: ReplyOutcome | undefined;
    if (userText) this.#names.heard(userText, turn);
    let humanizer: ReplyHumanizer | undefined;
    const startedAt = new Date().toISOString();
    try {
      outcome = await runReply({
        turn,
        line,
        userText,
        recover: job.source === 'user' && job.recover,
        history: this.#history,
        engines: this.o.engines,
        lines: this.o.lines,
        out: this.#out,
        signal: abort.signal,
        log: this.#log,
        mark: (k) => (marks[k] ??= this.#now()),
        onFirstAudio: () => {
          audioStarted = true;
          // the caller's words are stored as she starts answering them: a crash mid-answer keeps them
          if (userText) this.#recordCallerTurn(turn, userText, startedAt);
          marks.ttsFirstAudioMs ??= this.#now();
          marks.firstAudioOutMs ??= this.#now();
          this.#core.replyAudio(turn);
        },
        onText: (text) => this.#pub.transcript('agent', `a${turn}`, text, false),
        onFrame: () => this.#core.replyProgress(turn),
        ...(this.o.tools ? { tools: this.o.tools } : {}),
        // every reply is shaped for the voice: numbers as words, short sentences, the caller's name
        shaper: (kind) => {
          const h = new ReplyHumanizer({
            kind,
            seed: turn,
            ...(kind === 'answer' ? this.#names.forAnswer(turn) : {}),
            ...(kind === 'answer' && this.o.guard ? { guard: this.o.guard } : {}),
          });
          if (kind === 'answer') humanizer = h;
          return h;
        },
      });
    } catch (err) {
      this.#log.error({ err, turn }, 'reply failed');
    } finally {
      if (this.#reply === reply) this.#reply = undefined;
    }
    this.#names.replied(turn, humanizer?.usedName ?? false);
    const aborted = abort.signal.aborted;
    const verdict = this.#core.replyEnded(turn, { audioStarted, aborted, unheard: outcome?.unheard }, () =>
      this.#commitReply(turn, job, marks, audioStarted, aborted, outcome, startedAt),
    );
    if (verdict === 'stale') this.#log.warn({ turn }, 'a reply ended after it was abandoned; nothing of it is kept');
  }

  /** What the caller heard goes into the history and the records; the turn's metrics are published. */
  #commitReply(turn: number, job: ReplyJob, marks: TurnMarks, audioStarted: boolean, aborted: boolean, outcome: ReplyOutcome | undefined, startedAt: string): void {
    const userText = job.source === 'user' ? job.userText : undefined;
    const toolItems = outcome?.toolItems ?? [];
    if (audioStarted || toolItems.length > 0) {
      // a tool that ran (a booking made) stays in the history even if she was cut off before speaking
      if (userText) this.#history.addMessage({ role: 'user', content: userText });
      if (toolItems.length > 0) this.#history.insert(toolItems.map(restamp));
      if (audioStarted && outcome?.heard) this.#history.addMessage({ role: 'assistant', content: outcome.heard });
      if (audioStarted) this.#pub.transcript('agent', `a${turn}`, outcome?.heard || outcome?.spoken || '', true);
      this.#recordTurn(this.#callerRecordedTurn === turn ? undefined : userText, toolItems, audioStarted ? (outcome?.heard ?? '') : '', startedAt, aborted);
    }
    if (job.source === 'user') {
      const metrics = {
        ...computeTurnMetrics(turn, marks, outcome?.engines ?? { llm: this.o.engines.info.llm, tts: this.o.engines.info.tts }),
        watchdogRecoveries: this.#core.watchdogCount,
      };
      this.#log.info({ metrics }, 'turn metrics');
      this.#log.debug({ marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, Math.round(v)])) }, 'turn marks');
      this.#pub.metrics(metrics);
      this.o.onMetrics?.(metrics);
    }
  }

  #shutdown(reason: string, byAgent: boolean): void {
    this.o.room.off(RoomEvent.ParticipantDisconnected, this.#onLeave);
    this.o.room.off(RoomEvent.Disconnected, this.#onDisconnected);
    this.#core.dispose();
    this.#listener.close();
    this.#speculation.close();
    void this.#out.close().catch((err: unknown) => this.#log.warn({ err }, 'closing audio output failed'));
    // the call's record is finished before the job (and with it this process) goes
    const records = this.#recordEnd(reason);
    if (!byAgent) {
      void records.then(() => records)
      .finally(() => this.#endResolve(reason));
      return;
    }
    // she ends the call: close the room for everyone before the job (and with it this process) goes
    this.o
      .hangUp()
      .catch((err: unknown) => this.#log.warn({ err }, 'hanging up failed'))
      .then(() => records)
      .finally(() => this.#endResolve(reason));
  }

  #recordStart(): void {
    const r = this.o.records;
    if (!r) return;
    const info = this.o.engines.info;
    r.recorder.start({
      callId: this.o.callId,
      tenant: r.tenant,
      room: this.o.room.name ?? '',
      channel: r.channel,
      callerIdentity: this.o.caller.identity,
      ...(r.callerPhoneMasked ? { callerPhoneMasked: r.callerPhoneMasked } : {}),
      startedAt: new Date().toISOString(),
      engines: { stt: info.stt, llm: info.llm, tts: info.tts, mode: info.offline ? 'offline' : 'cloud' },
    });
  }

  #recordCallerTurn(turn: number, text: string, at: string): void {
    this.#callerRecordedTurn = turn;
    this.#items.push({ role: 'user', text });
    this.o.records?.recorder.turn(this.o.callId, { index: this.#turnIndex++, speaker: 'caller', text, startedAt: at, endedAt: at, interrupted: false });
  }

  #recordTurn(userText: string | undefined, toolItems: ReplyOutcome['toolItems'], heard: string, startedAt: string, interrupted: boolean): void {
    if (userText) this.#items.push({ role: 'user', text: userText });
    this.#items.push(...toolResults(toolItems));
    if (heard) this.#items.push({ role: 'assistant', text: heard });
    const r = this.o.records;
    if (!r) return;
    const endedAt = new Date().toISOString();
    if (userText) r.recorder.turn(this.o.callId, { index: this.#turnIndex++, speaker: 'caller', text: userText, startedAt, endedAt: startedAt, interrupted: false });
    if (heard) r.recorder.turn(this.o.callId, { index: this.#turnIndex++, speaker: 'agent', text: heard, startedAt, endedAt, interrupted });
  }

  async #recordEnd(reason: string): Promise<void> {
    const r = this.o.records;
    if (!r && !this.o.summarize) return;
    let summary: CallSummary | undefined;
    try {
      summary = await this.o.summarize?.(this.#items, this.#names.name?.full);
    } catch (err) {
      this.#log.warn({ err }, 'call summary failed');
    }
    if (summary) this.#log.info({ outcome: summary.outcome, pii: { summary: summary.summary } }, 'call summary');
    if (!r) return;
    const spoke = this.#items.some((i) => i.role === 'user');
    r.recorder.end(this.o.callId, {
      endedAt: new Date().toISOString(),
      status: spoke ? 'completed' : 'abandoned',
      ...(summary ? { outcome: summary.outcome, summary: summary.summary } : {}),
    });
    void reason;
    const left = await r.recorder.flush(5000);
    if (left > 0) this.#log.error({ undelivered: left }, 'call records left undelivered');
  }
}

/** A tool item copied with a fresh timestamp, so the history keeps it after the caller's words. */
function restamp(item: llm.FunctionCall | llm.FunctionCallOutput): llm.FunctionCall | llm.FunctionCallOutput {
  const createdAt = Date.now();
  return item.type === 'function_call'
    ? llm.FunctionCall.create({ callId: item.callId, name: item.name, args: item.args, createdAt })
    : llm.FunctionCallOutput.create({ callId: item.callId, name: item.name, output: item.output, isError: item.isError, createdAt });
}

/** Tool calls paired with their parsed results, for the summary. */
function toolResults(items: ReadonlyArray<llm.FunctionCall | llm.FunctionCallOutput>): SummaryItem[] {
  const out: SummaryItem[] = [];
  const calls = new Map<string, llm.FunctionCall>();
  for (const i of items) {
    if (i.type === 'function_call') calls.set(i.callId, i);
    else {
      const c = calls.get(i.callId);
      if (!c) continue;
      try {
        out.push({ role: 'tool', name: c.name, args: JSON.parse(c.args || '{}') as Record<string, unknown>, result: JSON.parse(i.output) });
      } catch {
        // an output that isn't JSON is not one of the appointment tools
      }
    }
  }
  return out;
}
