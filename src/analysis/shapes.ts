/**
 * What a run's rows look like, per workload: its strategies, its metrics (with their meaning), its
 * parameter points, which axes vary and which hold one value. Every reporter lays its tables and
 * charts out from these shapes. Pure functions of a Run.
 */
import { STRATEGY_NAMES, type MetricSpec, type Params, type Row, type Run } from '../results/schema.js';
import { paramsKey } from './keys.js';
import { specOf, workloadSpecs } from './specs.js';

export interface PointInfo {
  params: Params;
  key: string;
}

export interface WorkloadShape {
  name: string;
  rows: Row[];
  strategies: string[];
  /** the metrics the rows have, each with its meaning, in first-seen order */
  metrics: MetricSpec[];
  points: PointInfo[];
  /** axes with more than one value in this workload, in first-seen order */
  varying: string[];
  /** the other axes, which hold one value throughout */
  constant: Params;
  /** axes that vary a strategy's own working (batch size) rather than the memory */
  variantAxes: readonly string[];
  /** axes that count what the cost is divided by (stacks, regions) */
  sizeAxes: readonly string[];
}

/** The usual strategy order (the floor, the classic guard, then markers); unknown names after, by name. */
export function strategyOrder(a: string, b: string): number {
  const rank = (s: string) => {
    const i = STRATEGY_NAMES.indexOf(s as never);
    return i < 0 ? STRATEGY_NAMES.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Workloads in first-seen order, each described by its rows. */
export function workloadShapes(run: Run): WorkloadShape[] {
  const byWorkload = new Map<string, Row[]>();
  for (const row of run.rows) {
    const list = byWorkload.get(row.workload) ?? [];
    list.push(row);
    byWorkload.set(row.workload, list);
  }
  return [...byWorkload].map(([name, rows]) => shapeOf(run, name, rows));
}

function shapeOf(run: Run, name: string, rows: Row[]): WorkloadShape {
  const strategies = [...new Set(rows.map((r) => r.strategy))].sort(strategyOrder);
  const metrics = new Map<string, MetricSpec>();
  for (const r of rows) if (!metrics.has(r.metric)) metrics.set(r.metric, specOf(run, r));

  const values = new Map<string, Set<string>>();
  for (const r of rows) {
    for (const [k, v] of Object.entries(r.params)) {
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(JSON.stringify(v));
    }
  }
  const varying = [...values].filter(([, vs]) => vs.size > 1).map(([k]) => k);
  const constant: Params = {};
  for (const r of rows) for (const [k, v] of Object.entries(r.params)) if (!varying.includes(k)) constant[k] = v;

  const points = new Map<string, PointInfo>();
  for (const r of rows) {
    const key = paramsKey(r.params);
    if (!points.has(key)) points.set(key, { params: r.params, key });
  }
  const spec = workloadSpecs(run).get(name);
  return {
    name, rows, strategies, metrics: [...metrics.values()], points: [...points.values()], varying, constant,
    variantAxes: spec?.variantAxes ?? [], sizeAxes: spec?.sizeAxes ?? [],
  };
}

/** The row of one strategy and metric at one point. */
export function cell(shape: WorkloadShape, point: PointInfo, strategy: string, metric: string): Row | undefined {
  return shape.rows.find((r) => r.strategy === strategy && r.metric === metric && paramsKey(r.params) === point.key);
}

/** The point a row belongs to. */
export function pointOf(shape: WorkloadShape, row: Row): PointInfo | undefined {
  const key = paramsKey(row.params);
  return shape.points.find((p) => p.key === key);
}

/** Numeric values of an axis within a workload, ascending. */
export function axisValues(shape: WorkloadShape, axis: string): number[] {
  const vs = new Set<number>();
  for (const p of shape.points) if (typeof p.params[axis] === 'number') vs.add(p.params[axis] as number);
  return [...vs].sort((a, b) => a - b);
}

/** Measured rows of one metric. */
export function okRows(shape: WorkloadShape, metric: string): Row[] {
  return shape.rows.filter((r) => r.metric === metric && r.status === 'ok' && r.value !== null);
}
