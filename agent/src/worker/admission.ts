/**
 * The worker's answer to each job request, given when it arrives (core/job-admission.ts decides).
 * The answer is written into the room's metadata (`taken` or `busy`): the web server hands the page
 * its token once a worker has taken the job, and tells it at once that every line is busy otherwise.
 */
import type { JobRequest } from '@livekit/agents';
import { RoomServiceClient } from 'livekit-server-sdk';
import { isUnclaimedStandby, parseCallRoomMetadata, withLineMark } from '@voxanne/contracts/call-room';
import { BUSY_LINE_GRACE_MS, busyLineDue, JobAdmission, jobKindOf, wantsBusyLine } from '../core/job-admission.ts';
import { onJobLaunched, onJobProcessExit } from './job-exit-hook.ts';

/**
 * The load reported to LiveKit is the share of lines taken, scaled below LiveKit's agent target_load
 * (0.7 by default): a worker at or above it gets no job requests at all (livekit-server 1.13's
 * JobRequestAffinity), and a worker that is never asked cannot say the lines are busy.
 */
export const REPORTED_LOAD_SCALE = 0.69;

export interface AdmissionLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WorkerAdmissionOptions {
  maxCalls: number;
  livekit: { url: string; apiKey: string; apiSecret: string };
  log: AdmissionLog;
  /** plays the busy message into a phone call's room and closes it (worker/busy-line.ts); none: the phone rings on */
  busyLine?: (room: string) => Promise<void>;
}

export class WorkerAdmission {
  readonly #admission: JobAdmission;
  readonly #rooms: RoomServiceClient;
  /** busy messages playing now */
  #busyLines = 0;

  constructor(private readonly o: WorkerAdmissionOptions) {
    this.#admission = new JobAdmission(o.maxCalls, { now: () => performance.now() });
    this.#rooms = new RoomServiceClient(o.livekit.url.replace(/^ws/, 'http'), o.livekit.apiKey, o.livekit.apiSecret);
  }

  /** Counts jobs from the library's process pool; call before the worker starts. */
  async install(): Promise<void> {
    await onJobLaunched((id) => this.#admission.launched(id));
    await onJobProcessExit((exit) => {
      if (exit.job && this.#admission.ended(exit.job.id))
        this.o.log.info(
          { jobId: exit.job.id, active: this.#admission.active, calls: this.#admission.calls },
          'line free',
        );
    });
  }

  /** WorkerOptions.requestFunc */
  readonly requestFunc = async (req: JobRequest): Promise<void> => {
    const room = req.room;
    const kind = jobKindOf(room?.metadata);
    let d = this.#admission.request(req.id, kind, room?.name ?? '');
    // every line taken: a call ends an unclaimed standby (core/job-admission.ts) and takes its line
    if (!d.accept && (await this.#endAStandby(d.standbys))) d = this.#admission.request(req.id, kind, room?.name ?? '');
    if (d.accept) {
      this.o.log.info(
        { jobId: req.id, room: room?.name, kind, active: this.#admission.active, calls: this.#admission.calls },
        'line taken',
      );
      await req.accept();
      if (room?.name) await this.#mark(room.name, room.metadata, 'taken');
      return;
    }
    // marked before the refusal: LiveKit asks the next worker only after it, so a 'taken' from that
    // worker always lands after this 'busy' (the other order would hide the taken line)
    const marked = room?.name ? await this.#mark(room.name, room.metadata, 'busy') : false;
    await req.reject();
    this.o.log.warn(
      { jobId: req.id, room: room?.name, kind, active: d.active, max: d.max },
      'job refused: every line busy',
    );
    if (marked && wantsBusyLine(room!.metadata)) void this.#busyLineAfterGrace(room!.name);
  };

  /**
   * Ends the first standby whose room is still unclaimed (the web server marks a room `claimed` before
   * it hands out the token), closing its room: its job sees the room go and exits. A standby found
   * claimed is a call from then on. True when a line was freed.
   */
  async #endAStandby(standbys: { jobId: string; room: string }[]): Promise<boolean> {
    for (const s of standbys) {
      let unclaimed = false;
      try {
        const [r] = await this.#rooms.listRooms([s.room]);
        unclaimed = r !== undefined && isUnclaimedStandby(parseCallRoomMetadata(r.metadata));
      } catch (err) {
        this.o.log.warn({ room: s.room, err: (err as Error).message }, 'reading a standby room failed');
        continue;
      }
      if (!unclaimed) {
        this.#admission.claimed(s.jobId);
        continue;
      }
      if (!this.#admission.evicted(s.jobId)) continue; // another request ended it meanwhile
      this.o.log.info({ jobId: s.jobId, room: s.room }, 'standby ended for a call');
      await this.#rooms.deleteRoom(s.room).catch((err: Error) =>
        // already gone: its job has ended or is ending
        this.o.log.info({ room: s.room, err: err.message }, 'closing a standby room failed'),
      );
      return true;
    }
    return false;
  }

  /**
   * A phone caller nobody took hears the busy line (core/job-admission.ts decides): once the other
   * workers have had their chance, the first refusing worker to get there marks the room (busyLine)
   * and plays it.
   */
  async #busyLineAfterGrace(name: string): Promise<void> {
    if (!this.o.busyLine) return;
    await new Promise((r) => setTimeout(r, BUSY_LINE_GRACE_MS));
    try {
      const [room] = await this.#rooms.listRooms([name]);
      if (!room || !busyLineDue(room.metadata, this.#busyLines)) return;
      await this.#rooms.updateRoomMetadata(name, withLineMark(room.metadata, 'busyLine'));
    } catch (err) {
      // the caller hung up meanwhile (the room is gone): nobody to tell
      this.o.log.info({ room: name, err: (err as Error).message }, 'busy line not played');
      return;
    }
    this.#busyLines++;
    try {
      await this.o.busyLine(name);
    } finally {
      this.#busyLines--;
    }
  }

  /**
   * WorkerOptions.loadFunc: what LiveKit is told every 2.5 s, from the same ledger, scaled so that a
   * full worker is still asked (REPORTED_LOAD_SCALE). LiveKit never asks a worker it believes full,
   * and then nobody marks the room busy: the web server would only give up on its wait. Asked, a full
   * worker refuses at once and says so; LiveKit prefers the less loaded workers, so a full one is
   * asked first only when every other is as full.
   */
  readonly loadFunc = async (): Promise<number> => this.#admission.load() * REPORTED_LOAD_SCALE;

  /** Tells whoever opened the room what became of its job; false when the room is gone. */
  async #mark(name: string, metadata: string, mark: 'taken' | 'busy'): Promise<boolean> {
    try {
      await this.#rooms.updateRoomMetadata(name, withLineMark(metadata, mark));
      return true;
    } catch (err) {
      // the room closed meanwhile: nobody is waiting for the answer
      this.o.log.info({ room: name, mark, err: (err as Error).message }, 'marking a call room failed');
      return false;
    }
  }
}
