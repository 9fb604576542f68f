/** The CSV form of a run: one line per row, params flattened as `param.<name>` columns. */
import { stringify } from 'csv-stringify/sync';
import type { Row, Run } from './schema.js';

const STAT_KEYS = ['mean', 'median', 'p75', 'p99', 'min', 'max', 'sd', 'rme', 'samples'] as const;

export function runToCsv(run: Run): string {
  const paramNames = [...new Set(run.rows.flatMap((r) => Object.keys(r.params)))].sort();
  const header = ['workload', 'strategy', ...paramNames.map((p) => `param.${p}`), 'metric', 'unit', 'value',
    ...STAT_KEYS.map((k) => `stats.${k}`), 'status', 'reason'];
  const lines = run.rows.map((row: Row) => [
    row.workload, row.strategy,
    ...paramNames.map((p) => row.params[p] ?? ''),
    row.metric, row.unit, row.value ?? '',
    ...STAT_KEYS.map((k) => row.stats?.[k] ?? ''),
    row.status, row.reason ?? '',
  ]);
  return stringify([header, ...lines], { cast: { boolean: (b) => String(b) } });
}
