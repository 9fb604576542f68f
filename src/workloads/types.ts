/**
 * What a workload is: a name, a one-line description, the metrics it reports and a `run` that does
 * the operations. The runner owns everything else (strategy selection, the parameter cross product,
 * timing budgets, results), as will-it-scale's main.c does for its one-function tests.
 */
import type { ParamValue, Params, StrategyName } from '../results/schema.js';
import type { Strategy } from '../strategies/index.js';
import type { FeatureProbe } from '../probe/features.js';
import type { TimedOperation } from '../runner/timing.js';

export type MetricKind = 'latency' | 'count' | 'bytes' | 'ratio';

export interface MetricSpec {
  metric: string;
  unit: string;
  kind: MetricKind;
  description: string;
}

/** Parameter axes as plain data: each name maps to the values the profile sweeps. */
export type Axes = Record<string, readonly ParamValue[]>;

/** A profile gives a workload one set of axes, or several whose cross products are joined. */
export type AxesSpec = Axes | readonly Axes[];

export interface WorkloadContext<P extends Params = Params> {
  readonly params: P;
  readonly strategy: Strategy;
  readonly probe: FeatureProbe;
  /** false on a run's later passes, where counts and bytes are already known: skip sampling them */
  readonly countsWanted: boolean;
  /** time an operation with tinybench and record a latency row for `metric` */
  time<S>(metric: string, op: TimedOperation<S>): void;
  /** record a count, byte or ratio figure; a `{ reason }` records it as skipped */
  record(metric: string, value: number | { reason: string }): void;
  /** record a metric as skipped for this point */
  skip(metric: string, reason: string): void;
}

export interface Workload<P extends Params = Params> {
  readonly name: string;
  readonly description: string;
  readonly metrics: readonly MetricSpec[];
  /** strategies the workload runs under (default: all four) */
  readonly strategies?: readonly StrategyName[];
  /** names of the numeric axes that must be positive integers (checked on CLI overrides) */
  readonly positiveAxes?: readonly string[];
  /** false for a combination that makes no sense (e.g. batch sizes for a one-call strategy) */
  applies?(strategy: StrategyName, params: P): boolean;
  /** a reason the params are invalid, or null */
  validate?(params: P): string | null;
  run(ctx: WorkloadContext<P>): void;
}

/** Helper to keep each workload file's types tight while the registry holds them uniformly. */
export function defineWorkload<P extends Params>(w: Workload<P>): Workload {
  return w as unknown as Workload;
}
