/**
 * A job that holds its line until its caller leaves or the room closes, and does nothing else
 * (call-rooms.test.ts). It publishes a silent voice track as Voxanne does: a standby room is ready
 * to hand out once her voice is published (web/server/standby-pool.ts).
 */
import { defineAgent, type JobContext } from '@livekit/agents';
import { AudioSource, LocalAudioTrack, RoomEvent, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';

export default defineAgent({
  prewarm: async () => {},
  entry: async (ctx: JobContext) => {
    const over = new Promise<void>((resolve) => {
      ctx.room.once(RoomEvent.Disconnected, () => resolve());
      ctx.room.on(RoomEvent.ParticipantDisconnected, (p) => !p.identity.startsWith('agent-') && resolve());
    });
    await ctx.connect();
    const voice = LocalAudioTrack.createAudioTrack('voice', new AudioSource(48000, 1));
    const opts = new TrackPublishOptions();
    opts.source = TrackSource.SOURCE_MICROPHONE;
    await ctx.room.localParticipant!.publishTrack(voice, opts);
    await over;
    ctx.shutdown('call over');
  },
});
