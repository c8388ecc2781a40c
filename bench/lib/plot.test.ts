import { test } from 'vitest';
import assert from 'node:assert/strict';
import { panelSvg, plotHtml } from './plot.ts';
import { percentiles } from './stats.ts';

const series = (pipeline: string, samples: number[]) => ({ pipeline, samples, stats: percentiles(samples) });

test('a panel draws one dot per sample, three percentile ticks per pipeline and the target', () => {
  const svg = panelSvg({
    title: 'voice-to-voice',
    target: 500,
    series: [series('voxanne', [300, 320, 340]), series('stock', [900, 950])],
  });
  assert.equal(svg.match(/<circle /g)?.length, 5);
  assert.equal(svg.match(/>p95</g)?.length, 2);
  assert.match(svg, /target p95 ≤ 500 ms/);
  // the axis reaches past the slowest sample
  assert.match(svg, />1000 ms</);
});

test('titles are escaped and a pipeline with no samples draws no ticks', () => {
  const html = plotHtml('a <b> & c', 'x', [{ title: 'barge-in <ms>', series: [series('none', [])] }]);
  assert.match(html, /a &lt;b&gt; &amp; c/);
  assert.match(html, /barge-in &lt;ms&gt;/);
  assert.doesNotMatch(html, />p50</);
});
