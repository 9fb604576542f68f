/**
 * A comparison as data (`guardbench.compare/v1`), for scripts that post-process verdicts: the
 * verdict of every pair with both headline figures, without repeating the two runs.
 */
import type { Params } from '../results/schema.js';
import type { Comparison, CompareOptions, EnvDifference, Verdict } from '../analysis/comparison.js';
import type { Confounder, LatencyComparability } from '../analysis/testbed.js';
import type { Reason } from '../analysis/verdict-reasons.js';

export const COMPARE_SCHEMA_ID = 'guardbench.compare/v2';

export interface ComparisonJson {
  schema: typeof COMPARE_SCHEMA_ID;
  base: { id: string; kernel: string; profile: string; testbed: string | null };
  current: { id: string; kernel: string; profile: string; testbed: string | null };
  options: CompareOptions;
  regressed: boolean;
  counts: Record<Verdict, number>;
  latencies: LatencyComparability;
  environment: EnvDifference[];
  confounders: Confounder[];
  warnings: string[];
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

export function comparisonJson(c: Comparison): ComparisonJson {
  const side = (run: Comparison['base']) => ({ id: run.id, kernel: run.env.kernel.release, profile: run.profile, testbed: run.env.testbed?.name ?? null });
  return {
    schema: COMPARE_SCHEMA_ID,
    base: side(c.base),
    current: side(c.current),
    options: c.options,
    regressed: c.regressed,
    counts: c.counts,
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
