/** A job that holds its line until its caller leaves or the room closes, and does nothing else (call-rooms.test.ts). */
import { defineAgent, type JobContext } from '@livekit/agents';
import { RoomEvent } from '@livekit/rtc-node';

export default defineAgent({
  prewarm: async () => {},
  entry: async (ctx: JobContext) => {
    const over = new Promise<void>((resolve) => {
      ctx.room.once(RoomEvent.Disconnected, () => resolve());
      ctx.room.on(RoomEvent.ParticipantDisconnected, (p) => !p.identity.startsWith('agent-') && resolve());
    });
    await ctx.connect();
    await over;
    ctx.shutdown('call over');
  },
});
