/**
 * A trend across runs: metrics as series (workload, strategy, point, metric), one column per run in
 * kernel order. By default the metrics each run marks as headline figures. Latencies belong to a
 * machine (src/analysis/testbed.ts): a latency series holds the runs of one testbed only, so no
 * latency of an emulated CPU stands beside a native one and no first-to-last change spans two
 * machines; counts and bytes span every run. Pure: reads runs, measures nothing.
 */
import { STRATEGY_NAMES, type HostSpeed, type MetricSpec, type Params, type Row, type Run } from '../results/schema.js';
import { relativeChange } from '../stats/significance.js';
import { environmentDifferences } from './environment.js';
import { hostSpeedOf } from './host-speed.js';
import { rowKey } from './keys.js';
import { specOf } from './specs.js';

export interface TrendFilter {
  /** metric names to show; `headline`: the metrics the runs mark as headline figures; `all`: every metric */
  metrics: readonly string[] | 'headline' | 'all';
  workloads: readonly string[];
  strategies: readonly string[];
}

export interface TrendColumn {
  /** the kernel release, with (2), (3) for repeated runs of one kernel */
  label: string;
  /** the testbed the run records, or null for runs made before testbeds */
  testbed: string | null;
  kernel: string;
  runId: string;
  profile: string;
  /** the run's host-speed meter (koffi labs() ns), null for runs from before it */
  hostSpeed: HostSpeed | null;
}

export interface TrendCell {
  value: number;
  /** relative margin of error, percent (latency rows) */
  rme: number | null;
}

/** Why a run that has the row shows no value: skipped (e.g. a kernel without guard markers) or failed. */
export interface TrendGap {
  status: 'skipped' | 'failed';
  reason: string;
}

export interface TrendSeries {
  key: string;
  workload: string;
  strategy: string;
  params: Params;
  metric: string;
  unit: string;
  spec: MetricSpec;
  /** one per column; null where that run did not measure the row (or it was not ok) */
  cells: (TrendCell | null)[];
  /** one per column; set where the run has the row but skipped or failed it */
  gaps: (TrendGap | null)[];
  /**
   * for latencies, the testbed whose runs the series holds (its cells elsewhere are null); null
   * for counts and bytes, which span every run, and when all runs share one testbed
   */
  testbed: TrendTestbed | null;
}

/** Runs of one machine: the only runs whose latencies may stand side by side. */
export interface TrendTestbed {
  /** the testbed's name, or "not recorded" */
  name: string;
  /** an emulated CPU (QEMU TCG): its latencies are no benchmark even among themselves */
  emulated: boolean;
  /** indices of its columns */
  columns: number[];
}

export interface Trend {
  columns: TrendColumn[];
  series: TrendSeries[];
  /** environment fields that differ between the runs: a trend across them mixes machines */
  mixedEnvironment: string[];
  /** profiles differ: different budgets and points */
  mixedProfiles: boolean;
  /** strategies no run measured at all (old kernels only), with the first run's reason */
  skippedEverywhere: { strategy: string; reason: string }[];
  /** the testbeds the runs came from, largest first; latencies are kept apart when there are several */
  testbeds: TrendTestbed[];
}

const NOT_RECORDED = 'not recorded';

/** Runs grouped by the testbed they record, largest group first (then in column order). */
function testbedsOf(runs: readonly Run[]): TrendTestbed[] {
  const groups = new Map<string, TrendTestbed>();
  runs.forEach((run, i) => {
    const name = run.env.testbed?.name ?? NOT_RECORDED;
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { name, emulated: false, columns: [] }));
    g.columns.push(i);
    g.emulated ||= run.env.testbed?.identity.emulated ?? false;
  });
  return [...groups.values()].sort((a, b) => b.columns.length - a.columns.length || a.columns[0]! - b.columns[0]!);
}

/**
 * A latency series split into one series per testbed, each holding only its own runs' cells;
 * other series, and every series when the runs share one testbed, as they are.
 */
function perTestbed(s: TrendSeries, testbeds: readonly TrendTestbed[]): TrendSeries[] {
  if (s.spec.noise !== 'timed' || testbeds.length < 2) return [s];
  return testbeds.map((t) => ({
    ...s,
    cells: s.cells.map((c, i) => (t.columns.includes(i) ? c : null)),
    gaps: s.gaps.map((g, i) => (t.columns.includes(i) ? g : null)),
    testbed: t,
  })).filter((x) => x.cells.some((c) => c !== null));
}

function wanted(run: Run, row: Row, filter: TrendFilter): boolean {
  const metricWanted = filter.metrics === 'all' ? true
    : filter.metrics === 'headline' ? specOf(run, row).headline
      : filter.metrics.includes(row.metric);
  return metricWanted
    && (filter.workloads.length === 0 || filter.workloads.includes(row.workload))
    && (filter.strategies.length === 0 || filter.strategies.includes(row.strategy));
}

function columnLabels(runs: readonly Run[]): string[] {
  const seen = new Map<string, number>();
  return runs.map((r) => {
    const k = r.env.kernel.release;
    const n = (seen.get(k) ?? 0) + 1;
    seen.set(k, n);
    return n === 1 ? k : `${k} (${n})`;
  });
}

/** Build the trend of `runs`, which must already be in the order to show (see orderRuns). */
export function buildTrend(runs: readonly Run[], filter: TrendFilter): Trend {
  const labels = columnLabels(runs);
  const columns = runs.map((r, i) => ({ label: labels[i]!, testbed: r.env.testbed?.name ?? null, kernel: r.env.kernel.release, runId: r.id, profile: r.profile, hostSpeed: hostSpeedOf(r) }));
  const testbeds = testbedsOf(runs);
  const byKey = new Map<string, TrendSeries>();
  runs.forEach((run, col) => {
    for (const row of run.rows) {
      if (!wanted(run, row, filter)) continue;
      const key = rowKey(row);
      let s = byKey.get(key);
      if (!s) {
        s = { key, workload: row.workload, strategy: row.strategy, params: row.params, metric: row.metric, unit: row.unit, spec: specOf(run, row), cells: runs.map(() => null), gaps: runs.map(() => null), testbed: null };
        byKey.set(key, s);
      }
      if (row.status === 'ok' && row.value !== null) s.cells[col] = { value: row.value, rme: row.stats?.rme ?? null };
      else if (row.status !== 'ok') s.gaps[col] = { status: row.status, reason: row.reason ?? '' };
    }
  });
  const series = [...byKey.values()].flatMap((s) => perTestbed(s, testbeds)).filter((s) => s.cells.some((c) => c !== null)).sort(seriesOrder);
  const mixed = new Set<string>();
  for (const run of runs.slice(1)) {
    for (const d of environmentDifferences(runs[0]!, run)) if (d.field !== 'kernel' && d.field !== 'profile') mixed.add(d.field);
  }
  return { columns, series, mixedEnvironment: [...mixed], mixedProfiles: new Set(runs.map((r) => r.profile)).size > 1, skippedEverywhere: skippedEverywhere(runs), testbeds };
}

/** Strategies with skipped rows and not one measured row in any run: absent from every table. */
function skippedEverywhere(runs: readonly Run[]): Trend['skippedEverywhere'] {
  const rows = runs.flatMap((r) => r.rows);
  const measured = new Set(rows.filter((r) => r.status === 'ok').map((r) => r.strategy));
  const reasons = new Map<string, string>();
  for (const r of rows) if (r.status === 'skipped' && !measured.has(r.strategy) && !reasons.has(r.strategy)) reasons.set(r.strategy, r.reason ?? '');
  return [...reasons].map(([strategy, reason]) => ({ strategy, reason }));
}

/** Workload, then metric, then testbed (largest first), then strategy in the usual order, then point. */
function seriesOrder(a: TrendSeries, b: TrendSeries): number {
  return a.workload.localeCompare(b.workload)
    || a.metric.localeCompare(b.metric)
    || (b.testbed?.columns.length ?? 0) - (a.testbed?.columns.length ?? 0)
    || (a.testbed?.columns[0] ?? -1) - (b.testbed?.columns[0] ?? -1)
    || STRATEGY_NAMES.indexOf(a.strategy as never) - STRATEGY_NAMES.indexOf(b.strategy as never)
    || naturalOrder.compare(a.key, b.key);
}

/** batch=64 before batch=1024. */
const naturalOrder = new Intl.Collator('en', { numeric: true });

/** First to last measured value of a series, as a fraction; null with fewer than two. */
export function overallChange(s: TrendSeries): number | null {
  const present = s.cells.filter((c): c is TrendCell => c !== null);
  if (present.length < 2) return null;
  return relativeChange(present[0]!.value, present[present.length - 1]!.value);
}
