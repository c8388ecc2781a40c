/**
 * The benchmark's plot: one strip chart per metric, every sample a dot, p50/p95/p99 as ticks, the
 * target as a dashed line. Plain SVG in one HTML file (no chart library); run.ts also renders it to
 * PNG with Chromium. Pure: returns the HTML text.
 */
import type { Percentiles } from './stats.ts';

export interface Series {
  pipeline: string;
  samples: number[];
  stats: Percentiles;
}

export interface Panel {
  title: string;
  target?: number;
  series: Series[];
}

const W = 760;
const ROW = 46;
const LEFT = 110;
const RIGHT = 30;
const COLORS = ['#0f766e', '#b45309', '#6d28d9'];

function niceMax(v: number): number {
  const step = v <= 500 ? 100 : v <= 2000 ? 250 : v <= 5000 ? 500 : 1000;
  return Math.max(step, Math.ceil(v / step) * step);
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function panelSvg(p: Panel): string {
  const all = p.series.flatMap((s) => s.samples).concat(p.target ?? 0);
  const max = niceMax(Math.max(1, ...all));
  const h = 40 + ROW * p.series.length + 30;
  const x = (v: number) => LEFT + ((W - LEFT - RIGHT) * Math.max(0, v)) / max;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" role="img" aria-label="${esc(p.title)}">`,
  ];
  parts.push(`<text x="10" y="22" font-size="15" font-weight="600">${esc(p.title)}</text>`);
  const axisY = 40 + ROW * p.series.length;
  const step = max / 5;
  for (let t = 0; t <= max + 1e-9; t += step) {
    parts.push(`<line x1="${x(t)}" y1="34" x2="${x(t)}" y2="${axisY}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${x(t)}" y="${axisY + 16}" font-size="11" text-anchor="middle" fill="#555">${Math.round(t)} ms</text>`,
    );
  }
  if (p.target !== undefined) {
    parts.push(
      `<line x1="${x(p.target)}" y1="30" x2="${x(p.target)}" y2="${axisY}" stroke="#dc2626" stroke-dasharray="5 4"/>`,
    );
    parts.push(`<text x="${x(p.target) + 4}" y="32" font-size="11" fill="#dc2626">target p95 ≤ ${p.target} ms</text>`);
  }
  p.series.forEach((s, i) => {
    const cy = 40 + ROW * i + ROW / 2;
    const color = COLORS[i % COLORS.length]!;
    parts.push(`<text x="10" y="${cy + 4}" font-size="13">${esc(s.pipeline)}</text>`);
    s.samples.forEach((v, k) => {
      // deterministic vertical jitter so equal values stay visible
      const jy = cy + (((k * 7919) % 17) - 8);
      parts.push(`<circle cx="${x(v).toFixed(1)}" cy="${jy}" r="3" fill="${color}" fill-opacity="0.45"/>`);
    });
    for (const [label, v] of [
      ['p50', s.stats.p50],
      ['p95', s.stats.p95],
      ['p99', s.stats.p99],
    ] as const) {
      if (!Number.isFinite(v)) continue;
      parts.push(
        `<line x1="${x(v)}" y1="${cy - 14}" x2="${x(v)}" y2="${cy + 14}" ` +
          `stroke="${color}" stroke-width="${label === 'p50' ? 3 : 1.5}"/>`,
      );
      parts.push(
        `<text x="${x(v)}" y="${cy - 16}" font-size="10" text-anchor="middle" fill="${color}">${label}</text>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

export function plotHtml(title: string, subtitle: string, panels: Panel[]): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#111;background:#fff}
h1{font-size:20px;margin:0 0 4px}p{margin:0 0 16px;color:#444;font-size:13px}svg{display:block;margin:0 0 14px}</style>
</head><body><h1>${esc(title)}</h1><p>${esc(subtitle)}</p>
${panels.map(panelSvg).join('\n')}
</body></html>
`;
}
