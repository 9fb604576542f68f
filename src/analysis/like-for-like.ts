/**
 * Whether two strategies did the same work at a point, read from what the run says the kernel
 * should give. Metrics whose better value is "as expected" carry, per row, the value the kernel
 * should give that strategy (a detection method should find all of a strategy's guards, or none
 * when it cannot see them). Where two strategies' expected values differ at a point, they did not
 * do the same job there, and a speed-up between them means nothing: a scan that can see none of a
 * strategy's guards is not faster or slower at finding them.
 */
import type { Row, Run } from '../results/schema.js';
import { paramsKey } from './keys.js';
import { specOf } from './specs.js';

/** One metric whose expected value differs between two strategies at a point. */
export interface DifferentOutcome {
  metric: string;
  /** the expected value of the first row's strategy, then the other's */
  expected: number;
  otherExpected: number;
}

const cache = new WeakMap<Run, Map<string, Map<string, number>>>();

/** Per workload, strategy and point: the expected value of every "as expected" metric. */
function expectedIndex(run: Run): Map<string, Map<string, number>> {
  let index = cache.get(run);
  if (index) return index;
  index = new Map();
  for (const row of run.rows) {
    if (row.expected === undefined || specOf(run, row).better !== 'expected') continue;
    const key = `${row.workload}|${row.strategy}|${paramsKey(row.params)}`;
    const byMetric = index.get(key) ?? new Map<string, number>();
    byMetric.set(row.metric, row.expected);
    index.set(key, byMetric);
  }
  cache.set(run, index);
  return index;
}

/** The metrics whose expected value differs between the strategies (and points) of `a` and `b`. */
export function differentOutcomes(run: Run, a: Row, b: Row): DifferentOutcome[] {
  const index = expectedIndex(run);
  const ofA = index.get(`${a.workload}|${a.strategy}|${paramsKey(a.params)}`);
  const ofB = index.get(`${b.workload}|${b.strategy}|${paramsKey(b.params)}`);
  if (!ofA || !ofB) return [];
  const out: DifferentOutcome[] = [];
  for (const [metric, expected] of ofA) {
    const otherExpected = ofB.get(metric);
    if (otherExpected !== undefined && otherExpected !== expected) out.push({ metric, expected, otherExpected });
  }
  return out;
}

/** Did the two rows' strategies do the same work (every expected outcome agrees)? */
export function sameWork(run: Run, a: Row, b: Row): boolean {
  return differentOutcomes(run, a, b).length === 0;
}
