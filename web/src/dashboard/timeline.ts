// Draws the call's state timeline (layout in timeline-layout.ts) as inline SVG: one lane per state,
// barge-ins as red markers across all lanes.
import { h, r1, s } from './dom.ts';
import { formatMs, humanize } from './format.ts';
import { LANES, layoutTimeline, type TimelineInput } from './timeline-layout.ts';

const LANE_H = 26;
const TOP = 18;
const LABEL_W = 92;

export function timelineSvg(input: TimelineInput, width: number): SVGSVGElement {
  const labelW = width < 420 ? 78 : LABEL_W;
  const plotW = Math.max(100, width - labelW - 10);
  const layout = layoutTimeline(input, labelW, plotW);
  const height = TOP + LANES.length * LANE_H + 24;
  const laneY = (i: number) => TOP + i * LANE_H;
  return s(
    'svg',
    {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      class: 'timeline',
      role: 'img',
      'aria-label': `State timeline: ${layout.segments.length} state changes, ${layout.bargeIns.length} barge-ins`,
      'data-testid': 'state-timeline',
      'data-barge-ins': layout.bargeIns.length,
    },
    LANES.map((lane, i) => [
      s('rect', { x: labelW, y: laneY(i), width: plotW, height: LANE_H, class: i % 2 ? 'lane lane-odd' : 'lane' }),
      s(
        'text',
        { x: labelW - 8, y: laneY(i) + LANE_H / 2 + 4, class: 'lane-label', 'text-anchor': 'end' },
        humanize(lane),
      ),
    ]),
    layout.ticks.map((t) => [
      s('line', { x1: r1(t.x), x2: r1(t.x), y1: TOP, y2: laneY(LANES.length), class: 'grid' }),
      // the first and a last label at the very edge are anchored inwards so they are not cut off
      s(
        'text',
        {
          x: r1(t.x),
          y: height - 6,
          class: 'tick',
          'text-anchor': t.ms === 0 ? 'start' : t.x > labelW + plotW - 16 ? 'end' : 'middle',
        },
        t.label,
      ),
    ]),
    layout.segments.map((seg) =>
      s(
        'rect',
        {
          x: r1(seg.x),
          y: laneY(seg.lane) + 4,
          width: r1(seg.w),
          height: LANE_H - 8,
          rx: 2,
          class: `seg seg-${seg.state.toLowerCase()}`,
          'data-state': seg.state,
        },
        s(
          'title',
          {},
          `${humanize(seg.state)} for ${formatMs(seg.endMs - seg.startMs)}${seg.reason ? ` (${seg.reason})` : ''}`,
        ),
      ),
    ),
    layout.bargeIns.map((b) =>
      s(
        'g',
        { class: 'barge-in', 'data-testid': 'barge-in-marker' },
        s('line', { x1: r1(b.x), x2: r1(b.x), y1: TOP - 4, y2: laneY(LANES.length), class: 'barge-line' }),
        s('path', {
          d: `M${r1(b.x - 5)},${TOP - 12} L${r1(b.x + 5)},${TOP - 12} L${r1(b.x)},${TOP - 4} Z`,
          class: 'barge-head',
        }),
        s('title', {}, `Barge-in at ${(b.atMs / 1000).toFixed(1)} s`),
      ),
    ),
  );
}

export function timelineLegend(): HTMLElement {
  return h(
    'ul',
    { class: 'legend' },
    LANES.map((l) =>
      h('li', {}, h('span', { class: `swatch seg-${l.toLowerCase()}`, 'aria-hidden': 'true' }), humanize(l)),
    ),
    h(
      'li',
      {},
      h('span', { class: 'swatch swatch-barge', 'aria-hidden': 'true' }),
      'Barge-in (caller talked over her)',
    ),
  );
}
