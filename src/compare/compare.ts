/**
 * Run x Run -> verdicts. Rows are paired by workload, strategy, parameter point and metric; each
 * pair gets one verdict, and the comparison as a whole says whether anything regressed.
 *
 * Latency rows: a row is regressed (or improved) only when the change of the median is beyond the
 * threshold, the mean and the minimum moved the same way beyond it too (a burst that slows a few
 * iterations moves the mean, not the median or the minimum), Welch's t-test on the means calls the
 * difference significant, and - when the baseline measured it - the change is outside the row's
 * run-to-run spread. A row whose margin of error is too large to tell is "noisy", never regressed
 * on a small change. Counts are exact: any change is a line; for counts whose better direction is
 * known (VMAs added, system calls, guards detected) a change the wrong way is a regression. Byte
 * figures are system-wide slab and page-table deltas that other processes disturb, so they are
 * reported as exact deltas but never fail a comparison alone.
 */
import type { Params, Row, Run } from '../results/schema.js';
import { betweenRunTest, combinedRme, relativeChange, summaryOf, welchTTest } from './stats.js';
import { noiseKey, noiseOf, type NoiseModel } from './noise.js';
import { HOST_SHIFT_WARN_PERCENT, HOST_SPREAD_WARN_PERCENT, hostSpeedOf } from '../report/summary.js';

export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'noisy' | 'changed' | 'not-compared';
export const VERDICTS: readonly Verdict[] = ['regressed', 'improved', 'noisy', 'changed', 'unchanged', 'not-compared'];

export type RowKind = 'latency' | 'count' | 'bytes' | 'other';

export interface CompareOptions {
  /** smallest relative change worth calling a regression, as a fraction (0.05 = 5%) */
  threshold: number;
  /** significance level of the t-test */
  alpha: number;
  /**
   * relative margin of error (percent) above which a side is too noisy to decide on a change of
   * the threshold's size; a change larger than threshold plus the combined margin still counts
   */
  maxRme: number;
}

export const DEFAULT_OPTIONS: CompareOptions = { threshold: 0.05, alpha: 0.01, maxRme: 10 };

export interface RowComparison {
  workload: string;
  strategy: string;
  params: Params;
  metric: string;
  unit: string;
  kind: RowKind;
  base: Row | null;
  current: Row | null;
  verdict: Verdict;
  /** relative change of the headline value (median for latencies), as a fraction */
  change: number | null;
  /** current - base of the headline value, in the row's unit */
  delta: number | null;
  /** 1 - p of the t-test (latency rows), 1 for exact figures, null when not tested */
  confidence: number | null;
  /** combined relative margin of error of the two sides, percent (latency rows) */
  rme: number | null;
  /** run-to-run coefficient of variation of the median, percent, when a baseline measured it */
  runToRunCv: number | null;
  /** why this verdict, in a few words */
  why: string;
}

export interface EnvDifference {
  field: string;
  base: string;
  current: string;
  /** what the difference does to the figures */
  matters: string;
}

export interface Comparison {
  base: Run;
  current: Run;
  options: CompareOptions;
  rows: RowComparison[];
  environment: EnvDifference[];
  /** other things a reader should know (incomplete runs, different profiles) */
  warnings: string[];
  counts: Record<Verdict, number>;
  /** true when at least one row regressed: the exit code is 1 */
  regressed: boolean;
}

/** What a row measures, from its unit: the contract keeps stats only for latencies. */
export function rowKind(row: Row): RowKind {
  if (row.stats || /^ns\b/.test(row.unit)) return 'latency';
  if (/^count\b/.test(row.unit)) return 'count';
  if (/^bytes\b/.test(row.unit)) return 'bytes';
  return 'other';
}

/** Rows are "the same" when workload, strategy, parameter point and metric agree. */
export const rowKey = noiseKey;

export interface RowPair {
  base: Row | null;
  current: Row | null;
}

/** Pair rows by key, base order first, then rows only the current run has. */
export function pairRows(base: Run, current: Run): RowPair[] {
  const currentByKey = new Map(current.rows.map((r) => [rowKey(r), r]));
  const pairs: RowPair[] = [];
  const seen = new Set<string>();
  for (const b of base.rows) {
    const key = rowKey(b);
    if (seen.has(key)) continue;
    seen.add(key);
    pairs.push({ base: b, current: currentByKey.get(key) ?? null });
  }
  for (const c of current.rows) {
    if (!seen.has(rowKey(c))) pairs.push({ base: null, current: c });
  }
  return pairs;
}

function describe(pair: RowPair, kind: RowKind): Omit<RowComparison, 'verdict' | 'change' | 'delta' | 'confidence' | 'rme' | 'why' | 'runToRunCv'> {
  const row = (pair.base ?? pair.current)!;
  return { workload: row.workload, strategy: row.strategy, params: row.params, metric: row.metric, unit: row.unit, kind, base: pair.base, current: pair.current };
}

type Judgement = Pick<RowComparison, 'verdict' | 'change' | 'delta' | 'confidence' | 'rme' | 'why'>;

const notTested = { change: null, delta: null, confidence: null, rme: null };

/** Run-to-run spread of one row, from whichever sides measured it. */
export interface RowNoise {
  cvPercent: number;
  runs: number;
}

/** The row's run-to-run spread: the base's, pooled with the current's when both have one. */
export function rowNoise(key: string, base: NoiseModel | null, current: NoiseModel | null): RowNoise | null {
  const b = base?.cvPercent[key];
  const c = current?.cvPercent[key];
  if (b !== undefined && c !== undefined) return { cvPercent: Math.sqrt((b * b + c * c) / 2), runs: Math.min(base!.runs, current!.runs) };
  if (b !== undefined) return { cvPercent: b, runs: base!.runs };
  if (c !== undefined) return { cvPercent: c, runs: current!.runs };
  return null;
}

/** One pair -> one verdict. */
export function compareRow(pair: RowPair, options: CompareOptions = DEFAULT_OPTIONS, noise: RowNoise | null = null): RowComparison {
  const kind = rowKind((pair.base ?? pair.current)!);
  return { ...describe(pair, kind), ...judge(pair, kind, options, noise), runToRunCv: noise?.cvPercent ?? null };
}

function judge(pair: RowPair, kind: RowKind, options: CompareOptions, noise: RowNoise | null): Judgement {
  const { base, current } = pair;
  if (!base) return { verdict: 'not-compared', ...notTested, why: 'only in the current run' };
  if (!current) return { verdict: 'not-compared', ...notTested, why: 'only in the base run' };
  if (base.status === 'ok' && current.status === 'failed') {
    // Something that used to work and now fails is the loudest regression there is.
    return { verdict: 'regressed', ...notTested, why: `failed in the current run: ${current.reason ?? 'no reason given'}` };
  }
  if (base.status !== 'ok' || current.status !== 'ok' || base.value === null || current.value === null) {
    const side = base.status !== 'ok' ? `base ${base.status}` : `current ${current.status}`;
    const reason = (base.status !== 'ok' ? base.reason : current.reason) ?? '';
    return { verdict: 'not-compared', ...notTested, why: reason ? `${side}: ${reason}` : side };
  }
  if (kind === 'latency' && base.stats && current.stats) return judgeLatency(base, current, options, noise);
  return judgeExact(base.metric, base.value, current.value, kind);
}

/**
 * Counts whose direction is known and that nothing but the kernel and the workload decide: VMAs
 * the guards add or unmap, system calls made, guards a detection method finds. Other counts (VMAs
 * of the whole process at a ceiling, throughput, CPUs) are listed with their exact delta but do not
 * fail a comparison: the run does not say which way is better, or other mappings move them.
 */
export const COUNT_DIRECTION: Record<string, 'lower' | 'higher'> = {
  vma_delta: 'lower',
  vmas_per_stack: 'lower',
  vmas_unmapped: 'lower',
  calls: 'lower',
  maps_found: 'higher',
  pagemap_found: 'higher',
  scan_found: 'higher',
};

/** Counts and bytes carry no sampling statistics: the delta is exact. */
function judgeExact(metric: string, base: number, current: number, kind: RowKind): Judgement {
  const delta = current - base;
  const change = relativeChange(base, current);
  const exact = { change, delta, confidence: 1, rme: null };
  if (delta === 0) return { verdict: 'unchanged', ...exact, change: 0, why: 'identical' };
  const direction = kind === 'count' ? COUNT_DIRECTION[metric] : undefined;
  if (direction) {
    const worse = direction === 'lower' ? delta > 0 : delta < 0;
    return worse
      ? { verdict: 'regressed', ...exact, why: `count ${delta > 0 ? 'rose' : 'fell'} (exact; ${direction} is better)` }
      : { verdict: 'improved', ...exact, why: `count ${delta > 0 ? 'rose' : 'fell'} (exact; ${direction} is better)` };
  }
  const why = kind === 'bytes' ? 'system-wide delta; informational' : 'exact; which way is better is not known, informational';
  return { verdict: 'changed', ...exact, why };
}

function judgeLatency(base: Row, current: Row, options: CompareOptions, noise: RowNoise | null): Judgement {
  const b = base.stats!;
  const c = current.stats!;
  const change = relativeChange(base.value!, current.value!);
  const meanChange = relativeChange(b.mean, c.mean);
  const delta = current.value! - base.value!;
  const rme = combinedRme(b.rme, c.rme);
  const test = welchTTest(summaryOf(b), summaryOf(c));
  if (!test) return { verdict: 'noisy', change, delta, confidence: null, rme, why: 'fewer than 2 samples on a side' };
  const confidence = 1 - test.p;
  const judged = { change, delta, confidence, rme };
  const T = options.threshold;
  const beyond = Math.abs(change) > T;
  const significant = test.p < options.alpha;
  const meansAgree = Math.sign(meanChange) === Math.sign(change) && Math.abs(meanChange) > T;
  const minChange = relativeChange(b.min, c.min);
  const minsAgree = Math.sign(minChange) === Math.sign(change) && Math.abs(minChange) > T;
  const tooNoisy = Math.max(b.rme, c.rme) > options.maxRme;
  // A wide margin still allows a verdict on a change that clears threshold plus margin.
  const decidable = !tooNoisy || Math.abs(change) - rme / 100 > T;
  // Within-run statistics cannot see a whole run shifting; the baseline's repeated runs can.
  const between = noise ? betweenRunTest(change, noise.cvPercent, noise.runs) : null;
  const beyondRunToRun = between === null || between.p < options.alpha;
  const direction: Verdict = change > 0 ? 'regressed' : 'improved';

  if (beyond && significant && meansAgree && minsAgree && decidable && beyondRunToRun) {
    const runToRun = between ? `, run-to-run p=${formatP(between.p)}` : '';
    return { verdict: direction, ...judged, why: `median ${signed(change)}, mean ${signed(meanChange)}, p=${formatP(test.p)}${runToRun}` };
  }
  if (beyond) {
    const why = !significant ? `not significant (p=${formatP(test.p)})`
      : !meansAgree ? `median ${signed(change)} but mean ${signed(meanChange)}`
        : !minsAgree ? `median ${signed(change)} but minimum ${signed(minChange)}`
          : !decidable ? `margin of error ±${rme.toFixed(1)}% too wide`
            : `within run-to-run spread (CV ${noise!.cvPercent.toFixed(1)}% over ${noise!.runs} runs, p=${formatP(between!.p)})`;
    return { verdict: 'noisy', ...judged, why };
  }
  if (tooNoisy) return { verdict: 'noisy', ...judged, why: `rme ${Math.max(b.rme, c.rme).toFixed(1)}% > ${options.maxRme}%` };
  return { verdict: 'unchanged', ...judged, why: significant ? `within ±${pct(T)}` : 'no significant change' };
}

function signed(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

function pct(fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`;
}

function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/**
 * Environment fields whose difference changes the figures, with what it does to them. A kernel
 * difference is the point of a regression comparison, but it is still said.
 */
const ENV_FIELDS: { field: string; get: (run: Run) => string; matters: string }[] = [
  { field: 'kernel', get: (r) => r.env.kernel.release, matters: 'the change being measured, or a confounder if unintended' },
  { field: 'cpu model', get: (r) => r.env.cpu.model, matters: 'system-call and page-fault costs differ per CPU' },
  { field: 'cpu count', get: (r) => String(r.env.cpu.count), matters: 'scheduling noise and lock contention differ' },
  { field: 'machine', get: (r) => r.env.kernel.machine, matters: 'a different architecture' },
  { field: 'profile', get: (r) => r.profile, matters: 'different sampling budget and parameter points' },
  { field: 'page size', get: (r) => String(r.env.pageSize), matters: 'guards and page tables are counted in pages' },
  { field: 'THP mode', get: (r) => r.env.thp, matters: 'huge pages change page-table bytes and fault costs' },
  { field: 'libc', get: (r) => r.env.libc, matters: 'thread-stack and allocator behaviour come from libc' },
  { field: 'node', get: (r) => r.env.node, matters: 'the FFI floor added to every system call' },
  { field: 'koffi', get: (r) => r.env.koffi, matters: 'the FFI floor added to every system call' },
  { field: 'root', get: (r) => String(r.env.root), matters: 'slab figures need root to read /proc/slabinfo' },
];

export function environmentDifferences(base: Run, current: Run): EnvDifference[] {
  const diffs: EnvDifference[] = [];
  for (const f of ENV_FIELDS) {
    const b = f.get(base);
    const c = f.get(current);
    if (b !== c) diffs.push({ field: f.field, base: b, current: c, matters: f.matters });
  }
  const bf: Record<string, unknown> = base.env.features;
  const cf: Record<string, unknown> = current.env.features;
  for (const name of new Set([...Object.keys(bf), ...Object.keys(cf)])) {
    const b = String(bf[name] ?? 'absent');
    const c = String(cf[name] ?? 'absent');
    if (b !== c) diffs.push({ field: `feature ${name}`, base: b, current: c, matters: 'strategies and checks that depend on it run differently or not at all' });
  }
  return diffs;
}

function runWarnings(base: Run, current: Run, rows: RowComparison[], noisy: boolean): string[] {
  const warnings: string[] = [];
  if (!noisy) {
    warnings.push('the base run carries no run-to-run spread, so latency verdicts rest on within-run statistics, which understate'
      + ' how much a whole run can shift on a shared machine; save the baseline from several runs (guardbench baseline save RUN RUN RUN)');
  }
  for (const [label, run] of [['base', base], ['current', current]] as const) {
    if (!run.complete) warnings.push(`the ${label} run is incomplete (interrupted); only the points it finished are compared`);
    const failedChecks = run.verify.filter((v) => !v.ok).map((v) => v.check);
    if (failedChecks.length > 0) warnings.push(`the ${label} run failed verification: ${failedChecks.join(', ')}`);
  }
  const onlyOne = rows.filter((r) => r.verdict === 'not-compared' && (r.base === null || r.current === null)).length;
  if (onlyOne > 0) warnings.push(`${onlyOne} rows are in only one of the runs (different parameter points or workloads)`);
  warnings.push(...hostSpeedWarnings(base, current));
  return warnings;
}

/**
 * What the host-speed meter (env.hostSpeed, a koffi labs() loop read before every point) says about
 * the machine under the two runs: a host that ran at another speed, or moved during a run, makes
 * latency differences of that order that no kernel made.
 */
export function hostSpeedWarnings(base: Run, current: Run): string[] {
  const warnings: string[] = [];
  const b = hostSpeedOf(base);
  const c = hostSpeedOf(current);
  if (b && c) {
    const shift = 100 * (c.medianNs / b.medianNs - 1);
    if (Math.abs(shift) > HOST_SHIFT_WARN_PERCENT) {
      warnings.push(`the host ran at another speed: a koffi labs() call took ${b.medianNs.toFixed(0)} ns (median) in the base run `
        + `and ${c.medianNs.toFixed(0)} ns in the current one (${shift > 0 ? '+' : ''}${shift.toFixed(0)}%); latency differences of that order may be the machine's, not the kernel's`);
    }
  }
  for (const [label, hs] of [['base', b], ['current', c]] as const) {
    if (hs && hs.spreadPercent > HOST_SPREAD_WARN_PERCENT) {
      warnings.push(`the host's speed moved ${hs.spreadPercent.toFixed(0)}% during the ${label} run (p90/p10 of its host-speed meter); `
        + 'its absolute latencies carry noise of that order');
    }
  }
  return warnings;
}

export function compareRuns(base: Run, current: Run, options: CompareOptions = DEFAULT_OPTIONS): Comparison {
  const baseNoise = noiseOf(base, 'base');
  const currentNoise = noiseOf(current, 'current');
  const rows = pairRows(base, current).map((p) => {
    const key = rowKey((p.base ?? p.current)!);
    return compareRow(p, options, rowNoise(key, baseNoise, currentNoise));
  });
  const counts = countVerdicts(rows);
  return {
    base, current, options, rows,
    environment: environmentDifferences(base, current),
    warnings: runWarnings(base, current, rows, baseNoise !== null || currentNoise !== null),
    counts,
    regressed: counts.regressed > 0,
  };
}

/**
 * Keep a regression or improvement only if it shows again when the base is compared with each
 * confirming run of the same code: a burst of interference seldom hits the same row twice, a real
 * change always does. Rows that do not repeat become noisy, saying what the other run showed.
 */
export function confirmComparison(c: Comparison, confirming: readonly Comparison[]): Comparison {
  if (confirming.length === 0) return c;
  const rows = c.rows.map((row) => {
    if (row.verdict !== 'regressed' && row.verdict !== 'improved') return row;
    for (const other of confirming) {
      const again = other.rows.find((r) => rowKey(r) === rowKey(row));
      if (again?.verdict !== row.verdict) {
        const what = again ? `${again.verdict}${again.change !== null && Number.isFinite(again.change) ? ` ${signed(again.change)}` : ''}` : 'missing';
        return { ...row, verdict: 'noisy' as const, why: `${row.why}; did not repeat in ${other.current.id} (${what})` };
      }
    }
    return { ...row, why: `${row.why}; repeated in ${confirming.length} more run${confirming.length > 1 ? 's' : ''}` };
  });
  const counts = countVerdicts(rows);
  return { ...c, rows, counts, regressed: counts.regressed > 0 };
}

function countVerdicts(rows: readonly RowComparison[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const r of rows) counts[r.verdict]++;
  return counts;
}

/** Rows that were compared at all (both sides measured). */
export function comparedRows(c: Comparison): RowComparison[] {
  return c.rows.filter((r) => r.verdict !== 'not-compared');
}
