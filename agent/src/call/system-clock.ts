import type { Clock, TimerHandle } from '../core/clock.ts';

// The Clock outside tests: monotonic time and real timers, which every turn rule reads. Wall-clock
// dates (record timestamps, error events) are not on Clock; they are still read with Date where they
// are stamped (call-session.ts, the engines). globalThis timers and performance exist in Node and browsers.
const handles = new Map<number, ReturnType<typeof setTimeout>>();
let nextId = 1;

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    handles.set(
      id,
      setTimeout(() => {
        handles.delete(id);
        fn();
      }, ms),
    );
    return { id };
  },
  clearTimeout(h: TimerHandle): void {
    clearTimeout(handles.get(h.id));
    handles.delete(h.id);
  },
};
