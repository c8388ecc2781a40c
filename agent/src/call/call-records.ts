/**
 * What a call leaves behind: its record (start, turns, state changes, end) written as it happens,
 * and the after-call summary. Turn indexes and "already written" are kept here, so the session only
 * says what happened.
 */
import type { CallSummary, SummaryItem } from '../core/call-summary.ts';
import type { Clock } from '../core/clock.ts';
import type { EnginesInfo } from '@voxanne/contracts/protocol';
import type { CallFlag, RecordSpeaker } from '@voxanne/contracts/records-api';
import type { ReplyKeep } from '../core/reply-commit.ts';
import type { ConversationState } from '../core/state-machine.ts';
import type { CallRecorder, CallStart } from '../records/types.ts';
import { toolResults, type ToolItem } from './conversation.ts';
import type { Logger } from './logger.ts';

export interface RecordsTarget {
  recorder: CallRecorder;
  tenant: string;
  channel: CallStart['channel'];
  callerPhoneMasked?: string;
}

export interface CallRecordsOptions {
  callId: string;
  clock: Clock;
  log: Logger;
  /** absent: nothing is written (the summary is still made if `summarize` is set) */
  records?: RecordsTarget | undefined;
  summarize?: ((items: SummaryItem[], callerName: string | undefined) => Promise<CallSummary>) | undefined;
  /** a call taken over after a crash: the conversation so far and the turn index to go on from */
  restore?: { history: ReadonlyArray<{ role: 'user' | 'assistant'; text: string }>; nextTurnIndex: number } | undefined;
}

export class CallRecords {
  /** the conversation with tool calls, for the summary (the whole call, not only this job's part) */
  readonly items: SummaryItem[] = [];
  #turnIndex: number;
  /** the turn whose caller words are already written (at her first audio) */
  #callerWrittenTurn = -1;

  constructor(private readonly o: CallRecordsOptions) {
    for (const h of o.restore?.history ?? []) this.items.push(h);
    this.#turnIndex = o.restore?.nextTurnIndex ?? 0;
  }

  /** now as stored: ISO wall time from the call's clock */
  at(): string {
    return new Date(this.o.clock.wallMs()).toISOString();
  }

  start(call: { room: string; callerIdentity: string; engines: EnginesInfo }): void {
    const r = this.o.records;
    if (!r) return;
    const e = call.engines;
    r.recorder.start({
      callId: this.o.callId,
      tenant: r.tenant,
      room: call.room,
      channel: r.channel,
      callerIdentity: call.callerIdentity,
      ...(r.callerPhoneMasked ? { callerPhoneMasked: r.callerPhoneMasked } : {}),
      startedAt: this.at(),
      engines: { stt: e.stt, llm: e.llm, tts: e.tts, mode: e.offline ? 'offline' : 'cloud' },
    });
  }

  state(to: ConversationState): void {
    this.o.records?.recorder.state(this.o.callId, { state: to, at: this.at() });
  }

  /** the caller's words, written as she starts answering them: a crash mid-answer keeps them */
  callerTurn(turn: number, text: string, startedAt: string): void {
    this.#callerWrittenTurn = turn;
    this.items.push({ role: 'user', text });
    this.#turn('caller', text, startedAt, startedAt, false);
  }

  /** what is kept of a finished reply (core/reply-commit.ts) */
  reply(turn: number, keep: ReplyKeep, toolItems: readonly ToolItem[], startedAt: string): void {
    this.#write(
      this.#callerWrittenTurn === turn ? undefined : keep.user,
      keep.tools ? toolItems : [],
      keep.heard ?? '',
      startedAt,
      keep.interrupted,
    );
  }

  /**
   * A flag for staff on the call's timeline (records-api.ts CALL_FLAGS): a state record that does not
   * move the call's live state. `reason` is what set it (the emergency phrase), never the caller's words.
   */
  flag(flag: CallFlag, reason: string): void {
    this.o.records?.recorder.state(this.o.callId, { state: flag, at: this.at(), reason });
  }

  /** caller words handed to someone else */
  handedOff(text: string): void {
    this.#write(text, [], '', this.at(), false);
  }

  #write(
    userText: string | undefined,
    toolItems: readonly ToolItem[],
    heard: string,
    startedAt: string,
    interrupted: boolean,
  ): void {
    if (userText) this.items.push({ role: 'user', text: userText });
    this.items.push(...toolResults(toolItems));
    if (heard) this.items.push({ role: 'assistant', text: heard });
    const endedAt = this.at();
    if (userText) this.#turn('caller', userText, startedAt, startedAt, false);
    if (heard) this.#turn('agent', heard, startedAt, endedAt, interrupted);
  }

  /** one turn of the record, with the next index */
  #turn(speaker: RecordSpeaker, text: string, startedAt: string, endedAt: string, interrupted: boolean): void {
    this.o.records?.recorder.turn(this.o.callId, {
      index: this.#turnIndex++,
      speaker,
      text,
      startedAt,
      endedAt,
      interrupted,
    });
  }

  /**
   * the summary, the end of the record, and every write delivered (or given up on after `flushMs`:
   * core/records-flush.ts)
   */
  async end(callerName: string | undefined, flushMs: number): Promise<void> {
    const r = this.o.records;
    if (!r && !this.o.summarize) return;
    let summary: CallSummary | undefined;
    try {
      summary = await this.o.summarize?.(this.items, callerName);
    } catch (err) {
      this.o.log.warn({ err }, 'call summary failed');
    }
    if (summary) {
      this.o.log.info({ outcome: summary.outcome }, 'call summary');
      this.o.log.debug({ pii: { summary: summary.summary } }, 'call summary text');
    }
    if (!r) return;
    const spoke = this.items.some((i) => i.role === 'user');
    r.recorder.end(this.o.callId, {
      endedAt: this.at(),
      status: spoke ? 'completed' : 'abandoned',
      ...(summary ? { outcome: summary.outcome, summary: summary.summary } : {}),
    });
    const left = await r.recorder.flush(flushMs);
    if (left > 0) this.o.log.error({ undelivered: left }, 'call records left undelivered');
  }
}
