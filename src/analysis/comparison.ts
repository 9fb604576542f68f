/**
 * Run x Run -> verdicts. Rows are paired by workload, strategy, parameter point and metric; each
 * pair gets one verdict from what its metric means (the run's metric specs), and the comparison as
 * a whole says whether anything regressed.
 *
 * Latency rows are judged in latency-verdict.ts (docs/methodology.md "Regression verdicts"): by the
 * change of each metric's deciding statistic, its mean and minimum, a t-test, the margins of error
 * and the baseline's run-to-run spread; a row these runs could not have seen change by the size that
 * matters is "inconclusive", one too uncertain to decide "noisy", never regressed on a small change.
 *
 * Counts and bytes carry no sampling statistics: an exact figure (VMAs the guards add, system calls
 * made) regresses on any change the wrong way; a figure read from a process- or system-wide
 * counter (page tables, VMA slab) only on a change beyond the threshold and beyond the counter's
 * own noise (the row's resolution). A figure whose better value is "as expected" regresses when it
 * moves away from what the kernel should give. A figure without a direction (unknown, or a
 * system-wide count of background events), or a throughput from one timed window, is listed with its
 * exact change and never fails a comparison. Why each verdict is what it is travels as data
 * (verdict-reasons.ts); compare's formats word it.
 */
import type { MetricKind, MetricSpec, Params, Row, Run, Statistic } from '../results/schema.js';
import { detectableChange, relativeChange } from '../stats/significance.js';
import { environmentDifferences, type EnvDifference } from './environment.js';
import { hostMoved, hostShiftPercent, hostSpeedOf, HOST_SHIFT_GATE_PERCENT, HOST_SHIFT_WARN_PERCENT } from './host-speed.js';
import { rowKey } from './keys.js';
import { judgeLatency, MAX_USABLE_DETECTABLE } from './latency-verdict.js';
import { rowNoise, type RowNoise } from './row-noise.js';
import { specOf } from './specs.js';
import { noiseOf } from './stability.js';
import { confounders as confoundersOf, latencyComparability, type Confounder, type LatencyComparability } from './testbed.js';
import type { Counter, Reason, RunWarning } from './verdict-reasons.js';

export { MAX_USABLE_DETECTABLE };

/**
 * `incomparable`: latencies of two testbeds (or of an emulated CPU), never set against each other;
 * `inconclusive`: these runs could not have seen a change of the size that matters (its smallest
 * detectable change is over MAX_USABLE_DETECTABLE), whatever the figure did;
 * `changed`: a figure without a direction moved; `not-compared`: only one run has it, or one side
 * was not measured.
 */
export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'noisy' | 'inconclusive' | 'changed' | 'incomparable' | 'not-compared';
export const VERDICTS: readonly Verdict[] = ['regressed', 'improved', 'inconclusive', 'noisy', 'changed', 'incomparable', 'unchanged', 'not-compared'];

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
  /** the user's word that two runs recorded without a testbed come from one machine */
  sameTestbed?: boolean;
  /**
   * further runs of the same code that will confirm this comparison (compare --confirm): a
   * regression must then show in each, so each comparison may test its rows less strictly for the
   * same chance of a false alarm (see familyRowAlpha)
   */
  confirmations?: number;
}

export const DEFAULT_OPTIONS: CompareOptions = { threshold: 0.05, alpha: 0.01, maxRme: 10 };

export interface RowComparison {
  workload: string;
  strategy: string;
  params: Params;
  metric: string;
  unit: string;
  kind: MetricKind;
  spec: MetricSpec;
  base: Row | null;
  current: Row | null;
  verdict: Verdict;
  /** relative change, as a fraction: of the deciding statistic for latencies, of the value otherwise */
  change: number | null;
  /** the statistic a latency was judged by; null for other rows and latencies not judged */
  statistic: Statistic | null;
  /** current - base of the headline value, in the row's unit */
  delta: number | null;
  /** 1 - p of the t-test (latency rows), 1 for exact figures, null when not tested */
  confidence: number | null;
  /** combined relative margin of error of the two sides, percent (latency rows) */
  rme: number | null;
  /** run-to-run coefficient of variation of the deciding statistic, percent, when a baseline measured it */
  runToRunCv: number | null;
  /**
   * the smallest change (a fraction) this comparison could have detected for the row: from the
   * run-to-run spread and the margins of error for latencies, the counter's resolution for counts
   * and bytes (0 for exact figures); null when it was not judged
   */
  detectable: number | null;
  /** settings that changed between the runs and could explain this row's verdict */
  confounders: string[];
  /** why this verdict: the gate that decided and its numbers (worded by compare's formats) */
  reason: Reason;
  /** confirming runs the verdict showed again in (compare --confirm); 0 without any */
  repeatedIn: number;
}

export type { EnvDifference };

export interface Comparison {
  base: Run;
  current: Run;
  options: CompareOptions;
  rows: RowComparison[];
  environment: EnvDifference[];
  /** whether the two runs' latencies can be compared, and why not */
  latencies: LatencyComparability;
  /** settings that changed between two runs of one testbed */
  confounders: Confounder[];
  /** other things a reader should know (incomplete runs, the host's speed), as data */
  warnings: RunWarning[];
  counts: Record<Verdict, number>;
  /** latency rows tested together against the baseline's run-to-run spread (see familyRowAlpha) */
  latencyFamily: number;
  /** true when at least one row regressed: the exit code is 1 */
  regressed: boolean;
}

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

type Judgement = Pick<RowComparison, 'verdict' | 'change' | 'delta' | 'confidence' | 'rme' | 'reason'> & { detectable?: number | null; statistic?: Statistic | null };

const notTested = { change: null, delta: null, confidence: null, rme: null };

/** What the pair's context allows: whether its latencies may be compared, and what changed around it. */
export interface PairContext {
  latencies: LatencyComparability;
  confounders: readonly Confounder[];
  /**
   * latency rows tested against the baseline's run-to-run spread in this comparison: each is tested
   * at alpha / this (Bonferroni), so the comparison as a whole, not each row, has chance alpha of a
   * false regression when nothing changed
   */
  latencyFamily: number;
  /** how much slower (+) or faster the host's meter ran under the current run than the base, percent; null when a run has no meter */
  hostShift: number | null;
}

const SAME_MACHINE: PairContext = { latencies: { comparable: true }, confounders: [], latencyFamily: 1, hostShift: null };

/**
 * Whether a change of the figure can be better or worse. Not when its spec says so (`none`), and
 * not for a count of events read from a system-wide counter (interrupts): every other process on
 * the machine adds to it, so its moves are the machine's background, not the workload's doing.
 */
export function hasDirection(spec: MetricSpec): boolean {
  return spec.better !== 'none' && !(spec.kind === 'count' && spec.noise === 'system');
}

/** One pair -> one verdict; `spec` says what the pair's metric means. */
export function compareRow(pair: RowPair, spec: MetricSpec, options: CompareOptions = DEFAULT_OPTIONS, noise: RowNoise | null = null,
  context: PairContext = SAME_MACHINE): RowComparison {
  const row = (pair.base ?? pair.current)!;
  const { detectable = null, statistic = null, ...judged } = judge(pair, spec, options, noise, context);
  const decided = judged.verdict === 'regressed' || judged.verdict === 'improved';
  return {
    workload: row.workload, strategy: row.strategy, params: row.params, metric: row.metric, unit: row.unit, kind: spec.kind, spec,
    base: pair.base, current: pair.current,
    ...judged,
    statistic,
    detectable,
    confounders: decided ? context.confounders.filter((c) => c.affects.includes(spec.kind)).map((c) => c.field) : [],
    runToRunCv: noise?.cvPercent ?? null,
    repeatedIn: 0,
  };
}

function judge(pair: RowPair, spec: MetricSpec, options: CompareOptions, noise: RowNoise | null, context: PairContext): Judgement {
  const { base, current } = pair;
  if (!base) return { verdict: 'not-compared', ...notTested, reason: { gate: 'only-in', side: 'current' } };
  if (!current) return { verdict: 'not-compared', ...notTested, reason: { gate: 'only-in', side: 'base' } };
  if (base.status === 'ok' && current.status === 'failed') {
    // Something that used to work and now fails is the loudest regression there is.
    return { verdict: 'regressed', ...notTested, reason: { gate: 'now-fails', detail: current.reason ?? null } };
  }
  if (base.status !== 'ok' || current.status !== 'ok' || base.value === null || current.value === null) {
    const side = base.status !== 'ok' || base.value === null ? 'base' : 'current';
    const row = side === 'base' ? base : current;
    return { verdict: 'not-compared', ...notTested, reason: { gate: 'not-measured', side, status: row.status, detail: row.reason ?? null } };
  }
  if (spec.noise === 'timed') {
    if (!context.latencies.comparable) return { verdict: 'incomparable', ...exactChange(base.value, current.value), confidence: null, reason: { gate: 'testbeds', detail: context.latencies.reason } };
    if (base.stats && current.stats) return withheldForHost(latencyJudgement(base, current, spec, options, noise, context.latencyFamily), context.hostShift);
    return { verdict: 'changed', ...exactChange(base.value, current.value), reason: { gate: 'one-window' } };
  }
  return judgeFigure(spec, base, current, options, noise);
}

function latencyJudgement(base: Row, current: Row, spec: MetricSpec, options: CompareOptions, noise: RowNoise | null, family: number): Judgement {
  const rules = { ...options, rowAlpha: familyRowAlpha(options, family), family };
  const j = judgeLatency(base, current, spec, noise, rules);
  const f = j.figures;
  return {
    verdict: j.verdict,
    change: f?.change ?? relativeChange(base.value!, current.value!),
    delta: current.value! - base.value!,
    confidence: j.confidence,
    rme: f?.rme ?? null,
    detectable: f?.detectable ?? null,
    statistic: f?.statistic ?? null,
    reason: { gate: j.gate, latency: f },
  };
}

/** A latency verdict the host's own change of speed could explain is withheld (noisy), saying so. */
function withheldForHost(j: Judgement, hostShift: number | null): Judgement {
  if ((j.verdict !== 'regressed' && j.verdict !== 'improved') || hostShift === null || Math.abs(hostShift) <= HOST_SHIFT_GATE_PERCENT) return j;
  return { ...j, verdict: 'noisy', reason: { gate: 'host-shift', hostShiftPercent: hostShift, gatePercent: HOST_SHIFT_GATE_PERCENT, withheld: j.reason } };
}

function exactChange(base: number, current: number): Pick<Judgement, 'change' | 'delta' | 'confidence' | 'rme'> {
  return { change: relativeChange(base, current), delta: current - base, confidence: 1, rme: null };
}

/** A count or bytes figure: exact, or as noisy as its counter; judged by its better direction. */
function judgeFigure(spec: MetricSpec, base: Row, current: Row, options: CompareOptions, noise: RowNoise | null): Judgement {
  const b = base.value!;
  const c = current.value!;
  const exact = { ...exactChange(b, c), detectable: spec.noise === 'exact' ? 0 : null };
  if (spec.better === 'expected') return judgeExpected(b, c, current.expected ?? base.expected, exact);
  if (c === b) return { verdict: 'unchanged', ...exact, change: 0, reason: { gate: 'identical' } };
  if (!hasDirection(spec)) return { verdict: 'changed', ...exact, reason: { gate: 'no-direction', background: spec.better !== 'none' } };
  const worse = spec.better === 'lower' ? c > b : c < b;
  const moved: Verdict = worse ? 'regressed' : 'improved';
  if (spec.noise === 'exact') return { verdict: moved, ...exact, reason: { gate: 'exact', better: spec.better } };
  // A process- or system-wide counter: other allocations move it by up to its resolution.
  const counter: Counter = spec.noise === 'process' ? 'process' : 'system';
  if (base.resolution === undefined && current.resolution === undefined && !noise?.sd) {
    return { verdict: 'changed', ...exact, reason: { gate: 'noise-unrecorded', counter } };
  }
  // A cost read below zero is no cost: something else on the machine freed more than the workload
  // allocated while it was read, so the counter's noise outran the resolution the run recorded.
  if (b < 0 || c < 0) return { verdict: 'noisy', ...exact, reason: { gate: 'counter-negative', counter, side: b < 0 ? 'base' : 'current' } };
  // The counter's resolution in one run, and how far whole runs of the baseline spread.
  const spread = noise?.sd ? detectableChange(noise.sd, options.alpha, noise.runs - 1) : 0;
  const tolerance = Math.max(base.resolution ?? 0, current.resolution ?? 0, spread, options.threshold * Math.abs(b));
  const detectable = b !== 0 ? tolerance / Math.abs(b) : null;
  const beyond = Math.abs(c - b) > tolerance;
  const reason: Reason = { gate: 'counter-noise', counter, tolerance, beyond, better: spec.better };
  if (beyond) return { verdict: moved, ...exact, detectable, reason };
  // Within a noise wider than the usable limit, "unchanged" would claim what the counter cannot tell.
  return { verdict: detectable !== null && detectable > MAX_USABLE_DETECTABLE ? 'inconclusive' : 'unchanged', ...exact, detectable, reason };
}

/** A figure that should equal what the kernel gives: farther from it is worse. */
function judgeExpected(b: number, c: number, expected: number | undefined, exact: Omit<Judgement, 'verdict' | 'reason'>): Judgement {
  const reason: Reason = { gate: 'expected', expected: expected ?? null, base: b, current: c };
  if (c === b) return { verdict: 'unchanged', ...exact, change: 0, reason: expected === undefined ? { gate: 'identical' } : reason };
  if (expected === undefined) return { verdict: 'changed', ...exact, reason };
  const before = Math.abs(b - expected);
  const now = Math.abs(c - expected);
  const verdict: Verdict = now === before ? 'changed' : now > before ? 'regressed' : 'improved';
  return { verdict, ...exact, reason };
}

/**
 * The level each latency row's run-to-run test is held to, so that the whole comparison has chance
 * `alpha` of a false regression when nothing changed: alpha / family rows (Bonferroni); with k
 * confirming runs, a false regression must come up in k + 1 independent comparisons of one row,
 * so each may be held to (alpha / family)^(1 / (k + 1)).
 */
export function familyRowAlpha(options: CompareOptions, family: number): number {
  return (options.alpha / Math.max(1, family)) ** (1 / (1 + (options.confirmations ?? 0)));
}

function runWarnings(base: Run, current: Run, rows: RowComparison[], noisy: boolean): RunWarning[] {
  const warnings: RunWarning[] = noisy ? [] : [{ kind: 'no-run-to-run-spread' }];
  for (const [side, run] of [['base', base], ['current', current]] as const) {
    if (!run.complete) warnings.push({ kind: 'incomplete', side });
    const checks = run.verify.filter((v) => !v.ok).map((v) => v.check);
    if (checks.length > 0) warnings.push({ kind: 'failed-verification', side, checks });
  }
  const onlyOne = rows.filter((r) => r.verdict === 'not-compared' && (r.base === null || r.current === null)).length;
  if (onlyOne > 0) warnings.push({ kind: 'rows-in-one-run', rows: onlyOne });
  return [...warnings, ...hostSpeedWarnings(base, current)];
}

/**
 * What the host-speed meter says about the machine under the two runs: a host that ran at another
 * speed, or moved during a run, makes latency differences of that order that no kernel made.
 */
function hostSpeedWarnings(base: Run, current: Run): RunWarning[] {
  const warnings: RunWarning[] = [];
  const b = hostSpeedOf(base);
  const c = hostSpeedOf(current);
  if (b && c && Math.abs(hostShiftPercent(b, c)) > HOST_SHIFT_WARN_PERCENT) {
    warnings.push({ kind: 'host-speed-shift', baseNs: b.medianNs, currentNs: c.medianNs, shiftPercent: hostShiftPercent(b, c) });
  }
  for (const [side, hs] of [['base', b], ['current', c]] as const) {
    if (hs && hostMoved(hs)) warnings.push({ kind: 'host-speed-moved', side, spreadPercent: hs.spreadPercent });
  }
  return warnings;
}

export function compareRuns(base: Run, current: Run, options: CompareOptions = DEFAULT_OPTIONS): Comparison {
  const baseNoise = noiseOf(base);
  const currentNoise = noiseOf(current);
  const latencies = latencyComparability(base, current, options.sameTestbed);
  const pairs = pairRows(base, current).map((p) => {
    const row = (p.base ?? p.current)!;
    // The current run's specs say what its metrics mean now; the base's are for rows only it has.
    return { pair: p, spec: specOf(p.current ? current : base, row), noise: rowNoise(rowKey(row), baseNoise, currentNoise) };
  });
  const tested = (x: typeof pairs[number]) => latencies.comparable && x.spec.noise === 'timed' && x.noise !== null
    && x.pair.base?.status === 'ok' && x.pair.current?.status === 'ok' && x.pair.base.stats !== null && x.pair.current.stats !== null;
  const speeds = [hostSpeedOf(base), hostSpeedOf(current)] as const;
  const context: PairContext = {
    latencies, confounders: confoundersOf(base, current), latencyFamily: pairs.filter(tested).length,
    hostShift: speeds[0] && speeds[1] ? hostShiftPercent(speeds[0], speeds[1]) : null,
  };
  const rows = pairs.map((x) => compareRow(x.pair, x.spec, options, x.noise, context));
  const counts = countVerdicts(rows);
  const warnings = runWarnings(base, current, rows, baseNoise !== null || currentNoise !== null);
  if (context.latencies.comparable && context.latencies.warning) warnings.unshift({ kind: 'testbed', detail: context.latencies.warning });
  return {
    base, current, options, rows,
    environment: environmentDifferences(base, current),
    latencies: context.latencies,
    confounders: [...context.confounders],
    warnings,
    counts,
    latencyFamily: context.latencyFamily,
    regressed: counts.regressed > 0,
  };
}

/**
 * Keep a regression or improvement only if it shows again when the base is compared with each
 * confirming run of the same code: a burst of interference seldom hits the same row twice, a real
 * change always does. Rows that do not repeat become noisy, with what the other run showed.
 */
export function confirmComparison(c: Comparison, confirming: readonly Comparison[]): Comparison {
  if (confirming.length === 0) return c;
  const rows = c.rows.map((row) => {
    if (row.verdict !== 'regressed' && row.verdict !== 'improved') return row;
    for (const other of confirming) {
      const again = other.rows.find((r) => rowKey(r) === rowKey(row));
      if (again?.verdict !== row.verdict) {
        const change = again?.change !== undefined && again.change !== null && Number.isFinite(again.change) ? again.change : null;
        return { ...row, verdict: 'noisy' as const, reason: { gate: 'not-repeated' as const, run: other.current.id, verdict: again?.verdict ?? null, change, withheld: row.reason } };
      }
    }
    return { ...row, repeatedIn: confirming.length };
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
