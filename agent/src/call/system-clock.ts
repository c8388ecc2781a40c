import type { Clock, TimerHandle } from '../core/clock.ts';

// The Clock outside tests: monotonic time and real timers, which every turn rule reads, and wall time
// for what the call stores (record timestamps). The engines' error events still stamp their own Date.
// globalThis timers and performance exist in Node and browsers.
const handles = new Map<number, ReturnType<typeof setTimeout>>();
let nextId = 1;

export const systemClock: Clock = {
  now: () => performance.now(),
  wallMs: () => Date.now(),
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
