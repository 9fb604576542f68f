/**
 * The figures a reader sees first, per workload: each headline figure (headline-rule.ts says which:
 * those that answer the workload's questions, and every latency where markers are 2x faster or
 * slower than prot-none) for every strategy with its gain over prot-none, and the VMAs and kernel
 * memory the guards cost at the point that stands for the workload. Workloads with neither a
 * headline figure nor a footprint have no headline.
 */
import { BASELINE_STRATEGY, type MetricSpec, type Params, type Row, type Run } from '../results/schema.js';
import { footprintAt, footprintVsProtNone, memoryMetrics, vmaMetric, type FootprintComparison } from './footprint.js';
import { gainsOverProtNone, type Gain } from './gains.js';
import { paramsKey } from './keys.js';
import { headlinePlacements, type HeadlinePlacement, type HeadlineReason } from './headline-rule.js';
import { cell, workloadShapes, type PointInfo, type WorkloadShape } from './shapes.js';
import { isMarkerStrategy } from './specs.js';

export interface HeadlineCell {
  strategy: string;
  row: Row;
  gain: Gain | null;
  /** the values of the strategy's own variant axes (a batch size) when it ran several and this was its best */
  variant: Params | null;
}

/** One row of the headline table: a figure of every strategy at one point, and why it is a headline. */
export interface HeadlineFigure {
  metric: MetricSpec;
  point: PointInfo;
  reason: HeadlineReason;
  cells: HeadlineCell[];
}

export interface HeadlineWorkload {
  shape: WorkloadShape;
  /** the point that stands for the workload: its footprint's, and its figures' unless a question asks elsewhere */
  point: PointInfo;
  /** latencies, then the counts that answer a question no footprint figure answers */
  figures: HeadlineFigure[];
  /** the metric that counts the VMAs the guards occupy, and each strategy's footprint at the point */
  vmas: MetricSpec | undefined;
  memory: MetricSpec[];
  footprints: FootprintComparison[];
}

/** The point that stands for a workload: where its footprint is measured cleanly, else where prot-none's first headline latency is. */
function headlinePoint(shape: WorkloadShape): PointInfo | undefined {
  for (const s of shape.strategies.filter(isMarkerStrategy)) {
    const f = footprintVsProtNone(shape, s);
    if (f) return f.point;
  }
  const first = shape.metrics.find((m) => m.kind === 'latency' && m.headline);
  const measured = first && shape.points.find((p) => cell(shape, p, BASELINE_STRATEGY, first.metric)?.status === 'ok');
  return measured ?? shape.points[0];
}

function better(spec: MetricSpec, a: Row, b: Row): Row {
  if (spec.better === 'higher') return b.value! > a.value! ? b : a;
  return b.value! < a.value! ? b : a;
}

/** Each strategy's measured row of `metric` at `point`, over any value of its variant axes (its best one). */
function figureCells(run: Run, shape: WorkloadShape, point: PointInfo, metric: MetricSpec): HeadlineCell[] {
  const key = paramsKey(point.params, shape.variantAxes);
  const gains = metric.kind === 'latency' ? gainsOverProtNone(run, metric.metric).filter((g) => g.row.workload === shape.name) : [];
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

/**
 * A count or byte figure earns a row of its own only when it answers a question the footprint rows
 * (the VMAs and kernel memory beside prot-none's) do not already answer.
 */
function ownRow(shape: WorkloadShape, placement: HeadlinePlacement): boolean {
  const m = placement.metric;
  if (m.kind === 'latency') return true;
  if (m.footprint || !m.answers?.length) return false;
  const byFootprint = new Set(shape.metrics.filter((x) => x.footprint).flatMap((x) => x.answers ?? []));
  return m.answers.some((q) => !byFootprint.has(q));
}

function headlineOf(run: Run, shape: WorkloadShape): HeadlineWorkload | null {
  const point = headlinePoint(shape);
  if (!point) return null;
  const placements = headlinePlacements(run, shape, point).filter((p) => ownRow(shape, p));
  // Latencies first, as the workload declares its metrics; then the counts.
  const order = (p: HeadlinePlacement) => (p.metric.kind === 'latency' ? 0 : 1);
  const figures = placements.sort((a, b) => order(a) - order(b))
    .map((p) => ({ ...p, cells: figureCells(run, shape, p.point, p.metric) }))
    .filter((f) => f.cells.length > 0);
  const footprints = shape.strategies.map((s) => footprintAt(shape, s, point)).filter((f) => f.vma || f.bytes);
  if (figures.length === 0 && footprints.length === 0) return null;
  return { shape, point, figures, vmas: vmaMetric(shape), memory: memoryMetrics(shape), footprints };
}

/** The headline of every workload that has one, in the run's order. */
export function headlineFigures(run: Run): HeadlineWorkload[] {
  return workloadShapes(run).map((shape) => headlineOf(run, shape)).filter((h): h is HeadlineWorkload => h !== null);
}
