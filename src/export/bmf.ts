/**
 * A run in Bencher Metric Format (BMF): `{ benchmark: { measure: { value, lower_value?, upper_value? } } }`,
 * for `bencher run --adapter json --file FILE`. Every measured row is exported; Bencher has no
 * direction per measure (its thresholds say which way is worse), so figures with no better
 * direction travel too. Bounds say how far the figure itself is uncertain:
 * - latencies: the median ± the row's relative 95% margin of error (stats.rme, Student's t over
 *   the samples), floored at 0;
 * - figures read from a process- or system-wide counter: the value ± the row's resolution;
 * - exact counts and throughputs from one window: no bounds.
 */
import type { Row, Run } from '../results/schema.js';
import { specOf } from '../analysis/specs.js';
import { benchmarkName, exportedRows, measureSlug } from './names.js';

export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}

export type Bmf = Record<string, Record<string, BmfMetric>>;

function metricOf(run: Run, row: Row): BmfMetric {
  const value = row.value!;
  const spec = specOf(run, row);
  if (spec.noise === 'timed' && row.stats && spec.kind === 'latency') {
    const margin = Math.abs(value) * (row.stats.rme / 100);
    return { value, lower_value: Math.max(0, value - margin), upper_value: value + margin };
  }
  if (row.resolution !== undefined && row.resolution > 0) {
    return { value, lower_value: value - row.resolution, upper_value: value + row.resolution };
  }
  return { value };
}

export function toBmf(run: Run): Bmf {
  const out: Bmf = {};
  for (const row of exportedRows(run.rows)) {
    const benchmark = (out[benchmarkName(row)] ??= {});
    benchmark[measureSlug(row)] = metricOf(run, row);
  }
  return out;
}
