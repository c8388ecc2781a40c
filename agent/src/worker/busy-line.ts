/**
 * The busy line: a phone caller whom no worker could take (every line busy) hears a short message and
 * the call ends, instead of ringing until the trunk gives up. The worker process plays it itself, from
 * audio synthesised once when it starts: no job process is needed, which a worker with every line busy
 * may not have free (core/job-admission.ts decides when; worker/admission.ts asks).
 */
import { randomBytes } from 'node:crypto';
import {
  AudioFrame,
  AudioSource,
  LocalAudioTrack,
  ParticipantKind,
  Room,
  TrackPublishOptions,
  TrackSource,
} from '@livekit/rtc-node';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { randomName } from '@voxanne/contracts/call-room';
import { BUSY_LINE_WORDS } from '../core/job-admission.ts';
import { synthesize } from '../engines/flite/index.ts';
import { untilAnswered } from '../phone/phone-caller.ts';
import type { AdmissionLog } from './admission.ts';

/** LiveKit SIP sends our audio to the phone only a moment after its 200 OK (its media bridge) */
const AFTER_ANSWER_MS = 300;
/** a busy line never holds a room longer than this, whatever happens */
const BUSY_LINE_MAX_MS = 30_000;
const FRAME_MS = 20;

export interface BusyLineOptions {
  livekit: { url: string; apiKey: string; apiSecret: string };
  log: AdmissionLog;
}

/** Synthesises the message once (flite, offline) and returns what plays it into a room. */
export async function busyLinePlayer(o: BusyLineOptions): Promise<(room: string) => Promise<void>> {
  const { samples, sampleRate } = await synthesize(BUSY_LINE_WORDS, { voice: 'slt' });
  const size = (sampleRate * FRAME_MS) / 1000;
  const frames: AudioFrame[] = [];
  for (let i = 0; i < samples.length; i += size) {
    const data = new Int16Array(size);
    data.set(samples.subarray(i, i + size));
    frames.push(new AudioFrame(data, sampleRate, 1, size));
  }
  const rooms = new RoomServiceClient(o.livekit.url.replace(/^ws/, 'http'), o.livekit.apiKey, o.livekit.apiSecret);
  return async (name) => {
    const room = new Room();
    const timer = setTimeout(() => void rooms.deleteRoom(name).catch(() => undefined), BUSY_LINE_MAX_MS);
    try {
      const at = new AccessToken(o.livekit.apiKey, o.livekit.apiSecret, {
        identity: randomName('busyline-', randomBytes),
        ttl: 60,
      });
      at.addGrant({ room: name, roomJoin: true, canPublish: true, canSubscribe: false });
      await room.connect(o.livekit.url, await at.toJwt(), { autoSubscribe: false, dynacast: false });
      const source = new AudioSource(sampleRate, 1);
      const track = LocalAudioTrack.createAudioTrack('busy-line', source);
      const options = new TrackPublishOptions();
      options.source = TrackSource.SOURCE_MICROPHONE;
      // LiveKit SIP answers the phone once a track of the room is subscribed: this one
      await room.localParticipant!.publishTrack(track, options);
      const phone = [...room.remoteParticipants.values()].find((p) => p.kind === ParticipantKind.SIP);
      if (!phone || !(await untilAnswered(room, phone))) {
        o.log.info({ room: name }, 'busy line: the caller hung up first');
        return;
      }
      await new Promise((r) => setTimeout(r, AFTER_ANSWER_MS));
      for (const f of frames) await source.captureFrame(f);
      await source.waitForPlayout();
      o.log.info({ room: name }, 'busy line played');
    } catch (err) {
      o.log.warn({ room: name, err: (err as Error).message }, 'busy line failed');
    } finally {
      clearTimeout(timer);
      await room.disconnect().catch(() => undefined);
      // closing the room makes LiveKit SIP hang up the phone (BYE)
      await rooms.deleteRoom(name).catch(() => undefined);
    }
  };
}
