/**
 * Every chart of a report, as a pure function Run -> chart configurations of the chart kit
 * (render/charts.ts): per workload, one chart per latency metric (strategies side by side, p99
 * whiskers), the VMAs and kernel memory the guards cost by strategy; where a workload sweeps a
 * strategy's variant axis (a batch size), a line per batched strategy with the one-call-per-guard
 * strategies as reference lines; where it sweeps a size axis (stacks, regions), cost against it.
 * Which metric is which comes from the run's metric specs.
 */
import type { MetricSpec, Params, Row, Run } from '../results/schema.js';
import { axisValues, cell, okRows, workloadShapes, type PointInfo, type WorkloadShape } from '../analysis/shapes.js';
import { memoryMetrics, vmaMetric } from '../analysis/footprint.js';
import { paramsKey } from '../analysis/keys.js';
import {
  axis, chartOptions as options, LOG_SPREAD, PART_COLOURS, slug, spreadOf as spread, strategyColour,
  type ChartDataset, type ChartSpec,
} from '../render/charts.js';
import { describePoint, formatRatio, formatValue, perWhat, pointLabel } from '../render/format.js';

/** The system call a strategy makes per guard, for labels that name what a loop does. */
const STRATEGY_CALLS: Record<string, string> = {
  'prot-none': 'mprotect',
  'guard-madvise': 'madvise',
  'guard-process-madvise': 'process_madvise',
};

/** Beyond this many combinations of the other axes, further sweep charts add little: skip them. */
const MAX_SWEEP_CHARTS = 4;

/** How a chart names a kernel-memory metric. */
export function memoryLabel(metric: MetricSpec): string {
  return metric.label ?? metric.metric;
}

/** A point label as chart.js multi-line tick text. */
function pointLines(shape: WorkloadShape, point: PointInfo): string[] {
  return pointLabel(point.params, shape.varying).split(', ');
}

function whisker(row: Row | undefined): [number, number] | null {
  return row?.stats && row.status === 'ok' ? [row.stats.median, row.stats.p99] : null;
}

function constantsNote(shape: WorkloadShape, extra: Params = {}): string {
  const params = { ...shape.constant, ...extra };
  return describePoint(params, Object.keys(params));
}

/** Strategies side by side at each point: one colour per strategy, p99 whiskers when latency. */
function barsByStrategy(shape: WorkloadShape, metric: MetricSpec, points: PointInfo[], withWhiskers: boolean):
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
    labels: points.map((p) => pointLines(shape, p)),
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

function latencyChart(shape: WorkloadShape, metric: MetricSpec): ChartSpec | null {
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
function batchSweepCharts(shape: WorkloadShape, metric: MetricSpec, batchAxis: string): ChartSpec[] {
  const batches = axisValues(shape, batchAxis);
  // Pad the log axis so the end points and their whiskers are not cut in half.
  const lo = batches[0]! / 1.3;
  const hi = batches[batches.length - 1]! * 1.3;
  return combos(shape, batchAxis).slice(0, MAX_SWEEP_CHARTS).flatMap((combo, n) => {
    const datasets: ChartDataset[] = [];
    const values: number[] = [];
    const protNoneRow = combo.points.map((p) => cell(shape, p, 'prot-none', metric.metric)).find((r) => r?.status === 'ok' && r.value);
    const protNone = protNoneRow?.value ?? null;
    // Each batched point says its figure and, where prot-none was measured, how many times faster it is.
    const pointLabel = (v: number) => `${formatValue(v)}${protNone ? ` (${formatRatio(protNone / v)})` : ''}`;
    shape.strategies.forEach((s, i) => {
      const rows = batches.map((b) => rowAt(shape, combo.points, s, metric.metric, batchAxis, b));
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
function sizeCharts(shape: WorkloadShape, metric: MetricSpec, sizeAxis: string): ChartSpec[] {
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
  const metrics = memoryMetrics(shape).filter((m) => okRows(shape, m.metric).length > 0);
  if (metrics.length === 0) return null;
  const has = (p: PointInfo, s: string) => metrics.some((m) => cell(shape, p, s, m.metric)?.status === 'ok');
  const points = shape.points.filter((p) => shape.strategies.some((s) => has(p, s)));
  const strategies = shape.strategies.filter((s) => points.some((p) => has(p, s)));
  const value = (p: PointInfo, s: string, m: MetricSpec) => {
    const r = cell(shape, p, s, m.metric);
    return r?.status === 'ok' ? r.value : null;
  };
  const total = (p: PointInfo, s: string) => {
    const vs = metrics.map((m) => value(p, s, m)).filter((v): v is number => v !== null);
    return vs.length ? vs.reduce((a, b) => a + b, 0) : null;
  };
  const unit = metrics[0]!.unit;
  const parts = metrics.map(memoryLabel).join(' + ');
  let labels: (string | string[])[];
  let datasets: ChartDataset[];
  if (points.length === 1) {
    labels = strategies;
    datasets = metrics.map((m, i) => ({
      label: memoryLabel(m), unit: m.unit,
      data: strategies.map((s) => value(points[0]!, s, m)), backgroundColor: PART_COLOURS[i % PART_COLOURS.length]!,
    }));
  } else {
    labels = points.map((p) => pointLines(shape, p));
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

/** The variant axis (batch size) the workload sweeps for `metric`, if some strategy was measured at several of its values. */
function sweptVariant(shape: WorkloadShape, metric: MetricSpec): string | null {
  for (const a of shape.variantAxes) {
    if (axisValues(shape, a).length < 2) continue;
    // Only when some strategy was measured at several batch sizes (not just the one-call loops).
    if (shape.strategies.some((s) => new Set(okRows(shape, metric.metric).filter((r) => r.strategy === s).map((r) => r.params[a])).size > 1)) return a;
  }
  return null;
}

export function chartsForWorkload(shape: WorkloadShape): ChartSpec[] {
  const charts: ChartSpec[] = [];
  const latency = shape.metrics.filter((m) => m.kind === 'latency');
  for (const m of latency) {
    const variant = sweptVariant(shape, m);
    if (variant) charts.push(...batchSweepCharts(shape, m, variant));
    else {
      const c = latencyChart(shape, m);
      if (c) charts.push(c);
    }
  }
  const first = latency[0];
  if (first && !shape.variantAxes.some((a) => axisValues(shape, a).length >= 2)) {
    for (const a of shape.sizeAxes) if (axisValues(shape, a).length >= 2) charts.push(...sizeCharts(shape, first, a));
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
