/**
 * What the continuous-benchmarking services call a run's figures: a benchmark per workload,
 * strategy and point, named the same in every run (the point's parameters in name order, so a
 * benchmark's history is one line however a run listed them), and a measure per metric and unit.
 */
import type { Row } from '../results/schema.js';

/** "allocator-arenas/guard-madvise/churn=1024,guardBytes=4096,regions=16384,slotBytes=12288" */
export function benchmarkName(row: Pick<Row, 'workload' | 'strategy' | 'params'>): string {
  const point = Object.keys(row.params).sort().map((k) => `${k}=${row.params[k]}`).join(',');
  return point ? `${row.workload}/${row.strategy}/${point}` : `${row.workload}/${row.strategy}`;
}

/** Bencher's limit on a measure's slug and name. */
const MEASURE_MAX = 64;

/** "install-ns-guard": the metric with its unit, lower case, words joined by '-'. */
export function measureSlug(row: Pick<Row, 'metric' | 'unit'>): string {
  const slug = `${row.metric} ${row.unit}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, MEASURE_MAX).replace(/-+$/, '');
}

/** The rows a service gets: measured ones. A skipped or failed row has no figure, and a gap says so better than a zero. */
export function exportedRows(rows: readonly Row[]): Row[] {
  return rows.filter((r) => r.status === 'ok' && r.value !== null && Number.isFinite(r.value));
}
