// A stand-in job process for start-failure.test.ts: forked with an IPC channel like @livekit/agents'
// job processes, its prewarm fails the way a missing library makes the real one fail.
import { initializeLogger } from '@livekit/agents';
import { guardPrewarm } from '../start-failure.ts';

initializeLogger({ pretty: false, level: 'info' });
class DecoderError extends Error {
  override name = 'DecoderError';
}
await guardPrewarm(async () => {
  throw new DecoderError('the library /nowhere/libfoo.so could not be loaded');
})({});
