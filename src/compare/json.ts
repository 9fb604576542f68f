/**
 * A comparison as data (`guardbench.compare/v2`), for scripts that post-process verdicts: the
 * verdict of every pair with both headline figures and its reason as data (the gate that decided
 * and its numbers), what could be judged, without repeating the two runs. v1 carried sentences
 * (`why`, `warnings`) in place of `reason`, `repeatedIn` and warnings as data, and no `scope`.
 */
import type { Params } from '../results/schema.js';
import type { CompareOptions, EnvDifference, Verdict } from '../analysis/comparison.js';
import type { Confounder, LatencyComparability } from '../analysis/testbed.js';
import type { Reason, RunWarning } from '../analysis/verdict-reasons.js';
import type { CompareFormat } from './format.js';
import type { CompareModel, CompareSide, JudgedScope, MethodConstants } from './model.js';

export const COMPARE_SCHEMA_ID = 'guardbench.compare/v2';

export interface ComparisonJson {
  schema: typeof COMPARE_SCHEMA_ID;
  base: Omit<CompareSide, 'startedAt'>;
  current: Omit<CompareSide, 'startedAt'>;
  options: CompareOptions;
  regressed: boolean;
  counts: Record<Verdict, number>;
  /** how many latencies and figures could be judged, and what the verdict rests on */
  scope: JudgedScope;
  method: MethodConstants;
  latencies: LatencyComparability;
  environment: EnvDifference[];
  confounders: Confounder[];
  /** about the runs as a whole, as data */
  warnings: RunWarning[];
  rows: {
    workload: string; strategy: string; params: Params; metric: string; unit: string;
    verdict: Verdict; base: number | null; current: number | null;
    change: number | null; delta: number | null; confidence: number | null; rme: number | null;
    /** the smallest change (a fraction) the comparison could have detected; 0 for exact figures */
    detectable: number | null;
    confounders: string[];
    /** the gate that decided and its numbers */
    reason: Reason;
    /** confirming runs the verdict showed again in */
    repeatedIn: number;
  }[];
}

/** JSON cannot hold Infinity: a change from zero is written as null (the delta still says it). */
function finite(x: number | null): number | null {
  return x !== null && Number.isFinite(x) ? x : null;
}

export function comparisonJson(m: CompareModel): ComparisonJson {
  const c = m.comparison;
  const side = ({ startedAt: _, ...s }: CompareSide) => s;
  return {
    schema: COMPARE_SCHEMA_ID,
    base: side(m.base),
    current: side(m.current),
    options: c.options,
    regressed: c.regressed,
    counts: c.counts,
    scope: m.scope,
    method: m.method,
    latencies: c.latencies,
    environment: c.environment,
    confounders: c.confounders,
    warnings: c.warnings,
    rows: c.rows.map((r) => ({
      workload: r.workload, strategy: r.strategy, params: r.params, metric: r.metric, unit: r.unit,
      verdict: r.verdict, base: r.base?.value ?? null, current: r.current?.value ?? null,
      change: finite(r.change), delta: r.delta, confidence: r.confidence, rme: r.rme,
      detectable: r.detectable, confounders: r.confounders, reason: r.reason, repeatedIn: r.repeatedIn,
    })),
  };
}

export const jsonFormat: CompareFormat = {
  name: 'json',
  file: 'compare.json',
  render: (m) => `${JSON.stringify(comparisonJson(m), null, 2)}\n`,
};
