/**
 * The chart kit every report, comparison and history page draws with: chart.js configurations as
 * plain JSON (no callbacks), so png.ts renders them in Node and the pages embed them as data. The
 * few behaviours chart.js lacks (p99 whiskers, value labels, a white background, chosen ticks) are
 * plugins in assets/chart-runtime.js, switched on by the options written here.
 */

export interface XY {
  x: number;
  y: number | null;
}

export interface ChartDataset {
  label: string;
  data: (number | null)[] | XY[];
  type?: 'bar' | 'line';
  backgroundColor?: string | string[];
  borderColor?: string | string[];
  borderWidth?: number;
  borderDash?: number[];
  pointRadius?: number;
  pointHoverRadius?: number;
  pointStyle?: string;
  order?: number;
  /** per data point [median, p99], drawn by the guardbenchWhiskers plugin */
  whiskers?: ([number, number] | null)[];
  /** per data point text drawn above line points by the guardbenchLabels plugin */
  pointLabels?: string[];
  /** per data point relative margin of error (percent), shown in tooltips */
  rme?: (number | null)[];
  unit?: string;
}

export interface ChartConfig {
  type: 'bar' | 'line';
  data: { labels?: (string | string[])[]; datasets: ChartDataset[] };
  options: Record<string, unknown>;
}

export interface ChartSpec {
  /** file stem: charts/<id>.png, and the canvas id in a page */
  id: string;
  workload: string;
  title: string;
  /** one sentence for alt text and captions */
  alt: string;
  config: ChartConfig;
}

/** Width the charts are laid out for (a GitHub PR column); PNGs are drawn at twice this. */
export const CHART_WIDTH = 900;
export const CHART_ASPECT = 2;

/** Okabe-Ito colours: distinguishable with the common colour-vision deficiencies. */
const STRATEGY_COLOURS: Record<string, string> = {
  'no-guard': '#8c8c8c',
  'prot-none': '#D55E00',
  'guard-madvise': '#0072B2',
  'guard-process-madvise': '#009E73',
};
const SPARE_COLOURS = ['#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];
/** For parts of one strategy's total (VMA slab, page tables). */
export const PART_COLOURS = ['#CC79A7', '#56B4E9', '#E69F00', '#F0E442'];

export function strategyColour(strategy: string, index = 0): string {
  return STRATEGY_COLOURS[strategy] ?? SPARE_COLOURS[index % SPARE_COLOURS.length]!;
}

/** When the largest value is this many times the smallest, a linear axis hides the small ones. */
export const LOG_SPREAD = 30;

/** Largest over smallest of the positive values (1 with fewer than two). */
export function spreadOf(values: readonly number[]): number {
  const positive = values.filter((v) => v > 0);
  if (positive.length < 2) return 1;
  return Math.max(...positive) / Math.min(...positive);
}

/** A file stem and element id from free text. */
export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
}

export interface AxisOptions {
  title: string;
  log?: boolean;
  /** the largest value drawn (a p99 whisker, a label): the axis leaves room above it */
  top?: number;
  /** explicit tick values (guardbenchTicks, applied by the runtime) */
  ticks?: number[];
  min?: number;
  max?: number;
  /** a value axis (linear from zero, or logarithmic) rather than categories */
  numeric?: boolean;
}

export function axis(o: AxisOptions): Record<string, unknown> {
  const a: Record<string, unknown> = {
    title: { display: true, text: o.title, color: '#333', font: { size: 13 } },
    grid: { color: '#e6e6e6' },
    ticks: { color: '#333' },
  };
  if (o.log) a.type = 'logarithmic';
  else if (o.numeric) a.type = 'linear';
  if (o.ticks) a.guardbenchTicks = o.ticks;
  if (o.min !== undefined) a.min = o.min;
  if (o.max !== undefined) a.max = o.max;
  if (o.top !== undefined && o.top > 0) a.suggestedMax = o.log ? o.top * 1.6 : o.top * 1.1;
  if (!o.log && o.numeric) a.beginAtZero = true;
  return a;
}

export interface ChartExtras {
  legend?: boolean;
  /** value labels on bars and points (guardbenchLabels) */
  labels?: boolean;
  /** line charts: each series' own stroke (dashed references stay dashed) in the legend */
  pointLegend?: boolean;
}

/** chart.js options in the house look: title, subtitle, legend below, white background. */
export function chartOptions(title: string, subtitle: string | string[], x: Record<string, unknown>, y: Record<string, unknown>,
  extra: ChartExtras = {}): Record<string, unknown> {
  return {
    aspectRatio: CHART_ASPECT,
    layout: { padding: { top: 4, right: 16, left: 4, bottom: 0 } },
    plugins: {
      title: { display: true, text: title, color: '#111', font: { size: 16, weight: 'bold' }, padding: { top: 4, bottom: 2 } },
      subtitle: { display: true, text: subtitle, color: '#444', font: { size: 12 }, padding: { bottom: 10 } },
      legend: {
        display: extra.legend ?? true, position: 'bottom',
        labels: extra.pointLegend
          ? { color: '#222', boxWidth: 32, usePointStyle: true, pointStyle: 'line' }
          : { color: '#222', boxWidth: 14 },
      },
      guardbenchBackground: { color: '#ffffff' },
      guardbenchLabels: { display: extra.labels ?? false },
    },
    scales: { x, y },
  };
}
