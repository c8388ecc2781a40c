/**
 * Calls `onStop` once when this job process is asked to stop: SIGTERM / SIGINT (`npm start`'s Ctrl-C
 * signals the agent's whole process group, job processes included) or the worker's shutdown request
 * over IPC. @livekit/agents runs a job's shutdown callbacks only after its entry function returns (or
 * 15 s pass), so a call that must end now, and write its records while the web server is still up,
 * has to hear of it here.
 */
export function onAgentStopping(onStop: () => void): () => void {
  let called = false;
  const stop = () => {
    if (called) return;
    called = true;
    dispose();
    onStop();
  };
  // the worker's IPC message ('shutdownRequest', @livekit/agents ipc/message.ts)
  const onMessage = (msg: unknown) => {
    if ((msg as { case?: unknown } | null)?.case === 'shutdownRequest') stop();
  };
  const dispose = () => {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    process.off('message', onMessage);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('message', onMessage);
  return dispose;
}
