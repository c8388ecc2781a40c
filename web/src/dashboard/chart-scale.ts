// Pure geometry for the overview's weekly charts: nice axis bounds and bar/line positions in pixels.
// Rendering to SVG lives in charts.ts; nothing here touches the DOM.

/** The smallest "nice" number (1, 2, 2.5, 5 × 10^n) ≥ value; 0 or less gives 1 so an empty week still has an axis. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const exp = Math.floor(Math.log10(value));
  const base = 10 ** exp;
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * base;
    // tolerance: 0.3 / 0.1 style float noise must not push 3 up to 5
    if (candidate >= value - base * 1e-9) return candidate;
  }
  return 10 * base;
}

/** Axis ticks from 0 to a nice maximum, about `count` steps, whole numbers when `integer`. */
export function niceTicks(maxValue: number, count = 4, integer = false): number[] {
  let step = niceCeil(Math.max(maxValue, 0) / count);
  if (integer) step = Math.max(1, Math.ceil(step));
  let top = step * Math.ceil(Math.max(maxValue, 0) / step);
  if (top === 0) top = step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step / 1000; v += step) ticks.push(Number(v.toFixed(6)));
  return ticks;
}

export interface Plot {
  width: number;
  height: number;
  /** inner area after margins (axis labels) */
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export function plotArea(width: number, height: number, margin = { left: 36, right: 12, top: 12, bottom: 28 }): Plot {
  return {
    width,
    height,
    left: margin.left,
    top: margin.top,
    right: Math.max(margin.left + 1, width - margin.right),
    bottom: Math.max(margin.top + 1, height - margin.bottom),
  };
}

/** value → y pixel, 0 at the bottom of the plot and max at the top */
export function yScale(plot: Plot, max: number): (v: number) => number {
  const h = plot.bottom - plot.top;
  return (v) => plot.bottom - (max > 0 ? (Math.max(0, v) / max) * h : 0);
}

export interface BarGroup {
  /** centre of the day's slot, for its label */
  cx: number;
  bars: { series: number; x: number; y: number; w: number; h: number; value: number }[];
}

/**
 * Grouped bars: one slot per day, `series.length` bars side by side in each, with gaps between slots.
 * Bars of value 0 get height 0 (drawn as nothing), never negative.
 */
export function layoutBars(plot: Plot, series: number[][], max: number): BarGroup[] {
  const days = Math.max(0, ...series.map((s) => s.length));
  if (days === 0) return [];
  const slot = (plot.right - plot.left) / days;
  const groupW = slot * 0.7;
  const barW = groupW / series.length;
  const y = yScale(plot, max);
  const groups: BarGroup[] = [];
  for (let d = 0; d < days; d++) {
    const cx = plot.left + slot * (d + 0.5);
    const start = cx - groupW / 2;
    groups.push({
      cx,
      bars: series.map((s, i) => {
        const value = s[d] ?? 0;
        const top = y(value);
        return { series: i, x: start + i * barW + barW * 0.08, y: top, w: barW * 0.84, h: plot.bottom - top, value };
      }),
    });
  }
  return groups;
}

/** Points of a line over the same day slots; days without a value (null) break the line into pieces. */
export function layoutLine(
  plot: Plot,
  values: (number | null)[],
  max: number,
): { x: number; y: number; value: number }[][] {
  const slot = (plot.right - plot.left) / Math.max(1, values.length);
  const y = yScale(plot, max);
  const pieces: { x: number; y: number; value: number }[][] = [];
  let current: { x: number; y: number; value: number }[] = [];
  values.forEach((v, d) => {
    if (v === null || !Number.isFinite(v)) {
      if (current.length) pieces.push(current);
      current = [];
      return;
    }
    current.push({ x: plot.left + slot * (d + 0.5), y: y(v), value: v });
  });
  if (current.length) pieces.push(current);
  return pieces;
}
