/**
 * The runner owns everything a workload does not: which strategies run, the parameter points, the
 * timing budget, the VMA-count check around every point, and turning what a workload measured into
 * rows of the contract. A point that throws becomes `failed` rows and the run goes on.
 */
import type { Params, Row, StrategyName } from '../results/schema.js';
import type { FeatureProbe } from '../probe/features.js';
import type { Strategy } from '../strategies/index.js';
import { unavailableReason } from '../strategies/index.js';
import type { MetricSpec, Workload, WorkloadContext } from '../workloads/types.js';
import { timeOperation, type TimedOperation, type TimingBudget } from './timing.js';
import { countVmas } from '../metrics/vmas.js';
import { oneLine } from '../errors.js';

/** VMAs Node may add on its own during one point (heap growth); more than this is a leak. */
const LEAK_TOLERANCE = 32;

/** One unit of work: a workload under one strategy at one parameter point. */
export interface PointPlan {
  workload: Workload;
  strategy: Strategy;
  params: Params;
}

export interface RunnerOptions {
  probe: FeatureProbe;
  budget: TimingBudget;
  /** strategies that failed verification on this kernel, with the reason */
  failedVerification?: Partial<Record<StrategyName, string>>;
}

function metricSpec(workload: Workload, metric: string): MetricSpec {
  const spec = workload.metrics.find((m) => m.metric === metric);
  if (!spec) throw new Error(`workload ${workload.name} reports undeclared metric ${metric}`);
  return spec;
}

function baseRow(plan: PointPlan, spec: MetricSpec): Omit<Row, 'value' | 'stats' | 'status'> {
  return { workload: plan.workload.name, strategy: plan.strategy.name, params: plan.params, metric: spec.metric, unit: spec.unit };
}

/** Rows saying every metric of a point was not measured, and why. */
export function notMeasuredRows(plan: PointPlan, status: 'skipped' | 'failed', reason: string): Row[] {
  return plan.workload.metrics.map((spec) => ({ ...baseRow(plan, spec), value: null, stats: null, status, reason }));
}

/** Why this point cannot run here, or null. */
export function pointBlocker(plan: PointPlan, options: RunnerOptions): { status: 'skipped' | 'failed'; reason: string } | null {
  const missing = unavailableReason(plan.strategy, options.probe);
  if (missing) return { status: 'skipped', reason: missing };
  const failed = options.failedVerification?.[plan.strategy.name];
  if (failed) return { status: 'failed', reason: `guard semantics failed verification on this kernel: ${failed}` };
  return null;
}

/** Run one point and return its rows; never throws for a workload's failure. */
export function runPoint(plan: PointPlan, options: RunnerOptions): Row[] {
  const blocker = pointBlocker(plan, options);
  if (blocker) return notMeasuredRows(plan, blocker.status, blocker.reason);

  const rows: Row[] = [];
  const ctx: WorkloadContext = {
    params: plan.params,
    strategy: plan.strategy,
    probe: options.probe,
    time<S>(metric: string, op: TimedOperation<S>) {
      const spec = metricSpec(plan.workload, metric);
      const stats = timeOperation(`${plan.workload.name}/${plan.strategy.name}/${metric}`, op, options.budget);
      rows.push({ ...baseRow(plan, spec), value: stats.median, stats, status: 'ok' });
    },
    record(metric, value) {
      const spec = metricSpec(plan.workload, metric);
      if (typeof value === 'number') rows.push({ ...baseRow(plan, spec), value, stats: null, status: 'ok' });
      else rows.push({ ...baseRow(plan, spec), value: null, stats: null, status: 'skipped', reason: value.reason });
    },
    skip(metric, reason) {
      const spec = metricSpec(plan.workload, metric);
      rows.push({ ...baseRow(plan, spec), value: null, stats: null, status: 'skipped', reason });
    },
  };

  const vmasBefore = countVmas();
  try {
    plan.workload.run(ctx);
  } catch (e) {
    const reason = oneLine(e);
    const done = new Set(rows.map((r) => r.metric));
    for (const spec of plan.workload.metrics) {
      if (!done.has(spec.metric)) rows.push({ ...baseRow(plan, spec), value: null, stats: null, status: 'failed', reason });
    }
  }
  const leaked = countVmas() - vmasBefore;
  if (leaked > LEAK_TOLERANCE) {
    // Node itself maps a few areas mid-run (V8 heap pages, a malloc arena for a helper thread); a
    // workload that forgot to unmap leaves more. Say so on every row of the point, so no figure
    // from it is taken on trust. The exact check is in test/workloads-cleanup.test.ts.
    for (const row of rows) row.reason = `${row.reason ? `${row.reason}; ` : ''}process VMA count rose by ${leaked} over this point`;
  }
  return rows;
}
