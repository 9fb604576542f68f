/**
 * Stability across runs: for every latency row present in all runs, the coefficient of variation
 * (sd / mean, percent) of its median across the runs. A figure people cite must come out the same
 * when the benchmark is run again.
 */
import type { Run } from '../results/schema.js';
import { paramsKey } from '../report/summary.js';

export interface StabilityRow {
  key: string;
  workload: string;
  strategy: string;
  metric: string;
  params: string;
  medians: number[];
  mean: number;
  cvPercent: number;
}

export function coefficientOfVariation(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  return mean === 0 ? 0 : (100 * sd) / mean;
}

export function stabilityAcross(runs: readonly Run[]): StabilityRow[] {
  const byKey = new Map<string, { row: Run['rows'][number]; medians: number[] }>();
  for (const run of runs) {
    for (const row of run.rows) {
      if (row.status !== 'ok' || !row.stats || row.value === null) continue;
      const key = `${row.workload}|${row.strategy}|${row.metric}|${paramsKey(row.params)}`;
      const entry = byKey.get(key) ?? { row, medians: [] };
      entry.medians.push(row.value);
      byKey.set(key, entry);
    }
  }
  return [...byKey.entries()]
    .filter(([, e]) => e.medians.length === runs.length)
    .map(([key, e]) => ({
      key,
      workload: e.row.workload,
      strategy: e.row.strategy,
      metric: e.row.metric,
      params: paramsKey(e.row.params),
      medians: e.medians,
      mean: e.medians.reduce((s, x) => s + x, 0) / e.medians.length,
      cvPercent: coefficientOfVariation(e.medians),
    }));
}
