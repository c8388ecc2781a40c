// The overview's weekly charts as inline SVG, sized to their container in pixels so labels stay
// readable at phone width (a viewBox scaled down would shrink the text with it).
import { layoutBars, layoutLine, niceTicks, plotArea, yScale } from './chart-scale.ts';
import { h, r1, s } from './dom.ts';
import { formatChartDay, formatMs } from './format.ts';
import type { Overview } from '@voxanne/contracts/dashboard';

type Week = Overview['weekly'];
type Plot = ReturnType<typeof plotArea>;

/** One chart: sized in pixels, described in words for a screen reader. */
function chart(
  o: { width: number; height: number; label: string; testId: string },
  ...children: Parameters<typeof s>[2][]
): SVGSVGElement {
  const { width, height } = o;
  const attrs = { width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': o.label };
  return s('svg', { ...attrs, class: 'chart', 'data-testid': o.testId }, ...children);
}

/** A horizontal line and a label per tick of the y axis; the zero line is the axis. */
function gridLines(ticks: number[], plot: Plot, y: (v: number) => number, label: (t: number) => string | number) {
  return ticks.map((t) => [
    s('line', { x1: plot.left, x2: plot.right, y1: r1(y(t)), y2: r1(y(t)), class: t === 0 ? 'axis' : 'grid' }),
    s('text', { x: plot.left - 6, y: r1(y(t)) + 4, class: 'tick', 'text-anchor': 'end' }, label(t)),
  ]);
}

export function callsChart(week: Week, width: number): SVGSVGElement {
  const height = 220;
  const plot = plotArea(width, height, { left: 34, right: 8, top: 14, bottom: 38 });
  const series = [week.map((d) => d.calls), week.map((d) => d.bookings)];
  const ticks = niceTicks(Math.max(0, ...series.flat()), 4, true);
  const max = ticks.at(-1)!;
  const y = yScale(plot, max);
  const groups = layoutBars(plot, series, max);
  const names = ['calls', 'bookings'];
  return chart(
    { width, height, label: ariaSummary(week), testId: 'weekly-chart' },
    gridLines(ticks, plot, y, (t) => t),
    groups.map((g, d) => [
      g.bars.map((b) =>
        b.h > 0
          ? s(
              'rect',
              { x: r1(b.x), y: r1(b.y), width: r1(b.w), height: r1(b.h), rx: 2, class: `bar bar-${names[b.series]}` },
              s('title', {}, `${formatChartDay(week[d]!.date)}: ${b.value} ${names[b.series]}`),
            )
          : null,
      ),
      dayLabel(week[d]!.date, g.cx, height),
    ]),
  );
}

export function latencyChart(week: Week, width: number): SVGSVGElement {
  const height = 220;
  const plot = plotArea(width, height, { left: 50, right: 12, top: 14, bottom: 38 });
  const values = week.map((d) => (typeof d.v2vP50 === 'number' ? d.v2vP50 : null));
  const ticks = niceTicks(Math.max(0, ...values.map((v) => v ?? 0)), 4, true);
  const max = ticks.at(-1)!;
  const y = yScale(plot, max);
  const pieces = layoutLine(plot, values, max);
  const slot = (plot.right - plot.left) / Math.max(1, week.length);
  return chart(
    { width, height, label: 'Median voice-to-voice latency per day', testId: 'latency-chart' },
    gridLines(ticks, plot, y, (t) => (t === 0 ? '0' : formatMs(t))),
    pieces.map((pts) => [
      s('polyline', { points: pts.map((p) => `${r1(p.x)},${r1(p.y)}`).join(' '), class: 'line' }),
      pts.map((p) =>
        s('circle', { cx: r1(p.x), cy: r1(p.y), r: 3.5, class: 'dot' }, s('title', {}, formatMs(p.value))),
      ),
    ]),
    week.map((d, i) => dayLabel(d.date, plot.left + slot * (i + 0.5), height)),
  );
}

/** Weekday over day number: seven of them fit under a phone-wide chart. */
function dayLabel(date: string, x: number, height: number): SVGTextElement {
  const [weekday, day] = formatChartDay(date).split(' ');
  return s(
    'text',
    { x: r1(x), y: height - 20, class: 'tick', 'text-anchor': 'middle' },
    s('tspan', { x: r1(x) }, weekday),
    s('tspan', { x: r1(x), dy: 13, class: 'tick-strong' }, day ?? ''),
  );
}

function ariaSummary(week: Week): string {
  return (
    `Calls and bookings per day: ` +
    `${week.map((d) => `${formatChartDay(d.date)} ${d.calls} calls, ${d.bookings} bookings`).join('; ')}`
  );
}

export function legend(items: { label: string; cls: string }[]): HTMLElement {
  return h(
    'ul',
    { class: 'legend' },
    items.map((i) => h('li', {}, h('span', { class: `swatch ${i.cls}`, 'aria-hidden': 'true' }), i.label)),
  );
}

/** Renders `draw(width)` into `host` now and again whenever the host's width changes. */
export function responsive(host: HTMLElement, draw: (width: number) => Element, signal: AbortSignal): void {
  let last = -1;
  const render = () => {
    const width = Math.max(260, Math.floor(host.clientWidth));
    if (width === last) return;
    last = width;
    host.replaceChildren(draw(width));
  };
  render();
  const ro = new ResizeObserver(render);
  ro.observe(host);
  signal.addEventListener('abort', () => ro.disconnect());
}
