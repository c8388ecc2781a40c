/**
 * The worker's side of a crashed call: logs the death, and when core/recovery.ts says so, removes
 * the dead agent from the room at once (LiveKit would wait ~20 s for it to time out), marks the gap
 * in the call's record and asks LiveKit for a fresh job in the same room (an explicit dispatch whose
 * metadata says it is a recovery). The new job restores the conversation (main.ts).
 */
import { ParticipantInfo_Kind } from '@livekit/protocol';
import { AgentDispatchClient, RoomServiceClient } from 'livekit-server-sdk';
import { crashed, decideRecovery, exitReason, RecoveryAttempts, type JobExit } from '../core/recovery.ts';
import type { RecordsClient } from '../records/http-client.ts';

export interface RecoveryLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CallRecoveryOptions {
  livekit: { url: string; apiKey: string; apiSecret: string };
  /** the worker's agent name ('' = automatic dispatch, as Voxanne registers) */
  agentName: string;
  records?: RecordsClient;
  log: RecoveryLog;
  stopping(): boolean;
  now?: () => Date;
}

export class CallRecovery {
  readonly #rooms: RoomServiceClient;
  readonly #dispatch: AgentDispatchClient;
  /** recoveries made per room, so a call that keeps killing its process is not revived forever */
  readonly #attempts = new RecoveryAttempts();

  constructor(private readonly o: CallRecoveryOptions) {
    const http = o.livekit.url.replace(/^ws/, 'http');
    this.#rooms = new RoomServiceClient(http, o.livekit.apiKey, o.livekit.apiSecret);
    this.#dispatch = new AgentDispatchClient(http, o.livekit.apiKey, o.livekit.apiSecret);
  }

  /** Called for every job process exit; resolves once the recovery (if any) is under way. */
  async onExit(exit: JobExit & { pid?: number | undefined }): Promise<void> {
    const fields = {
      pid: exit.pid,
      code: exit.code,
      signal: exit.signal,
      jobId: exit.job?.id,
      room: exit.job?.room,
      callId: exit.callId,
    };
    const stopping = this.o.stopping();
    if (!crashed(exit)) return;
    if (!exit.job) {
      // a warm process that never took a call: the pool starts another, no caller was affected
      if (!stopping) this.o.log.warn(fields, 'idle job process died');
      return;
    }
    if (!stopping)
      this.o.log.error(
        { ...fields, reason: exitReason(exit) },
        exit.workerLost ? 'call lost with its worker' : 'call job process died',
      );
    const callers = stopping ? [] : await this.#callersIn(exit.job.room);
    const nowMs = (this.o.now?.() ?? new Date()).getTime();
    if (callers === undefined) this.#attempts.forget(exit.job.room);
    const attempts = this.#attempts.count(exit.job.room, nowMs);
    const d = decideRecovery({ exit, stopping, callers, attempts });
    if (d.kind === 'ignore') {
      if (!stopping) this.o.log.info({ ...fields, why: d.why }, 'call not recovered');
      return;
    }
    this.#attempts.record(d.room, nowMs);
    const at = new Date(nowMs).toISOString();
    // all three at once: the caller is waiting, and none needs another's answer
    await Promise.all([
      this.#rooms.removeParticipant(d.room, d.removeIdentity).catch((err: unknown) =>
        // already gone (it timed out meanwhile): nothing to remove
        this.o.log.warn({ ...fields, err: (err as Error).message }, 'removing the dead agent from the room failed'),
      ),
      this.#dispatch.createDispatch(d.room, this.o.agentName, { metadata: JSON.stringify(d.metadata) }).then(
        (dispatch) =>
          this.o.log.info(
            { ...fields, dispatchId: dispatch.id, attempt: d.metadata.attempt },
            'call recovery dispatched',
          ),
        (err: unknown) => this.o.log.error({ ...fields, err: (err as Error).message }, 'call recovery dispatch failed'),
      ),
      exit.callId
        ? this.#markGap(exit.callId, { id: `lost-${exit.job.id}`, state: 'AGENT_LOST', at, reason: d.metadata.reason })
        : undefined,
    ]);
  }

  /** non-agent participants of the room; undefined when the room is gone */
  async #callersIn(room: string): Promise<string[] | undefined> {
    try {
      const participants = await this.#rooms.listParticipants(room);
      return participants
        .filter((p) => p.kind !== ParticipantInfo_Kind.AGENT && !p.identity.startsWith('agent-'))
        .map((p) => p.identity);
    } catch {
      return undefined; // LiveKit answers "not found" for a room that has closed
    }
  }

  async #markGap(callId: string, state: { id: string; state: string; at: string; reason: string }): Promise<void> {
    if (!this.o.records) return;
    try {
      await this.o.records.request('POST', `/calls/${encodeURIComponent(callId)}/states`, state);
    } catch (err) {
      this.o.log.warn({ callId, err: (err as Error).message }, 'recording the lost agent failed');
    }
  }
}
