/**
 * What a workload is: a name, a one-line description, the metrics it reports (with what each means:
 * unit, kind, which way is better; stored in every run so readers never guess) and a `run` that does
 * the operations. The runner owns everything else (strategy selection, the parameter cross product,
 * timing budgets, results), as will-it-scale's main.c does for its one-function tests.
 */
import type { MetricSpec, NoiseSource, ParamValue, Params, Question, Statistic, StrategyName } from '../results/schema.js';
import type { Strategy } from '../strategies/index.js';
import type { FeatureProbe } from '../probe/features.js';

export type { MetricSpec, Question };

interface SpecOptions {
  /**
   * The id(s) of the workload's questions this figure answers. A figure that answers one is a
   * headline: the report's first table, compare's charts and history show it. Headlines are chosen
   * this way, by what a workload asks, never flagged one by one.
   */
  answers?: string | readonly string[];
}

/** The spec fields an answer to questions sets: `headline` follows from `answers`. */
function answering(o: SpecOptions): Pick<MetricSpec, 'headline' | 'answers'> {
  const answers = o.answers === undefined ? [] : typeof o.answers === 'string' ? [o.answers] : [...o.answers];
  return answers.length > 0 ? { headline: true, answers } : { headline: false };
}

type CountOptions = SpecOptions & {
  noise?: NoiseSource;
  /** `vmas`: the count is the VMAs the guards occupy, which reports set beside prot-none's */
  footprint?: 'vmas';
  /** a short name for sentences and charts ("VMAs per stack") */
  label?: string;
};

/**
 * The statistic compare judges a latency by when no baseline chose one for the row: chosen by
 * measuring every candidate's spread across repeated runs on this project's machines
 * (docs/methodology.md "How the statistic was chosen"). The row's value stays the median.
 */
export const LATENCY_STATISTIC: Statistic = 'callNormalisedMedian';

/** A timing: sampled by the runner, lower is better. */
export function latency(metric: string, unit: string, description: string, o: SpecOptions = {}): MetricSpec {
  return { metric, unit, kind: 'latency', better: 'lower', noise: 'timed', ...answering(o), statistic: LATENCY_STATISTIC, description };
}

/** A count: exact unless a process-wide counter moves it too. */
export function count(metric: string, unit: string, better: MetricSpec['better'], description: string, o: CountOptions = {}): MetricSpec {
  const spec: MetricSpec = { metric, unit, kind: 'count', better, noise: o.noise ?? 'exact', ...answering(o), description };
  return { ...spec, ...(o.footprint ? { footprint: o.footprint } : {}), ...(o.label ? { label: o.label } : {}) };
}

/** Bytes (read, copied): lower is better unless said otherwise, as noisy as the counter it comes from. */
export function bytes(metric: string, unit: string, noise: NoiseSource, description: string, better: MetricSpec['better'] = 'lower'): MetricSpec {
  return { metric, unit, kind: 'bytes', better, noise, headline: false, description };
}

/** Kernel memory the guards cost (slab, page tables), named `label` in charts: reports set it beside prot-none's. */
export function kernelMemory(metric: string, label: string, unit: string, noise: NoiseSource, description: string): MetricSpec {
  return { ...bytes(metric, unit, noise, description), footprint: 'memory', label };
}

/** Operations per second over a timed window: higher is better. */
export function throughput(metric: string, unit: string, description: string): MetricSpec {
  return { metric, unit, kind: 'throughput', better: 'higher', noise: 'timed', headline: false, description };
}

/** Parameter axes as plain data: each name maps to the values the profile sweeps. */
export type Axes = Record<string, readonly ParamValue[]>;

/** A profile gives a workload one set of axes, or several whose cross products are joined. */
export type AxesSpec = Axes | readonly Axes[];

/** An operation the runner times: only `measure` is inside the timed region. */
export interface TimedOperation<S> {
  /** operations per iteration: the stats are divided by this (guards, stacks, regions) */
  ops: number;
  /** build the state the operation needs; not timed */
  setup: () => S;
  /** the operation under test: the only timed code */
  measure: (state: S) => void;
  /**
   * The operation that undoes `measure` (munmap after a map and install), timed right after it on
   * the same state and recorded as a metric of its own: one iteration yields a sample of each,
   * where timing the undo apart would build the same state a second time, untimed.
   */
  undo?: { metric: string; ops: number; run: (state: S) => void };
  /** release everything setup made (and undo left); not timed; runs even when measure throws */
  teardown: (state: S) => void;
}

export interface RecordExtra {
  /** the value the kernel should give, for metrics whose better value is "as expected" */
  expected?: number;
  /** the smallest change the figure's counter can tell from its own noise, in the metric's unit */
  resolution?: number;
  /** for VMA slab bytes: the objects per unit each VMA cache gained, which explain the bytes */
  slabObjects?: Record<string, number>;
}

export interface WorkloadContext<P extends Params = Params> {
  readonly params: P;
  readonly strategy: Strategy;
  readonly probe: FeatureProbe;
  /** false on a run's later passes, where counts and bytes are already known: skip sampling them */
  readonly countsWanted: boolean;
  /** time an operation with tinybench and record a latency row for `metric` */
  time<S>(metric: string, op: TimedOperation<S>): void;
  /** record a count, byte or throughput figure; a `{ reason }` records it as skipped */
  record(metric: string, value: number | { reason: string }, extra?: RecordExtra): void;
  /** record a metric as skipped for this point */
  skip(metric: string, reason: string): void;
}

export interface Workload<P extends Params = Params> {
  readonly name: string;
  readonly description: string;
  readonly metrics: readonly MetricSpec[];
  /** what the workload is there to answer, in a reader's words; metrics name the ones they answer (`answers`) */
  readonly questions?: readonly Question[];
  /** axes that vary how a strategy works (a batch size), not the memory guarded */
  readonly variantAxes?: readonly string[];
  /** axes that count what the cost is divided by (stacks, regions) */
  readonly sizeAxes?: readonly string[];
  /**
   * Axes added after runs were recorded without them, with the value those runs measured at (the
   * memory kind, anon). A row at that value leaves the axis out of its params, so it pairs with the
   * rows of older runs in compare and history; readers find the value in the run's workload spec.
   */
  readonly axisDefaults?: Readonly<Params>;
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
