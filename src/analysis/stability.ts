/**
 * Stability across runs. A figure people cite must come out the same when the benchmark is run
 * again: for every latency row present in all runs, the coefficient of variation of each candidate
 * statistic across them. A baseline saved from several back-to-back runs carries these spreads
 * (`baselineNoise`), so compare can test a change against how much whole runs shift on this
 * machine, which within-run statistics cannot see.
 */
import { STATISTICS, type MetricSpec, type NoiseModel, type Row, type Run, type Statistic, type Stats } from '../results/schema.js';
import { coefficientOfVariation, lowerMedian, mean, sampleSd } from '../stats/describe.js';
import { paramsKey, rowKey } from './keys.js';
import { specOf } from './specs.js';

function isTimedOk(row: Row): boolean {
  return row.status === 'ok' && row.stats !== null && row.value !== null;
}

/** The noise model a run carries (validated with the run); null when it has none. */
export function noiseOf(run: Run): NoiseModel | null {
  return run.baselineNoise ?? null;
}

/** Per counter figure present in every run (page tables, slab: noise from a process- or system-wide counter), its spread across them. */
function counterSpread(runs: readonly Run[]): Record<string, number> {
  const byKey = new Map<string, number[]>();
  for (const run of runs) {
    for (const row of run.rows) {
      if (row.status !== 'ok' || row.stats !== null || row.value === null) continue;
      const noise = specOf(run, row).noise;
      if (noise !== 'process' && noise !== 'system') continue;
      byKey.set(rowKey(row), [...(byKey.get(rowKey(row)) ?? []), row.value]);
    }
  }
  return Object.fromEntries([...byKey].filter(([, xs]) => xs.length === runs.length).map(([k, xs]) => [k, sampleSd(xs)]));
}

/** The statistic a row's spread is measured on: its metric's deciding statistic when every run holds it, else the median. */
function decidingOf(row: CandidateStability): { statistic: Statistic; cvPercent: number } {
  const own = row.spec.statistic;
  if (own && row.cvPercent[own] !== undefined) return { statistic: own, cvPercent: row.cvPercent[own] };
  return { statistic: 'median', cvPercent: row.cvPercent.median ?? 0 };
}

/**
 * Per-row spread over repeated runs: for latencies the CV of the statistic compare will judge the
 * row by, for counter figures the sd; rows missing from any run are left out.
 */
export function estimateNoise(runs: readonly Run[]): NoiseModel {
  if (runs.length < 3) throw new Error(`a run-to-run spread needs at least 3 runs, got ${runs.length}`);
  const cvPercent: Record<string, number> = {};
  const statistic: Record<string, Statistic> = {};
  const medianCvPercent: Record<string, number> = {};
  const centre: Record<string, number> = {};
  const medianCentre: Record<string, number> = {};
  for (const row of candidateStability(runs)) {
    const deciding = decidingOf(row);
    cvPercent[row.key] = deciding.cvPercent;
    statistic[row.key] = deciding.statistic;
    centre[row.key] = mean(row.values[deciding.statistic]!);
    if (deciding.statistic !== 'median') {
      medianCvPercent[row.key] = row.cvPercent.median ?? 0;
      medianCentre[row.key] = mean(row.values.median!);
    }
  }
  return { runs: runs.length, ids: runs.map((r) => r.id), cvPercent, statistic, medianCvPercent, centre, medianCentre, sd: counterSpread(runs) };
}

/**
 * The run most like the others: the one whose latency medians are, summed over rows, closest (in
 * log ratio) to the per-row median across all runs. Saving it rather than the first run keeps a
 * baseline from being the one that was measured during a burst.
 */
export function mostTypicalRun(runs: readonly Run[]): Run {
  const byKey = new Map<string, number[]>();
  for (const run of runs) {
    for (const row of run.rows) {
      if (!isTimedOk(row) || !row.value) continue;
      const key = rowKey(row);
      byKey.set(key, [...(byKey.get(key) ?? []), row.value]);
    }
  }
  const centre = new Map([...byKey].map(([k, xs]) => [k, lowerMedian(xs)]));
  let best = runs[0]!;
  let bestDistance = Infinity;
  for (const run of runs) {
    let distance = 0;
    for (const row of run.rows) {
      const c = isTimedOk(row) && row.value ? centre.get(rowKey(row)) : undefined;
      if (c) distance += Math.abs(Math.log(row.value! / c));
    }
    if (distance < bestDistance) [best, bestDistance] = [run, distance];
  }
  return best;
}

/** One statistic of a row's stats, or null when the run did not record it. */
export function statisticOf(stats: Stats, statistic: Statistic): number | null {
  const v = stats[statistic];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** A latency row across repeated runs: the spread of every candidate statistic. */
export interface CandidateStability {
  key: string;
  workload: string;
  strategy: string;
  metric: string;
  params: string;
  spec: MetricSpec;
  /** statistic -> its values across the runs, in run order */
  values: Partial<Record<Statistic, number[]>>;
  /** statistic -> coefficient of variation across the runs, percent */
  cvPercent: Partial<Record<Statistic, number>>;
}

/** For every latency row present in all `runs`, how much each candidate statistic varied across them. */
export function candidateStability(runs: readonly Run[]): CandidateStability[] {
  const byKey = new Map<string, { run: Run; row: Row; stats: Stats[] }>();
  for (const run of runs) {
    for (const row of run.rows) {
      if (!isTimedOk(row)) continue;
      const key = rowKey(row);
      const entry = byKey.get(key) ?? { run, row, stats: [] };
      entry.stats.push(row.stats!);
      byKey.set(key, entry);
    }
  }
  return [...byKey.entries()].filter(([, e]) => e.stats.length === runs.length).map(([key, e]) => {
    const values: CandidateStability['values'] = {};
    const cvPercent: CandidateStability['cvPercent'] = {};
    for (const statistic of STATISTICS) {
      const xs = e.stats.map((s) => statisticOf(s, statistic));
      if (xs.some((x) => x === null)) continue;
      values[statistic] = xs as number[];
      cvPercent[statistic] = coefficientOfVariation(xs as number[]);
    }
    return {
      key, workload: e.row.workload, strategy: e.row.strategy, metric: e.row.metric, params: paramsKey(e.row.params),
      spec: specOf(e.run, e.row), values, cvPercent,
    };
  });
}

/** Per candidate statistic, the worst and the median CV over the given rows (the headline latencies). */
export function statisticSpread(rows: readonly CandidateStability[]): { statistic: Statistic; worst: number; median: number }[] {
  return STATISTICS.flatMap((statistic) => {
    const cvs = rows.map((r) => r.cvPercent[statistic]).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
    if (cvs.length === 0 || cvs.length < rows.length) return [];
    return [{ statistic, worst: cvs[cvs.length - 1]!, median: lowerMedian(cvs) }];
  });
}
