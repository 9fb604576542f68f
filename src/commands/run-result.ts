/**
 * What `guardbench run --json` prints on stdout: one document a script can act on without reading
 * run.json first — where the run and its reports were written, whether it is complete, how many
 * rows came out ok, skipped or failed, and each ok row's headline value. run.json stays the
 * contract; this is its receipt.
 */
import type { Params, Row, Run } from '../results/schema.js';
import type { MissingReport, ReportOutcome } from '../report/index.js';

export const RUN_RESULT_SCHEMA_ID = 'guardbench.run-result/v1';

type RowStatus = Row['status'];

export interface RunResult {
  schema: typeof RUN_RESULT_SCHEMA_ID;
  id: string;
  complete: boolean;
  /** the signal that stopped the run early, or null */
  interrupted: string | null;
  files: { run: string; csv: string; reports: string[] };
  reportsNotRendered: Omit<MissingReport, 'kind'>[];
  rows: Record<RowStatus, number>;
  results: { workload: string; strategy: string; params: Params; metric: string; unit: string; value: number }[];
}

function countByStatus(rows: readonly Row[]): Record<RowStatus, number> {
  const counts: Record<RowStatus, number> = { ok: 0, skipped: 0, failed: 0 };
  for (const row of rows) counts[row.status]++;
  return counts;
}

export function runResult(run: Run, paths: { jsonPath: string; csvPath: string }, reports: ReportOutcome, interrupted: string | null): RunResult {
  return {
    schema: RUN_RESULT_SCHEMA_ID,
    id: run.id,
    complete: run.complete,
    interrupted,
    files: { run: paths.jsonPath, csv: paths.csvPath, reports: reports.files },
    reportsNotRendered: reports.missing.map(({ format, reason }) => ({ format, reason })),
    rows: countByStatus(run.rows),
    results: run.rows
      .filter((r): r is Row & { value: number } => r.status === 'ok' && typeof r.value === 'number')
      .map(({ workload, strategy, params, metric, unit, value }) => ({ workload, strategy, params, metric, unit, value })),
  };
}
