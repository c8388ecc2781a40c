/**
 * How long a call's job process keeps trying to deliver the call's records once the call is over,
 * before it gives up and exits. A call that simply ended has nothing else to do, so it waits long
 * enough to ride out a records server that is slow or restarting: on a machine past its load knee the
 * web server answered the records API after its 3 s timeout for many seconds, and the old 5 s wait lost
 * records (`npm run load -- --calls 25 --ramp 75s --hold 60s`, idle machine: 10 lost). A worker that is
 * stopping (Ctrl-C, a deploy: 'agent stopping', 'job shutdown') keeps the short wait: its supervisor
 * stops the web server a few seconds later and every process must be gone within 10 s.
 */
export const RECORDS_FLUSH_MS = { ended: 30_000, stopping: 5_000 } as const;

export function recordsFlushMs(endReason: string): number {
  return endReason === 'agent stopping' || endReason === 'job shutdown'
    ? RECORDS_FLUSH_MS.stopping
    : RECORDS_FLUSH_MS.ended;
}
