import assert from 'node:assert/strict';
import { test } from 'node:test';
import { render } from 'preact-render-to-string';
import { ChartFigure, chartSvg } from './charts.js';

const spec = {
  kind: 'bar' as const,
  categories: ['2026-10', '2026-11', '<script>'],
  series: [{ name: '按时办结率', values: [95.5, 97.25, null] }],
  target: { label: '96.2%', value: 96.2 },
  percent: true,
};

test('a chart is an SVG drawn on the server, the same drawing for the same figures', () => {
  const a = chartSvg(spec);
  assert.match(a, /^<svg[^>]+xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  // ECharts numbers its instances and styles in class names; the drawing itself is the same
  const plain = (svg: string) => svg.replace(/zr\d+-cls-\d+/g, 'zr');
  assert.equal(plain(a), plain(chartSvg(spec)));
  assert.ok(!a.includes('<script>'), 'category text is escaped inside the SVG');
});

test('the figure carries the table a screen reader reads, the drawing hidden from it', () => {
  const html = render(<ChartFigure title="按时办结率" categoryHeader="月份" spec={spec} />);
  assert.match(html, /<figure class="chart">/);
  assert.match(html, /aria-hidden="true"/);
  assert.match(html, /<caption>按时办结率<\/caption>/);
  assert.match(html, /97\.3%|97\.2%/);
  assert.match(html, /&lt;script&gt;/);
  assert.ok(html.includes('<td class="num">—</td>'), 'a missing value is a dash, not 0');
});
