import { createRequire } from 'node:module';
import { Table } from './components.js';

/**
 * Charts drawn on the server as SVG by ECharts (no script in the browser), always with the same
 * figures in a table beside them: the table is what a screen reader and a keyboard user read, so
 * the drawing is hidden from assistive technology and the figure is labelled by its caption.
 */
export interface ChartSeries {
  readonly name: string;
  readonly values: ReadonlyArray<number | null>;
}

export interface ChartSpec {
  readonly kind: 'bar' | 'line' | 'stacked-bar';
  /** the x axis: months, departments, counties… */
  readonly categories: readonly string[];
  readonly series: readonly ChartSeries[];
  /** a dashed reference line, e.g. the 96.2 % target */
  readonly target?: { readonly label: string; readonly value: number };
  /** values are percentages (0–100): the axis and the table say so */
  readonly percent?: boolean;
  readonly width?: number;
  readonly height?: number;
}

// The design system's palette (distinguishable without colour too: the table carries the figures).
const PALETTE = ['#1d70b8', '#00703c', '#d4351c', '#f47738', '#4c2c92', '#505a5f', '#b58840', '#28a197'];

/**
 * The last drawings, by their spec: drawing costs ECharts tens of milliseconds of CPU a chart, and a
 * dashboard's charts change only when its figures do (a month's totals), so the same spec asked
 * again — the next supervisor opening the same page — is served from here. Least recently used
 * out first; a spec is a few kilobytes, a drawing tens.
 */
const drawn = new Map<string, string>();
const DRAWN_MAX = 128;

/** The SVG text of one chart. Pure: the same spec gives the same bytes (so it is memoised). */
export function chartSvg(spec: ChartSpec): string {
  const key = JSON.stringify(spec);
  const hit = drawn.get(key);
  if (hit !== undefined) {
    drawn.delete(key);
    drawn.set(key, hit);
    return hit;
  }
  const svg = drawChart(spec);
  drawn.set(key, svg);
  if (drawn.size > DRAWN_MAX) drawn.delete(drawn.keys().next().value as string);
  return svg;
}

/**
 * ECharts, loaded at the first drawing rather than with the app: its ES modules cost a start
 * 0.6 s of CPU to load (a test process, every node), the package's own CommonJS bundle — the same
 * release, which `require` resolves to — 0.1 s, and only when a chart is drawn.
 */
let echartsLib: typeof import('echarts') | undefined;
const echarts = (): typeof import('echarts') =>
  (echartsLib ??= createRequire(import.meta.url)('echarts') as typeof import('echarts'));

function drawChart(spec: ChartSpec): string {
  const width = spec.width ?? 720;
  const height = spec.height ?? 320;
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const stacked = spec.kind === 'stacked-bar';
    chart.setOption({
      animation: false,
      color: PALETTE,
      textStyle: { fontFamily: 'system-ui, "Noto Sans CJK SC", sans-serif', color: '#0b0c0c' },
      grid: { left: 56, right: 24, top: spec.series.length > 1 ? 40 : 24, bottom: 56, containLabel: true },
      legend: spec.series.length > 1 ? { top: 0, data: spec.series.map((s) => s.name) } : undefined,
      xAxis: {
        type: 'category',
        data: [...spec.categories],
        axisLabel: { interval: 0, rotate: spec.categories.length > 8 ? 40 : 0 },
      },
      yAxis: {
        type: 'value',
        max: spec.percent ? 100 : undefined,
        axisLabel: { formatter: spec.percent ? '{value}%' : '{value}' },
      },
      series: spec.series.map((s, i) => ({
        name: s.name,
        type: spec.kind === 'line' ? 'line' : 'bar',
        stack: stacked ? 'total' : undefined,
        data: [...s.values],
        markLine:
          i === 0 && spec.target
            ? {
                symbol: 'none',
                lineStyle: { type: 'dashed', color: '#d4351c' },
                label: { formatter: spec.target.label },
                data: [{ yAxis: spec.target.value }],
              }
            : undefined,
      })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

const fmt = (v: number | null, percent?: boolean) =>
  v === null ? '—' : percent ? `${v.toFixed(1)}%` : Number.isInteger(v) ? String(v) : v.toFixed(2);

/**
 * A chart and its table, in one figure. `title` is the caption of both; `categoryHeader` heads the
 * table's first column (e.g. "月份" / "Month").
 */
export function ChartFigure({
  title,
  categoryHeader,
  spec,
}: {
  title: string;
  categoryHeader: string;
  spec: ChartSpec;
}) {
  const rows = spec.categories.map((c, i) => ({ c, i }));
  return (
    <figure class="chart">
      <figcaption class="chart-title">{title}</figcaption>
      {/* the drawing repeats the table below: hidden from screen readers, which read the table */}
      <div class="chart-svg" aria-hidden="true" dangerouslySetInnerHTML={{ __html: chartSvg(spec) }} />
      <Table
        caption={title}
        columns={[
          { header: categoryHeader, cell: (r: { c: string; i: number }) => r.c },
          ...spec.series.map((s) => ({
            header: s.name,
            numeric: true,
            cell: (r: { c: string; i: number }) => fmt(s.values[r.i] ?? null, spec.percent),
          })),
        ]}
        rows={rows}
      />
    </figure>
  );
}
