/**
 * What a run's metrics mean, read from the run itself (`workloads`, stored since runs carry their
 * meaning) or, for runs made before that, from the frozen legacy table. Every reader asks here:
 * nothing guesses a metric's kind or better direction from its name or unit.
 */
import { legacyWorkloadSpec } from '../results/legacy-specs.js';
import { MARKER_STRATEGIES, type MetricSpec, type Row, type Run, type WorkloadSpec } from '../results/schema.js';

const cache = new WeakMap<Run, Map<string, WorkloadSpec>>();

/** The spec of every workload the run has rows or a stored spec for. */
export function workloadSpecs(run: Run): Map<string, WorkloadSpec> {
  let specs = cache.get(run);
  if (specs) return specs;
  specs = new Map((run.workloads ?? []).map((w) => [w.name, w]));
  for (const row of run.rows) {
    if (specs.has(row.workload)) continue;
    const legacy = run.workloads ? null : legacyWorkloadSpec(row.workload);
    specs.set(row.workload, legacy ?? { name: row.workload, description: '', variantAxes: [], sizeAxes: [], metrics: [] });
  }
  cache.set(run, specs);
  return specs;
}

/**
 * A metric the run has rows of but no spec for (a hand-made run): timed when its rows carry
 * statistics, otherwise an exact figure whose better direction is unknown, so never judged.
 */
function unknownSpec(row: Row): MetricSpec {
  const timed = row.stats !== null;
  return {
    metric: row.metric, unit: row.unit, kind: timed ? 'latency' : 'count', better: timed ? 'lower' : 'none',
    noise: timed ? 'timed' : 'exact', headline: false, description: '',
  };
}

/** What `row`'s metric means. */
export function specOf(run: Run, row: Row): MetricSpec {
  return workloadSpecs(run).get(row.workload)?.metrics.find((m) => m.metric === row.metric) ?? unknownSpec(row);
}

/** The axes of `workload` that vary a strategy's own working (batch size), not the memory guarded. */
export function variantAxesOf(run: Run, workload: string): readonly string[] {
  return workloadSpecs(run).get(workload)?.variantAxes ?? [];
}

/** A strategy that installs guard markers rather than PROT_NONE VMAs. */
export function isMarkerStrategy(strategy: string): boolean {
  return (MARKER_STRATEGIES as readonly string[]).includes(strategy);
}
