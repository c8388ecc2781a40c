// Pure layout of a call's state timeline: which state held from when to when, placed in pixels on
// lanes (one lane per state), with the barge-ins marked. timeline.ts draws the result as SVG.
import type { StateChange, Turn } from '@voxanne/contracts/dashboard';
import type { ConversationState } from '@voxanne/contracts/protocol';

/** Lanes top to bottom; IDLE is the gap before the greeting and is not drawn. */
export const LANES = [
  'LISTENING',
  'PROCESSING',
  'SPEAKING',
  'INTERRUPTED',
] as const satisfies readonly ConversationState[];
export type Lane = (typeof LANES)[number];

export interface Segment {
  state: Lane;
  lane: number;
  startMs: number;
  endMs: number;
  x: number;
  w: number;
  reason?: string;
}

export interface BargeIn {
  atMs: number;
  x: number;
}

export interface Tick {
  ms: number;
  x: number;
  label: string;
}

export interface TimelineLayout {
  durationMs: number;
  segments: Segment[];
  bargeIns: BargeIn[];
  ticks: Tick[];
}

export interface TimelineInput {
  startedAt: string;
  /** null while the call is in progress: the last state runs to `now` */
  endedAt: string | null;
  states: StateChange[];
  turns: Turn[];
  now: Date;
}

/** Minimum drawn width: a 40 ms INTERRUPTED blip in a 3-minute call must still be visible. */
const MIN_SEGMENT_PX = 2;
/** An interrupted turn ending this close to an INTERRUPTED state is the same barge-in. */
const SAME_BARGE_IN_MS = 1500;

function tickStep(durationMs: number, widthPx: number): number {
  const wanted = Math.max(2, Math.floor(widthPx / 70)); // about one label per 70 px
  const steps = [1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000];
  return steps.find((s) => durationMs / s <= wanted) ?? 3_600_000;
}

export function formatOffset(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * x = left + (ms since start) scaled into [left, left + width]. States arrive in any order and may
 * start before the call's own start (clocks of two processes); they are sorted and clamped.
 */
export function layoutTimeline(input: TimelineInput, left: number, width: number): TimelineLayout {
  const start = Date.parse(input.startedAt);
  const sorted = [...input.states]
    .map((s) => ({ ...s, t: Date.parse(s.at) }))
    .filter((s) => Number.isFinite(s.t))
    .sort((a, b) => a.t - b.t);
  const lastStateAt = sorted.length ? sorted[sorted.length - 1]!.t : start;
  const endParsed = input.endedAt ? Date.parse(input.endedAt) : input.now.getTime();
  const end = Math.max(Number.isFinite(endParsed) ? endParsed : lastStateAt, lastStateAt, start);
  const durationMs = Math.max(1, end - start);
  const px = (ms: number) => left + (Math.min(Math.max(ms, 0), durationMs) / durationMs) * width;

  const segments: Segment[] = [];
  sorted.forEach((s, i) => {
    const lane = (LANES as readonly string[]).indexOf(s.state);
    const from = Math.max(0, s.t - start);
    const to = Math.max(from, (i + 1 < sorted.length ? sorted[i + 1]!.t : end) - start);
    if (lane < 0) return; // IDLE: not drawn
    const x = px(from);
    const w = Math.max(MIN_SEGMENT_PX, px(to) - x);
    segments.push({
      state: s.state as Lane,
      lane,
      startMs: from,
      endMs: to,
      x: Math.min(x, left + width - w),
      w,
      ...(s.reason ? { reason: s.reason } : {}),
    });
  });

  const bargeAt: number[] = sorted.filter((s) => s.state === 'INTERRUPTED').map((s) => Math.max(0, s.t - start));
  for (const t of input.turns) {
    if (!t.interrupted || t.speaker !== 'agent' || !t.endedAt) continue;
    const at = Math.max(0, Date.parse(t.endedAt) - start);
    if (!Number.isFinite(at)) continue;
    if (!bargeAt.some((b) => Math.abs(b - at) <= SAME_BARGE_IN_MS)) bargeAt.push(at);
  }
  bargeAt.sort((a, b) => a - b);

  const step = tickStep(durationMs, width);
  const ticks: Tick[] = [];
  for (let ms = 0; ms <= durationMs; ms += step) ticks.push({ ms, x: px(ms), label: formatOffset(ms) });

  return { durationMs, segments, bargeIns: bargeAt.map((atMs) => ({ atMs, x: px(atMs) })), ticks };
}
