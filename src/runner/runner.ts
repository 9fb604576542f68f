/**
 * The runner owns everything a workload does not: which strategies run, the parameter points, the
 * timing budget, the VMA-count check around every point, and turning what a workload measured into
 * rows of the contract. A point that throws becomes `failed` rows and the run goes on.
 *
 * A run makes several passes over its points and pools each point's latency samples across them
 * (as mmtests and LKP repeat iterations): on a shared machine a burst of interference lasting a
 * second or two then spoils a fraction of one point's samples instead of all of them.
 */
import type { Params, Row, StrategyName, WorkloadSpec } from '../results/schema.js';
import type { FeatureProbe } from '../probe/features.js';
import type { Strategy } from '../strategies/index.js';
import { memoryUnavailableReason, unavailableReason } from '../strategies/index.js';
import { memoryKindOf, type MemoryKind } from '../sys/memory.js';
import type { MetricSpec, TimedOperation, Workload, WorkloadContext } from '../workloads/types.js';
import { sampleMetered, type MeteredSamples, type TimingBudget } from './timing.js';
import { describeMetered } from '../stats/describe.js';
import { oneLine } from '../errors.js';

/** One unit of work: a workload under one strategy at one parameter point. */
export interface PointPlan {
  workload: Workload;
  strategy: Strategy;
  params: Params;
}

export interface RunnerOptions {
  probe: FeatureProbe;
  /** the budget of this pass */
  budget: TimingBudget;
  /** false on later passes: counts and bytes are known, only latencies are sampled again */
  countsWanted?: boolean;
  /** strategies that failed verification on this kernel, per memory kind, with the reason */
  failedVerification?: FailedVerification;
}

/** Per memory kind, the strategies whose guards failed verify there and the first failure. */
export type FailedVerification = Partial<Record<MemoryKind, Partial<Record<StrategyName, string>>>>;

/** What one pass over a point produced: finished rows and raw latency samples. */
export interface PointResult {
  rows: Row[];
  /** metric -> samples in the metric's unit (ns per op), each with the host meters read before it */
  latency: Map<string, MeteredSamples>;
}

function metricSpec(workload: Workload, metric: string): MetricSpec {
  const spec = workload.metrics.find((m) => m.metric === metric);
  if (!spec) throw new Error(`workload ${workload.name} reports undeclared metric ${metric}`);
  return spec;
}

/** The point's params as its rows carry them: an axis at its default value is left out (see Workload.axisDefaults). */
export function rowParams(workload: Workload, params: Params): Params {
  const defaults = workload.axisDefaults ?? {};
  return Object.fromEntries(Object.entries(params).filter(([k, v]) => defaults[k] !== v));
}

function baseRow(plan: PointPlan, spec: MetricSpec): Omit<Row, 'value' | 'stats' | 'status'> {
  return { workload: plan.workload.name, strategy: plan.strategy.name, params: rowParams(plan.workload, plan.params), metric: spec.metric, unit: spec.unit };
}

/** What the run stores of a workload, so readers take each metric's meaning from the run itself. */
export function workloadSpec(w: Workload): WorkloadSpec {
  return {
    name: w.name, description: w.description, variantAxes: [...(w.variantAxes ?? [])], sizeAxes: [...(w.sizeAxes ?? [])],
    metrics: w.metrics.map((m) => ({ ...m })),
    ...(w.questions ? { questions: w.questions.map((q) => ({ ...q })) } : {}),
    ...(w.axisDefaults ? { axisDefaults: { ...w.axisDefaults } } : {}),
  };
}

/** Rows saying every metric of a point was not measured, and why. */
export function notMeasuredRows(plan: PointPlan, status: 'skipped' | 'failed', reason: string): Row[] {
  return plan.workload.metrics.map((spec) => ({ ...baseRow(plan, spec), value: null, stats: null, status, reason }));
}

/** Why this point cannot run here, or null. */
export function pointBlocker(plan: PointPlan, options: RunnerOptions): { status: 'skipped' | 'failed'; reason: string } | null {
  const missing = unavailableReason(plan.strategy, options.probe);
  if (missing) return { status: 'skipped', reason: missing };
  // Memory is an axis like any other to the runner, except here: a kind the kernel cannot map, or
  // whose markers it refuses or misbehaves on, stops the points of that kind only.
  const kind = memoryKindOf(plan.params);
  const noMemory = memoryUnavailableReason(plan.strategy, kind, options.probe);
  if (noMemory) return { status: 'skipped', reason: noMemory };
  const failed = options.failedVerification?.[kind]?.[plan.strategy.name];
  if (failed) return { status: 'failed', reason: `guard semantics failed verification on this kernel (${kind} memory): ${failed}` };
  return null;
}

/** Run one pass over one point; never throws for a workload's failure. */
export function runPointPass(plan: PointPlan, options: RunnerOptions): PointResult {
  const latency = new Map<string, MeteredSamples>();
  const blocker = pointBlocker(plan, options);
  if (blocker) return { rows: notMeasuredRows(plan, blocker.status, blocker.reason), latency };

  const rows: Row[] = [];
  const ctx: WorkloadContext = {
    params: plan.params,
    strategy: plan.strategy,
    probe: options.probe,
    countsWanted: options.countsWanted ?? true,
    time<S>(metric: string, op: TimedOperation<S>) {
      metricSpec(plan.workload, metric);
      if (op.undo) metricSpec(plan.workload, op.undo.metric);
      const sampled = sampleMetered(`${plan.workload.name}/${plan.strategy.name}/${metric}`, op, options.budget);
      latency.set(metric, sampled.measure);
      if (op.undo && sampled.undo) latency.set(op.undo.metric, sampled.undo);
    },
    record(metric, value, extra = {}) {
      const spec = metricSpec(plan.workload, metric);
      if (typeof value === 'number') rows.push({ ...baseRow(plan, spec), value, stats: null, status: 'ok', ...extra });
      else rows.push({ ...baseRow(plan, spec), value: null, stats: null, status: 'skipped', reason: value.reason });
    },
    skip(metric, reason) {
      const spec = metricSpec(plan.workload, metric);
      rows.push({ ...baseRow(plan, spec), value: null, stats: null, status: 'skipped', reason });
    },
  };

  try {
    plan.workload.run(ctx);
  } catch (e) {
    const reason = oneLine(e);
    const done = new Set([...rows.map((r) => r.metric), ...latency.keys()]);
    for (const spec of plan.workload.metrics) {
      const wanted = ctx.countsWanted || spec.kind === 'latency';
      if (!done.has(spec.metric) && wanted) rows.push({ ...baseRow(plan, spec), value: null, stats: null, status: 'failed', reason });
    }
  }
  return { rows, latency };
}

/**
 * A point's results pooled over passes: count and byte rows from the first pass that measured
 * them, latency samples from every pass. `rows()` gives the point's rows in the workload's metric
 * order; a later failure of a metric that already has samples keeps the samples.
 */
export class PointAccumulator {
  private readonly fixed = new Map<string, Row>();
  private readonly samples = new Map<string, MeteredSamples>();
  private readonly failures = new Map<string, Row>();

  constructor(readonly plan: PointPlan) {}

  add(result: PointResult): void {
    for (const row of result.rows) {
      const isLatency = metricSpec(this.plan.workload, row.metric).kind === 'latency';
      if (isLatency && row.status !== 'ok') this.failures.set(row.metric, row);
      else if (!this.fixed.has(row.metric) || row.status === 'failed') this.fixed.set(row.metric, row);
    }
    for (const [metric, xs] of result.latency) {
      const pooled = this.samples.get(metric) ?? { ns: [], labs: [], getppid: [] };
      pooled.ns.push(...xs.ns);
      pooled.labs.push(...xs.labs);
      pooled.getppid.push(...xs.getppid);
      this.samples.set(metric, pooled);
    }
  }

  rows(): Row[] {
    const out: Row[] = [];
    for (const spec of this.plan.workload.metrics) {
      const samples = this.samples.get(spec.metric);
      if (samples && samples.ns.length > 0) {
        const stats = describeMetered(samples.ns, samples.labs, samples.getppid);
        out.push({ ...baseRow(this.plan, spec), value: stats.median, stats, status: 'ok' });
        continue;
      }
      const row = this.fixed.get(spec.metric) ?? this.failures.get(spec.metric);
      if (row) out.push(row);
    }
    return out;
  }
}

/** One pass over a point, summarised on its own (tests and single-pass callers). */
export function runPoint(plan: PointPlan, options: RunnerOptions): Row[] {
  const acc = new PointAccumulator(plan);
  acc.add(runPointPass(plan, options));
  return acc.rows();
}

/** The budget of one of `passes` passes: the profile's time and iterations shared out. */
export function passBudget(budget: TimingBudget, passes: number): TimingBudget {
  return {
    timeMs: budget.timeMs / passes,
    minIterations: Math.max(2, Math.ceil(budget.minIterations / passes)),
    warmupIterations: budget.warmupIterations,
  };
}
