/**
 * The figures a reader sees first, per workload: each headline latency (the metric specs say which)
 * for every strategy, its gain over prot-none, and the VMAs and kernel memory the guards cost, all
 * at one point that stands for the workload. Workloads with neither a headline latency nor a
 * footprint have no headline.
 */
import { BASELINE_STRATEGY, type MetricSpec, type Params, type Row, type Run } from '../results/schema.js';
import { footprintAt, footprintVsProtNone, memoryMetrics, vmaMetric, type FootprintComparison } from './footprint.js';
import { gainsOverProtNone, type Gain } from './gains.js';
import { paramsKey } from './keys.js';
import { cell, workloadShapes, type PointInfo, type WorkloadShape } from './shapes.js';
import { isMarkerStrategy } from './specs.js';

export interface HeadlineCell {
  strategy: string;
  row: Row;
  gain: Gain | null;
  /** the values of the strategy's own variant axes (a batch size) when it ran several and this was its best */
  variant: Params | null;
}

export interface HeadlineLatency {
  metric: MetricSpec;
  cells: HeadlineCell[];
}

export interface HeadlineWorkload {
  shape: WorkloadShape;
  /** the point the figures are from */
  point: PointInfo;
  latencies: HeadlineLatency[];
  /** the metric that counts the VMAs the guards occupy, and each strategy's footprint at the point */
  vmas: MetricSpec | undefined;
  memory: MetricSpec[];
  footprints: FootprintComparison[];
}

/** The point that stands for a workload: where its footprint is measured cleanly, else where prot-none's first headline latency is. */
function headlinePoint(shape: WorkloadShape, latencies: MetricSpec[]): PointInfo | undefined {
  for (const s of shape.strategies.filter(isMarkerStrategy)) {
    const f = footprintVsProtNone(shape, s);
    if (f) return f.point;
  }
  const first = latencies[0];
  if (!first) return undefined;
  return shape.points.find((p) => cell(shape, p, BASELINE_STRATEGY, first.metric)?.status === 'ok') ?? shape.points[0];
}

function better(spec: MetricSpec, a: Row, b: Row): Row {
  if (spec.better === 'higher') return b.value! > a.value! ? b : a;
  return b.value! < a.value! ? b : a;
}

/** Each strategy's measured row of `metric` at `point`, over any value of its variant axes (its best one). */
function latencyCells(run: Run, shape: WorkloadShape, point: PointInfo, metric: MetricSpec): HeadlineCell[] {
  const key = paramsKey(point.params, shape.variantAxes);
  const gains = gainsOverProtNone(run, metric.metric).filter((g) => g.row.workload === shape.name);
  const cells: HeadlineCell[] = [];
  for (const strategy of shape.strategies) {
    const rows = shape.rows.filter((r) => r.strategy === strategy && r.metric === metric.metric && r.status === 'ok' && r.value !== null
      && paramsKey(r.params, shape.variantAxes) === key);
    if (rows.length === 0) continue;
    const row = rows.reduce((a, b) => better(metric, a, b));
    const variant = rows.length > 1 ? Object.fromEntries(shape.variantAxes.filter((a) => a in row.params).map((a) => [a, row.params[a]!])) : null;
    cells.push({ strategy, row, gain: gains.find((g) => g.row === row) ?? null, variant });
  }
  return cells;
}

function headlineOf(run: Run, shape: WorkloadShape): HeadlineWorkload | null {
  const latencyMetrics = shape.metrics.filter((m) => m.kind === 'latency' && m.headline);
  const point = headlinePoint(shape, latencyMetrics);
  if (!point) return null;
  const latencies = latencyMetrics.map((metric) => ({ metric, cells: latencyCells(run, shape, point, metric) })).filter((l) => l.cells.length > 0);
  const footprints = shape.strategies.map((s) => footprintAt(shape, s, point)).filter((f) => f.vma || f.bytes);
  if (latencies.length === 0 && footprints.length === 0) return null;
  return { shape, point, latencies, vmas: vmaMetric(shape), memory: memoryMetrics(shape), footprints };
}

/** The headline of every workload that has one, in the run's order. */
export function headlineFigures(run: Run): HeadlineWorkload[] {
  return workloadShapes(run).map((shape) => headlineOf(run, shape)).filter((h): h is HeadlineWorkload => h !== null);
}
