/**
 * A job that names its call and then waits (job-exit-hook.test.ts
 * kills its process); "end" in the job metadata ends it cleanly.
 */
import { defineAgent, type JobContext } from '@livekit/agents';
import { announceCall, announceCallEnded } from '../job-exit-hook.ts';

export default defineAgent({
  prewarm: async () => {},
  entry: async (ctx: JobContext) => {
    announceCall(`call-of-${ctx.job.id}`);
    if (ctx.job.metadata === 'end') {
      announceCallEnded();
      ctx.shutdown('done');
      return;
    }
    await new Promise(() => {}); // until killed
  },
});
