/**
 * Latency measurement with tinybench. One tinybench iteration builds its state untimed, times only
 * the operation under test, and tears down untimed; the timed part is reported to tinybench as
 * `overriddenDuration` and the whole iteration as `overriddenIterationCost`, so the time budget is
 * real wall time while the statistics cover the kernel work alone.
 */
import { Bench } from 'tinybench';
import type { Stats } from '../results/schema.js';
import { describeSamples } from '../stats/describe.js';
import type { TimedOperation } from '../workloads/types.js';

/** How long to measure one point. */
export interface TimingBudget {
  /** measuring time per point, ms (tinybench `time`) */
  timeMs: number;
  /** at least this many measured iterations */
  minIterations: number;
  /** untimed iterations first, so JIT and page tables settle */
  warmupIterations: number;
}

const now = (): number => performance.now();

/** One tinybench iteration: returns the timed part and the whole cost, in ms. */
function iterate<S>(op: TimedOperation<S>): { overriddenDuration: number; overriddenIterationCost: number } {
  const t0 = now();
  const state = op.setup();
  let t1 = 0;
  let t2 = 0;
  try {
    t1 = now();
    op.measure(state);
    t2 = now();
  } finally {
    op.teardown(state);
  }
  return { overriddenDuration: t2 - t1, overriddenIterationCost: now() - t0 };
}

/**
 * Run an operation under tinybench; returns every measured iteration in nanoseconds per op, so
 * samples from several passes over the run can be pooled before they are summarised.
 */
export function sampleOperation<S>(name: string, op: TimedOperation<S>, budget: TimingBudget): number[] {
  const bench = new Bench({
    time: budget.timeMs,
    iterations: budget.minIterations,
    warmup: budget.warmupIterations > 0,
    warmupIterations: budget.warmupIterations,
    warmupTime: 0,
    retainSamples: true,
    throws: true,
  });
  bench.add(name, () => iterate(op));
  const [task] = bench.runSync();
  const result = task!.result;
  if (result.state !== 'completed') throw new Error(`tinybench ended in state ${result.state}`);
  const samples = result.latency.samples;
  if (!samples || samples.length === 0) throw new Error('tinybench kept no samples');
  const nsPerOp = 1e6 / op.ops;
  return samples.map((ms) => ms * nsPerOp);
}

/** Sample an operation and summarise it (ns per op), for callers that make one pass. */
export function timeOperation<S>(name: string, op: TimedOperation<S>, budget: TimingBudget): Stats {
  return describeSamples(sampleOperation(name, op, budget));
}
