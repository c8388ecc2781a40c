import { llm, stt, VADEventType, type tts, type VAD, type VADEvent } from '@livekit/agents';
import { RoomEvent, type AudioFrame, type RemoteParticipant, type Room } from '@livekit/rtc-node';
import { silencePrompt, type AgentLines } from '../core/agent-lines.ts';
import type { Clock } from '../core/clock.ts';
import type { EnginesInfo } from '../core/protocol.ts';
import { initialMachine, transition, type ConversationEvent, type Effect, type Machine } from '../core/state-machine.ts';
import { isBackchannel, TurnPolicy, type PolicyAction, type TurnPolicyOptions } from '../core/turn-policy.ts';
import { computeTurnMetrics, type TurnMarks, type TurnMetrics } from '../core/turn-metrics.ts';
import { AudioOut } from './audio-out.ts';
import { CallerAudio } from './caller-audio.ts';
import { FastDuck } from './fast-duck.ts';
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
  lines: AgentLines;
  /** system prompt for a cloud LLM (the offline brain ignores it) */
  instructions: string;
  clock: Clock;
  logger: Logger;
  policy?: Partial<TurnPolicyOptions>;
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
  onState?(to: Machine['state'], from: Machine['state']): void;
}

/**
 * One call: owns the conversation state machine and performs its effects with the room, the
 * caller's audio, the engines and her voice. Decisions live in core/ (state machine, turn policy);
 * this class only wires events to them and carries out what they return.
 */
export class CallSession {
  #machine: Machine = initialMachine(0);
  readonly #startedAt: number;
  readonly #out: AudioOut;
  readonly #pub: RoomPublisher;
  readonly #listener: CallerAudio;
  readonly #policy: TurnPolicy;
  readonly #duck: FastDuck;
  readonly #speculation: Speculation;
  readonly #log: Logger;
  /** the conversation as the caller experienced it: only what she was heard saying */
  readonly #history = llm.ChatContext.empty();
  /** caller words recognised but not yet answered */
  #pendingUser: string[] = [];
  /** the caller text of the turn being answered (committed to history once she speaks) */
  #turnUserText: string | undefined;
  #nextAgentLine: AgentLine | undefined;
  #reply: { turn: number; abort: AbortController; playedMsAtStop?: number } | undefined;
  /** what was cut off by the last barge-in, to pick up again after a false interruption */
  #resumeText: string | undefined;
  #marks: TurnMarks = {};
  #userSegment = 0;
  #usingFallbackStt = false;
  #hangingUp = false;
  /** the caller's name once given, and when she last used it */
  readonly #names = new CallerAddressBook();
  /** the conversation with tool calls, for the summary */
  readonly #items: SummaryItem[] = [];
  #turnIndex = 0;
  #endResolve!: (reason: string) => void;
  /** resolves with the reason once the call is over */
  readonly ended: Promise<string> = new Promise((r) => (this.#endResolve = r));

  constructor(private readonly o: CallSessionOptions) {
    this.#startedAt = o.clock.now();
    this.#history.addMessage({ role: 'system', content: o.instructions });
    this.#log = o.logger; // already carries callId and room
    this.#out = new AudioOut(o.engines.tts.sampleRate);
    this.#pub = new RoomPublisher(o.room.localParticipant!, o.callId, this.#log);
    this.#policy = new TurnPolicy(o.clock, (a) => this.#onPolicy(a), o.policy);
    this.#duck = new FastDuck({ clock: o.clock, out: this.#out, isSpeaking: () => this.#machine.state === 'SPEAKING', log: this.#log });
    this.#speculation = new Speculation({
      llm: o.engines.llm,
      log: this.#log,
      tools: o.tools,
      listening: () => this.#machine.state === 'LISTENING',
      chatFor: (text) => {
        // exactly what the reply will send once the final transcript says the same words
        const chat = this.#history.copy();
        chat.addMessage({ role: 'user', content: [...this.#pendingUser, text].join(' ') });
        return chat;
      },
    });
    this.#listener = new CallerAudio(
      o.room,
      o.caller,
      o.engines.stt,
      o.engines.vad,
      {
        onSpeech: (ev) => this.#onSpeech(ev),
        onVad: (ev) => this.#onVad(ev),
        onLevel: (rms) => {
          this.#duck.onLevel(rms);
          this.#speculation.onLevel(rms);
        },
        onSttFailure: (err) => this.#onSttFailure(err),
      },
      this.#log,
    );
  }

  get state(): Machine['state'] {
    return this.#machine.state;
  }

  async start(): Promise<void> {
    await this.#out.publish(this.o.room.localParticipant!);
    this.#pub.engines(this.o.engines.info);
    this.o.room.on(RoomEvent.ParticipantDisconnected, this.#onLeave);
    this.o.room.on(RoomEvent.Disconnected, this.#onDisconnected);
    this.#recordStart();
    this.#dispatch({ type: 'call_start' });
    this.#listener.start();
    this.#say({ kind: 'greeting', ...this.o.greeting });
  }

  /** She says `text` by herself, as she does a silence prompt (a phone action: "connecting you now"). */
  say(text: string): void {
    this.#say({ kind: 'prompt', text });
  }

  end(reason: string): void {
    if (this.#machine.state === 'IDLE') return;
    this.#dispatch({ type: 'call_end', reason });
  }

  readonly #onLeave = (p: RemoteParticipant) => {
    if (p.identity === this.o.caller.identity) this.end('caller left');
  };
  readonly #onDisconnected = () => this.end('room disconnected');

  #now(): number {
    return this.o.clock.now() - this.#startedAt;
  }

  #dispatch(event: ConversationEvent): void {
    const r = transition(this.#machine, event, this.#now());
    if (r.rejected) {
      this.#log.debug({ event: event.type, state: this.#machine.state }, 'event ignored in this state');
      return;
    }
    this.#machine = r.machine;
    for (const effect of r.effects) this.#perform(effect);
  }

  #perform(e: Effect): void {
    switch (e.type) {
      case 'state_changed':
        this.#log.info({ from: e.from, to: e.to, atMs: Math.round(e.atMs), turn: e.turn }, 'state');
        this.#pub.state(e.to, e.from, e.atMs);
        this.o.records?.recorder.state(this.o.callId, { state: e.to, at: new Date().toISOString() });
        this.o.onState?.(e.to, e.from);
        this.#policy.onState(e.to, e.from === 'SPEAKING' && e.to === 'LISTENING');
        if (e.from === 'SPEAKING') this.#duck.settle();
        if (e.to === 'LISTENING' && this.#pendingUser.length) {
          // words that arrived while she was busy: answer them now (deferred: we are inside a dispatch)
          queueMicrotask(() => this.#takeUserTurn());
        }
        break;
      case 'start_reply':
        void this.#answer(e.turn, e.source);
        break;
      case 'stop_audio':
        if (this.#reply) this.#reply.playedMsAtStop = this.#out.stop();
        else this.#out.stop();
        break;
      case 'cancel_reply':
        this.#reply?.abort.abort();
        break;
      case 'end_call':
        this.#log.info({ reason: e.reason }, 'call ended');
        this.#shutdown(e.reason);
        break;
    }
  }

  #onVad(ev: VADEvent): void {
    if (ev.type === VADEventType.START_OF_SPEECH) this.#speechStarted(ev.speechDuration);
    else if (ev.type === VADEventType.END_OF_SPEECH) this.#speechEnded(ev.silenceDuration);
  }

  #speechStarted(speechMs: number): void {
    // marks for the utterance starting now; a reply already answering the previous one keeps its own
    if (this.#machine.state !== 'LISTENING' || !this.#pendingUser.length) this.#marks = {};
    this.#policy.onUserSpeechStart();
    if (this.#machine.state === 'SPEAKING') {
      this.#log.info({ speechMs: Math.round(speechMs) }, 'barge-in');
      this.#resumeText = ''; // filled with what she did not get to say once the reply has stopped
      this.#dispatch({ type: 'barge_in' });
      this.#policy.onBargeIn();
    }
  }

  /** silenceMs: how long the caller had already been quiet when this was detected */
  #speechEnded(silenceMs: number): void {
    // the same object the reply holds, so a final transcript that beat the VAD still gets its speech end
    this.#marks.speechEndMs = this.#now() - silenceMs;
    this.#policy.onUserSpeechEnd();
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
        if (text) this.#speculation.onInterim(text);
        break;
      }
      case stt.SpeechEventType.FINAL_TRANSCRIPT: {
        const text = ev.alternatives?.[0]?.text.trim();
        this.#speculation.onFinal();
        if (!text) break; // noise or a cough: nothing was said
        this.#pub.transcript('user', `u${this.#userSegment++}`, text, true);
        this.#log.info({ pii: { text } }, 'caller said');
        if (this.#resumeText !== undefined && isBackchannel(text)) break; // "uh-huh" over her: she carries on
        this.#policy.onUserWords(text);
        this.#resumeText = undefined;
        this.#marks.sttFinalMs = this.#now();
        this.#pendingUser.push(text);
        if (this.#machine.state === 'LISTENING') this.#takeUserTurn();
        else if (this.#machine.state === 'PROCESSING' && this.#turnUserText !== undefined) {
          // more words before her answer started: answer the whole thing instead
          this.#reply?.abort.abort();
        }
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

  #onPolicy(a: PolicyAction): void {
    if (this.#machine.state !== 'LISTENING') return;
    switch (a.type) {
      case 'resume': {
        const text = this.#resumeText;
        this.#resumeText = undefined;
        if (text) this.#say({ kind: 'resume', text });
        break;
      }
      case 'silence_prompt':
        this.#say({ kind: 'prompt', text: silencePrompt(this.o.lines, a.count) });
        break;
      case 'goodbye':
        this.#say({ kind: 'goodbye', text: this.o.lines.goodbye });
        break;
    }
  }

  /** She takes the floor by herself. */
  #say(line: AgentLine): void {
    this.#nextAgentLine = line;
    this.#dispatch({ type: 'turn_end', source: 'agent' });
  }

  #takeUserTurn(): void {
    if (this.#machine.state !== 'LISTENING' || !this.#pendingUser.length) return;
    const text = this.#pendingUser.join(' ');
    this.#pendingUser = [];
    if (this.o.handOff?.(text)) {
      this.#log.info({}, 'caller turn handed off');
      this.#history.addMessage({ role: 'user', content: text });
      this.#recordTurn(text, [], '', new Date().toISOString(), false);
      return;
    }
    this.#turnUserText = text;
    this.#marks.turnEndMs = this.#now();
    this.#dispatch({ type: 'turn_end', source: 'user' });
  }

  async #answer(turn: number, source: 'user' | 'agent'): Promise<void> {
    const abort = new AbortController();
    const reply: { turn: number; abort: AbortController; playedMsAtStop?: number } = { turn, abort };
    this.#reply = reply;
    const line = source === 'agent' ? this.#nextAgentLine : undefined;
    this.#nextAgentLine = undefined;
    const userText = source === 'user' ? this.#turnUserText : undefined;
    const marks = source === 'user' ? this.#marks : {};
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
        history: this.#history,
        engines: this.o.engines,
        lines: this.o.lines,
        out: this.#out,
        signal: abort.signal,
        log: this.#log,
        mark: (k) => (marks[k] ??= this.#now()),
        onFirstAudio: () => {
          audioStarted = true;
          marks.ttsFirstAudioMs ??= this.#now();
          marks.firstAudioOutMs ??= this.#now();
          this.#dispatch({ type: 'reply_audio' });
        },
        onText: (text) => this.#pub.transcript('agent', `a${turn}`, text, false),
        playedMsAtStop: () => reply.playedMsAtStop,
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
    this.#finishReply(turn, source, line, userText, marks, audioStarted, abort.signal.aborted, outcome, startedAt);
  }

  #finishReply(
    turn: number,
    source: 'user' | 'agent',
    line: AgentLine | undefined,
    userText: string | undefined,
    marks: TurnMarks,
    audioStarted: boolean,
    aborted: boolean,
    outcome: ReplyOutcome | undefined,
    startedAt = new Date().toISOString(),
  ): void {
    if (source === 'user' && !audioStarted && aborted && this.#machine.state === 'PROCESSING') {
      // superseded before she spoke (the caller went on talking): answer everything together
      if (userText) this.#pendingUser.unshift(userText);
      this.#turnUserText = undefined;
      this.#dispatch({ type: 'reply_cancelled', reason: 'caller continued' });
      return;
    }
    const toolItems = outcome?.toolItems ?? [];
    if (audioStarted || toolItems.length > 0) {
      // a tool that ran (a booking made) stays in the history even if she was cut off before speaking
      if (userText) this.#history.addMessage({ role: 'user', content: userText });
      if (toolItems.length > 0) this.#history.insert(toolItems.map(restamp));
      if (audioStarted && outcome?.heard) this.#history.addMessage({ role: 'assistant', content: outcome.heard });
      if (audioStarted) this.#pub.transcript('agent', `a${turn}`, outcome?.heard || outcome?.spoken || '', true);
      this.#recordTurn(userText, toolItems, audioStarted ? (outcome?.heard ?? '') : '', startedAt, aborted);
    }
    if (source === 'user') {
      this.#turnUserText = undefined;
      const metrics = computeTurnMetrics(turn, marks, outcome?.engines ?? { llm: this.o.engines.info.llm, tts: this.o.engines.info.tts });
      this.#log.info({ metrics }, 'turn metrics');
      this.#log.debug({ marks: Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, Math.round(v)])) }, 'turn marks');
      this.#pub.metrics(metrics);
      this.o.onMetrics?.(metrics);
    }
    if (aborted) {
      if (this.#resumeText !== undefined) this.#resumeText = outcome?.unheard ?? '';
      if (this.#machine.state === 'INTERRUPTED') this.#dispatch({ type: 'flushed' });
      return;
    }
    this.#dispatch(audioStarted ? { type: 'reply_done' } : { type: 'reply_cancelled', reason: 'no audio' });
    if (line?.kind === 'goodbye') {
      this.#hangingUp = true;
      this.end('agent hung up');
    }
  }

  #shutdown(reason: string): void {
    this.o.room.off(RoomEvent.ParticipantDisconnected, this.#onLeave);
    this.o.room.off(RoomEvent.Disconnected, this.#onDisconnected);
    this.#policy.dispose();
    this.#listener.close();
    this.#speculation.close();
    void this.#out.close().catch((err: unknown) => this.#log.warn({ err }, 'closing audio output failed'));
    // the call's record is finished before the job (and with it this process) goes
    const records = this.#recordEnd(reason);
    if (!this.#hangingUp) {
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
