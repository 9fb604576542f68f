/**
 * Every chart of a report, as a pure function Run -> chart.js configuration. The configurations are
 * plain JSON (no callbacks), so png.ts renders them in Node and html.ts embeds them as data; the few
 * behaviours chart.js lacks (p99 whiskers, value labels, a white background, chosen ticks) are
 * plugins in assets/chart-runtime.js, which both renderers load, switched on by options here.
 *
 * Charts are generic over rows: per workload, one chart per latency metric (strategies side by side,
 * p99 whiskers), VMAs and kernel memory by strategy; where a workload sweeps a batch size, a line
 * per batched strategy with the one-call-per-guard strategies as reference lines; where it sweeps a
 * size axis (stacks, regions), cost against that axis.
 */
import type { Params, Row, Run } from '../results/schema.js';
import { formatValue, paramsKey } from './summary.js';
import {
  axisValues, cell, formatRatio, describePoint, isVmaMetric, perWhat, workloadShapes,
  type MetricInfo, type PointInfo, type WorkloadShape,
} from './facts.js';

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
  /** file stem: charts/<id>.png, and the canvas id in report.html */
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
const BYTES_COLOURS = ['#CC79A7', '#56B4E9', '#E69F00', '#F0E442'];

/** The system call a strategy makes per guard, for labels that name what a loop does. */
export const STRATEGY_CALLS: Record<string, string> = {
  'prot-none': 'mprotect',
  'guard-madvise': 'madvise',
  'guard-process-madvise': 'process_madvise',
};

/** Axes a workload sweeps in size, plotted as cost against size. */
const SIZE_AXES = ['stacks', 'regions'];
/** The axis of a strategy's own batching (summary.ts VARIANT_AXES). */
const BATCH_AXIS = 'batch';
/** Beyond this many combinations of the other axes, further sweep charts add little: skip them. */
const MAX_SWEEP_CHARTS = 4;
/** When the largest value is this many times the smallest, a linear axis hides the small ones. */
const LOG_SPREAD = 30;

export function strategyColour(strategy: string, index = 0): string {
  return STRATEGY_COLOURS[strategy] ?? SPARE_COLOURS[index % SPARE_COLOURS.length]!;
}

export function bytesLabel(metric: string): string {
  if (metric === 'vma_slab_bytes') return 'VMA slab';
  if (metric === 'page_table_bytes') return 'page tables';
  return metric.replace(/_bytes$/, '').replace(/_/g, ' ');
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'chart';
}

interface AxisOptions {
  title: string;
  log?: boolean;
  /** the largest value drawn (a p99 whisker, a label): the axis leaves room above it */
  top?: number;
  /** explicit tick values (guardbenchTicks, applied by the runtime) */
  ticks?: number[];
  min?: number;
  max?: number;
  numeric?: boolean;
}

function axis(o: AxisOptions): Record<string, unknown> {
  const a: Record<string, unknown> = {
    type: o.log ? 'logarithmic' : o.numeric ? 'linear' : undefined,
    title: { display: true, text: o.title, color: '#333', font: { size: 13 } },
    grid: { color: '#e6e6e6' },
    ticks: { color: '#333' },
  };
  if (!o.numeric && !o.log) delete a.type;
  if (o.ticks) a.guardbenchTicks = o.ticks;
  if (o.min !== undefined) a.min = o.min;
  if (o.max !== undefined) a.max = o.max;
  if (o.top !== undefined && o.top > 0) a.suggestedMax = o.log ? o.top * 1.6 : o.top * 1.1;
  if (!o.log && o.numeric) a.beginAtZero = true;
  return a;
}

function options(title: string, subtitle: string | string[], x: Record<string, unknown>, y: Record<string, unknown>,
  extra: { legend?: boolean; labels?: boolean; pointLegend?: boolean } = {}): Record<string, unknown> {
  return {
    aspectRatio: CHART_ASPECT,
    layout: { padding: { top: 4, right: 16, left: 4, bottom: 0 } },
    plugins: {
      title: { display: true, text: title, color: '#111', font: { size: 16, weight: 'bold' }, padding: { top: 4, bottom: 2 } },
      subtitle: { display: true, text: subtitle, color: '#444', font: { size: 12 }, padding: { bottom: 10 } },
      legend: {
        display: extra.legend ?? true, position: 'bottom',
        // Line charts show each series' own stroke (dashed references stay dashed) in the legend.
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

/** A point label as chart.js multi-line tick text. */
function pointLines(point: PointInfo): string[] {
  return point.label.split(', ');
}

function okRows(shape: WorkloadShape, metric: string): Row[] {
  return shape.rows.filter((r) => r.metric === metric && r.status === 'ok' && r.value !== null);
}

function spread(values: number[]): number {
  const positive = values.filter((v) => v > 0);
  if (positive.length < 2) return 1;
  return Math.max(...positive) / Math.min(...positive);
}

function whisker(row: Row | undefined): [number, number] | null {
  return row?.stats && row.status === 'ok' ? [row.stats.median, row.stats.p99] : null;
}

function constantsNote(shape: WorkloadShape, extra: Params = {}): string {
  const params = { ...shape.constant, ...extra };
  return describePoint(params, Object.keys(params));
}

/** Strategies side by side at each point: one colour per strategy, p99 whiskers when latency. */
function barsByStrategy(shape: WorkloadShape, metric: MetricInfo, points: PointInfo[], withWhiskers: boolean):
  { labels: (string | string[])[]; datasets: ChartDataset[]; values: number[]; legend: boolean } {
  const strategies = shape.strategies.filter((s) => points.some((p) => {
    const r = cell(shape, p, s, metric.metric);
    return r?.status === 'ok' && r.value !== null;
  }));
  const values: number[] = [];
  const note = (r: Row | undefined) => {
    if (r?.value != null && r.status === 'ok') values.push(r.value);
    if (withWhiskers && r?.stats && r.status === 'ok') values.push(r.stats.p99);
  };
  if (points.length === 1) {
    // One point: strategies are the categories, one bar each in the strategy's colour.
    const rows = strategies.map((s) => cell(shape, points[0]!, s, metric.metric));
    rows.forEach(note);
    return {
      labels: strategies,
      legend: false,
      values,
      datasets: [{
        label: metric.metric,
        data: rows.map((r) => (r?.status === 'ok' ? r.value : null)),
        backgroundColor: strategies.map((s, i) => strategyColour(s, i)),
        unit: metric.unit,
        ...(withWhiskers ? { whiskers: rows.map(whisker), rme: rows.map((r) => r?.stats?.rme ?? null) } : {}),
      }],
    };
  }
  return {
    labels: points.map(pointLines),
    legend: true,
    values,
    datasets: strategies.map((s, i) => {
      const rows = points.map((p) => cell(shape, p, s, metric.metric));
      rows.forEach(note);
      return {
        label: s,
        data: rows.map((r) => (r?.status === 'ok' ? r.value : null)),
        backgroundColor: strategyColour(s, i),
        unit: metric.unit,
        ...(withWhiskers ? { whiskers: rows.map(whisker), rme: rows.map((r) => r?.stats?.rme ?? null) } : {}),
      };
    }),
  };
}

function skippedNote(shape: WorkloadShape, metric: string): string {
  const skipped = shape.strategies.filter((s) => !okRows(shape, metric).some((r) => r.strategy === s)
    && shape.rows.some((r) => r.strategy === s && r.metric === metric));
  return skipped.length ? ` · not measured: ${skipped.join(', ')}` : '';
}

function latencyChart(shape: WorkloadShape, metric: MetricInfo): ChartSpec | null {
  const points = shape.points.filter((p) => shape.strategies.some((s) => cell(shape, p, s, metric.metric)?.status === 'ok'));
  if (points.length === 0) return null;
  const bars = barsByStrategy(shape, metric, points, true);
  const log = spread(bars.values) > LOG_SPREAD;
  const title = `${shape.name}: ${metric.metric} (${metric.unit})`;
  const subtitle = [
    `bars: median · whiskers: p99 · lower is better${log ? ' · log scale' : ''}`,
    constantsNote(shape) + skippedNote(shape, metric.metric),
  ].filter(Boolean);
  return {
    id: `${slug(shape.name)}-${slug(metric.metric)}`,
    workload: shape.name,
    title,
    alt: `${shape.name} ${metric.metric} by strategy: median bars with p99 whiskers, ${metric.unit}`,
    config: {
      type: 'bar',
      data: { labels: bars.labels, datasets: bars.datasets },
      options: options(title, subtitle,
        axis({ title: points.length === 1 ? 'strategy' : shape.varying.join(', ') }),
        axis({ title: `${metric.metric}, ${metric.unit}${log ? ' (log)' : ''}`, log, numeric: true, top: Math.max(...bars.values) }),
        { legend: bars.legend }),
    },
  };
}

/** Points grouped by the values of every varying axis except `except`. */
function combos(shape: WorkloadShape, except: string): { params: Params; label: string; points: PointInfo[] }[] {
  const others = shape.varying.filter((a) => a !== except);
  const groups = new Map<string, { params: Params; label: string; points: PointInfo[] }>();
  for (const p of shape.points) {
    const sub: Params = {};
    for (const a of others) if (a in p.params) sub[a] = p.params[a]!;
    const key = paramsKey(sub);
    if (!groups.has(key)) groups.set(key, { params: sub, label: describePoint(sub, others), points: [] });
    groups.get(key)!.points.push(p);
  }
  return [...groups.values()];
}

function rowAt(shape: WorkloadShape, points: PointInfo[], strategy: string, metric: string, axisName: string, value: number): Row | undefined {
  const p = points.find((q) => q.params[axisName] === value);
  return p ? cell(shape, p, strategy, metric) : undefined;
}

/**
 * Cost per guard against guards per call: batched strategies as lines, one-call-per-guard
 * strategies (which run at batch 1 only) as dashed horizontal references across the sweep, and the
 * cover letter's ~5x over prot-none as a dotted target.
 */
function batchSweepCharts(shape: WorkloadShape, metric: MetricInfo): ChartSpec[] {
  const batches = axisValues(shape, BATCH_AXIS);
  // Pad the log axis so the end points and their whiskers are not cut in half.
  const lo = batches[0]! / 1.3;
  const hi = batches[batches.length - 1]! * 1.3;
  return combos(shape, BATCH_AXIS).slice(0, MAX_SWEEP_CHARTS).flatMap((combo, n) => {
    const datasets: ChartDataset[] = [];
    const values: number[] = [];
    const protNoneRow = combo.points.map((p) => cell(shape, p, 'prot-none', metric.metric)).find((r) => r?.status === 'ok' && r.value);
    const protNone = protNoneRow?.value ?? null;
    // Each batched point says its figure and, where prot-none was measured, how many times faster it is.
    const pointLabel = (v: number) => `${formatValue(v)}${protNone ? ` (${formatRatio(protNone / v)})` : ''}`;
    shape.strategies.forEach((s, i) => {
      const rows = batches.map((b) => rowAt(shape, combo.points, s, metric.metric, BATCH_AXIS, b));
      const ok = rows.map((r, j) => ({ r, b: batches[j]! })).filter(({ r }) => r?.status === 'ok' && r.value !== null);
      if (ok.length === 0) return;
      const colour = strategyColour(s, i);
      const call = STRATEGY_CALLS[s] ?? s;
      for (const { r } of ok) values.push(r!.value!, r!.stats?.p99 ?? r!.value!);
      if (ok.length === 1) {
        const v = ok[0]!.r!.value!;
        datasets.push({
          type: 'line', label: `${s}: one ${call}() per guard, ${formatValue(v, metric.unit)}`,
          data: [{ x: lo, y: v }, { x: hi, y: v }], borderColor: colour, backgroundColor: colour,
          borderDash: [8, 5], borderWidth: 2, pointRadius: 0, pointHoverRadius: 0, pointStyle: 'line', unit: metric.unit,
        });
        return;
      }
      datasets.push({
        type: 'line', label: `${s}: ${call}(), batch guards per call`,
        data: ok.map(({ r, b }) => ({ x: b, y: r!.value })), borderColor: colour, backgroundColor: colour,
        borderWidth: 3, pointRadius: 4, unit: metric.unit,
        whiskers: ok.map(({ r }) => whisker(r)), rme: ok.map(({ r }) => r!.stats?.rme ?? null),
        pointLabels: ok.map(({ r }) => pointLabel(r!.value!)),
      });
    });
    if (!datasets.some((d) => d.whiskers)) return [];
    if (protNone !== null) {
      const target = protNone / 5;
      datasets.push({
        type: 'line', label: `prot-none ÷ 5 (the cover letter's ~5x), ${formatValue(target, metric.unit)}`,
        data: [{ x: lo, y: target }, { x: hi, y: target }], borderColor: '#777777', backgroundColor: '#777777',
        borderDash: [2, 4], borderWidth: 1.5, pointRadius: 0, pointHoverRadius: 0, pointStyle: 'line', unit: metric.unit,
      });
    }
    const log = spread(values) > LOG_SPREAD;
    const title = `${shape.name}: ${metric.metric} (${metric.unit}) against batch size${log ? ' (log y)' : ''}`;
    const subtitle = [
      `dashed: one call per guard, paying the FFI and kernel entry per guard · solid: one call per batch${protNone ? ' (labels: x faster than prot-none)' : ''}`,
      constantsNote(shape, combo.params),
    ].filter(Boolean);
    const suffix = n === 0 ? '' : `-${n + 1}`;
    return [{
      id: `${slug(shape.name)}-${slug(metric.metric)}-vs-batch${suffix}`,
      workload: shape.name,
      title,
      alt: `${shape.name} ${metric.metric} (${metric.unit}) against guards per call, log x axis, with one-call-per-guard loops as reference lines`,
      config: {
        type: 'line',
        data: { datasets },
        options: options(title, subtitle,
          axis({ title: 'guards per call (batch, log scale)', log: true, ticks: batches, min: lo, max: hi }),
          axis({ title: `${metric.metric}, ${metric.unit}${log ? ' (log)' : ''}`, log, numeric: true, top: Math.max(...values) }),
          { pointLegend: true, labels: true }),
      },
    }];
  });
}

/** Cost against a size axis (stacks, regions): does a strategy's cost grow with the count? */
function sizeCharts(shape: WorkloadShape, metric: MetricInfo, sizeAxis: string): ChartSpec[] {
  const sizes = axisValues(shape, sizeAxis);
  const logX = sizes[sizes.length - 1]! / sizes[0]! >= 8;
  const pad = logX ? 1.25 : 1;
  return combos(shape, sizeAxis).slice(0, MAX_SWEEP_CHARTS).flatMap((combo, n) => {
    const values: number[] = [];
    const datasets: ChartDataset[] = [];
    shape.strategies.forEach((s, i) => {
      const rows = sizes.map((v) => rowAt(shape, combo.points, s, metric.metric, sizeAxis, v));
      const ok = rows.map((r, j) => ({ r, v: sizes[j]! })).filter(({ r }) => r?.status === 'ok' && r.value !== null);
      if (ok.length < 2) return;
      for (const { r } of ok) values.push(r!.value!, r!.stats?.p99 ?? r!.value!);
      const colour = strategyColour(s, i);
      datasets.push({
        type: 'line', label: s, data: ok.map(({ r, v }) => ({ x: v, y: r!.value })), borderColor: colour, backgroundColor: colour,
        borderWidth: 3, pointRadius: 4, unit: metric.unit,
        whiskers: ok.map(({ r }) => whisker(r)), rme: ok.map(({ r }) => r!.stats?.rme ?? null),
      });
    });
    if (datasets.length === 0) return [];
    const log = spread(values) > LOG_SPREAD;
    const title = `${shape.name}: ${metric.metric} (${metric.unit}) against ${sizeAxis}`;
    const subtitle = [`median, whiskers to p99 · flat lines mean the cost per item does not grow with the count${log ? ' · log y' : ''}`,
      constantsNote(shape, combo.params)].filter(Boolean);
    const suffix = n === 0 ? '' : `-${n + 1}`;
    return [{
      id: `${slug(shape.name)}-${slug(metric.metric)}-vs-${slug(sizeAxis)}${suffix}`,
      workload: shape.name,
      title,
      alt: `${shape.name} ${metric.metric} against the number of ${sizeAxis}, one line per strategy`,
      config: {
        type: 'line',
        data: { datasets },
        options: options(title, subtitle,
          axis({ title: `${sizeAxis}${logX ? ' (log scale)' : ''}`, log: logX, numeric: true, ticks: sizes,
            min: sizes[0]! / pad, max: sizes[sizes.length - 1]! * pad }),
          axis({ title: `${metric.metric}, ${metric.unit}${log ? ' (log)' : ''}`, log, numeric: true, top: Math.max(...values) })),
      },
    }];
  });
}

/** The VMA metric a workload reports, per region when it has one. */
export function vmaMetric(shape: WorkloadShape): MetricInfo | undefined {
  const vmas = shape.metrics.filter((m) => isVmaMetric(m.metric, m.unit));
  return vmas.find((m) => m.unit.includes('/')) ?? vmas[0];
}

function vmaChart(shape: WorkloadShape): ChartSpec | null {
  const metric = vmaMetric(shape);
  if (!metric || okRows(shape, metric.metric).length === 0) return null;
  const points = shape.points.filter((p) => shape.strategies.some((s) => cell(shape, p, s, metric.metric)?.status === 'ok'));
  const bars = barsByStrategy(shape, metric, points, false);
  const per = perWhat(metric.unit);
  const title = `${shape.name}: VMAs ${per || 'added'} (${metric.metric})`;
  const subtitle = [`fewer is better: a PROT_NONE guard splits its mapping; a guard marker lives in the page tables`, constantsNote(shape)].filter(Boolean);
  return {
    id: `${slug(shape.name)}-vmas`,
    workload: shape.name,
    title,
    alt: `${shape.name} VMAs ${per || 'added'} by strategy (${metric.metric})`,
    config: {
      type: 'bar',
      data: { labels: bars.labels, datasets: bars.datasets },
      options: options(title, subtitle,
        axis({ title: points.length === 1 ? 'strategy' : shape.varying.join(', ') }),
        axis({ title: `${metric.metric}, ${metric.unit}`, numeric: true, top: Math.max(...bars.values) }),
        { legend: bars.legend, labels: true }),
    },
  };
}

/**
 * Kernel memory per region by strategy. At one point each bytes metric is its own bar (VMA slab
 * beside page tables: where each strategy's cost lands); over several points, one bar per strategy
 * with their sum. Bars are not stacked: slab deltas can be slightly negative (objects freed by
 * other work while sampling), and a stack mixing signs would hide that.
 */
function memoryChart(shape: WorkloadShape): ChartSpec | null {
  const metrics = shape.metrics.filter((m) => m.kind === 'bytes' && okRows(shape, m.metric).length > 0);
  if (metrics.length === 0) return null;
  const has = (p: PointInfo, s: string) => metrics.some((m) => cell(shape, p, s, m.metric)?.status === 'ok');
  const points = shape.points.filter((p) => shape.strategies.some((s) => has(p, s)));
  const strategies = shape.strategies.filter((s) => points.some((p) => has(p, s)));
  const value = (p: PointInfo, s: string, m: MetricInfo) => {
    const r = cell(shape, p, s, m.metric);
    return r?.status === 'ok' ? r.value : null;
  };
  const total = (p: PointInfo, s: string) => {
    const vs = metrics.map((m) => value(p, s, m)).filter((v): v is number => v !== null);
    return vs.length ? vs.reduce((a, b) => a + b, 0) : null;
  };
  const unit = metrics[0]!.unit;
  const parts = metrics.map((m) => bytesLabel(m.metric)).join(' + ');
  let labels: (string | string[])[];
  let datasets: ChartDataset[];
  if (points.length === 1) {
    labels = strategies;
    datasets = metrics.map((m, i) => ({
      label: bytesLabel(m.metric), unit: m.unit,
      data: strategies.map((s) => value(points[0]!, s, m)), backgroundColor: BYTES_COLOURS[i % BYTES_COLOURS.length]!,
    }));
  } else {
    labels = points.map(pointLines);
    datasets = strategies.map((s, i) => ({
      label: s, unit, data: points.map((p) => total(p, s)), backgroundColor: strategyColour(s, i),
    }));
  }
  const values = datasets.flatMap((d) => (d.data as (number | null)[]).filter((v): v is number => v !== null));
  const negative = values.some((v) => v < 0);
  const title = `${shape.name}: kernel memory ${perWhat(unit)} (${unit})`;
  const subtitle = [
    `${points.length === 1 ? parts : `sum of ${parts}`} · measured around one setup of many, divided per region · less is better`,
    negative ? `${constantsNote(shape)} · below 0: slab freed by other work while sampling (noise)` : constantsNote(shape),
  ].filter(Boolean);
  return {
    id: `${slug(shape.name)}-memory`,
    workload: shape.name,
    title,
    alt: `${shape.name} kernel memory ${perWhat(unit)} by strategy (${parts})`,
    config: {
      type: 'bar',
      data: { labels, datasets },
      options: options(title, subtitle,
        axis({ title: points.length === 1 ? 'strategy' : shape.varying.join(', ') }),
        axis({ title: unit, numeric: true, top: Math.max(...values) }),
        { legend: true, labels: true }),
    },
  };
}

function sweepsBatch(shape: WorkloadShape, metric: MetricInfo): boolean {
  if (axisValues(shape, BATCH_AXIS).length < 2) return false;
  // Only when some strategy was measured at several batch sizes (not just the one-call loops).
  return shape.strategies.some((s) => new Set(okRows(shape, metric.metric).filter((r) => r.strategy === s).map((r) => r.params[BATCH_AXIS])).size > 1);
}

export function chartsForWorkload(shape: WorkloadShape): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const latency = shape.metrics.filter((m) => m.kind === 'latency');
  for (const m of latency) {
    if (sweepsBatch(shape, m)) charts.push(...batchSweepCharts(shape, m));
    else {
      const c = latencyChart(shape, m);
      if (c) charts.push(c);
    }
  }
  const first = latency[0];
  if (first && axisValues(shape, BATCH_AXIS).length < 2) {
    for (const a of SIZE_AXES) if (axisValues(shape, a).length >= 2) charts.push(...sizeCharts(shape, first, a));
  }
  for (const c of [vmaChart(shape), memoryChart(shape)]) if (c) charts.push(c);
  return charts;
}

/** All charts of a run, ids unique. */
export function chartsForRun(run: Run): ChartSpec[] {
  const seen = new Set<string>();
  return workloadShapes(run).flatMap(chartsForWorkload).map((c) => {
    let id = c.id;
    for (let n = 2; seen.has(id); n++) id = `${c.id}-${n}`;
    seen.add(id);
    return { ...c, id };
  });
}
