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
import { readCallMeter, readHostMeter } from './host-speed.js';

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

/**
 * Latency samples with what the host's speed meters read just before each: a koffi labs() loop
 * (the CPU alone) and a koffi getppid() loop (the CPU and a kernel entry), so a statistic can set
 * each sample against how fast the machine was at that moment.
 */
export interface MeteredSamples {
  /** ns per op, one per measured iteration, in the order measured */
  ns: number[];
  /** ns per labs() call read before each iteration */
  labs: number[];
  /** ns per getppid() call read before each iteration */
  getppid: number[];
}

/** What one iteration measured, in ms: the operation, and its timed undo when it has one. */
interface IterationTimes {
  measureMs: number;
  undoMs: number;
  labs: number;
  getppid: number;
}

/** One tinybench iteration: returns the timed part and the whole cost, in ms. */
function iterate<S>(op: TimedOperation<S>, record?: (times: IterationTimes) => void): { overriddenDuration: number; overriddenIterationCost: number } {
  const t0 = now();
  // The meters run untimed, in the iteration's setup, as close to the timed part as they can.
  const labs = record ? readHostMeter() : NaN;
  const getppid = record ? readCallMeter() : NaN;
  const state = op.setup();
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  let t4 = 0;
  try {
    t1 = now();
    op.measure(state);
    t2 = now();
    if (op.undo) {
      t3 = now();
      op.undo.run(state);
      t4 = now();
    }
  } finally {
    op.teardown(state);
  }
  record?.({ measureMs: t2 - t1, undoMs: t4 - t3, labs, getppid });
  return { overriddenDuration: t2 - t1, overriddenIterationCost: now() - t0 };
}

/** A tinybench run of one task under the budget: warm-up iterations first, then at least minIterations. */
function benchFor(budget: TimingBudget, retainSamples: boolean): Bench {
  return new Bench({
    time: budget.timeMs,
    iterations: budget.minIterations,
    warmup: budget.warmupIterations > 0,
    warmupIterations: budget.warmupIterations,
    warmupTime: 0,
    retainSamples,
    throws: true,
  });
}

/**
 * Run an operation under tinybench; returns every measured iteration in nanoseconds per op, so
 * samples from several passes over the run can be pooled before they are summarised.
 */
export function sampleOperation<S>(name: string, op: TimedOperation<S>, budget: TimingBudget): number[] {
  const bench = benchFor(budget, true);
  bench.add(name, () => iterate(op));
  const [task] = bench.runSync();
  const result = task!.result;
  if (result.state !== 'completed') throw new Error(`tinybench ended in state ${result.state}`);
  const samples = result.latency.samples;
  if (!samples || samples.length === 0) throw new Error('tinybench kept no samples');
  const nsPerOp = 1e6 / op.ops;
  return samples.map((ms) => ms * nsPerOp);
}

/** Samples of one timed operation, and of its undo when it has one (same iterations, same meter readings). */
export interface MeteredOperation {
  measure: MeteredSamples;
  undo?: MeteredSamples;
}

/**
 * Run an operation under tinybench with the host meters read before every iteration; returns the
 * measured iterations (warm-up ones dropped) in ns per op with their meter readings.
 */
export function sampleMetered<S>(name: string, op: TimedOperation<S>, budget: TimingBudget): MeteredOperation {
  const all: IterationTimes[] = [];
  // The samples are the ones recorded here, with their meter readings: tinybench need not keep its own.
  const bench = benchFor(budget, false);
  bench.add(name, () => iterate(op, (times) => { all.push(times); }));
  const [task] = bench.runSync();
  const result = task!.result;
  if (result.state !== 'completed') throw new Error(`tinybench ended in state ${result.state}`);
  // tinybench runs its warm-up iterations first: the measured ones are the last.
  const measured = all.slice(all.length - result.latency.samplesCount);
  if (measured.length === 0) throw new Error('tinybench measured no iteration');
  const metered = (ops: number, ms: (t: IterationTimes) => number): MeteredSamples => ({
    ns: measured.map((t) => ms(t) * (1e6 / ops)), labs: measured.map((t) => t.labs), getppid: measured.map((t) => t.getppid),
  });
  return {
    measure: metered(op.ops, (t) => t.measureMs),
    ...(op.undo ? { undo: metered(op.undo.ops, (t) => t.undoMs) } : {}),
  };
}

/** Sample an operation and summarise it (ns per op), for callers that make one pass. */
export function timeOperation<S>(name: string, op: TimedOperation<S>, budget: TimingBudget): Stats {
  return describeSamples(sampleOperation(name, op, budget));
}
