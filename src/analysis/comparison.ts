/**
 * Run x Run -> verdicts. Rows are paired by workload, strategy, parameter point and metric; each
 * pair gets one verdict from what its metric means (the run's metric specs), and the comparison as
 * a whole says whether anything regressed.
 *
 * Latency rows: a row is regressed (or improved) only when the change of its deciding statistic (the
 * metric's own, README "How steady the figures are"; the median for runs that lack it) is beyond
 * the threshold, the mean and the minimum moved the same way beyond it too (a burst that slows a few
 * iterations moves the mean, not the median or the minimum), Welch's t-test on the means calls the
 * difference significant, and - when the baseline measured it - the change is outside the row's
 * run-to-run spread. A row whose margin of error is too large to tell is "noisy", never regressed
 * on a small change.
 *
 * Counts and bytes carry no sampling statistics: an exact figure (VMAs the guards add, system calls
 * made) regresses on any change the wrong way; a figure read from a process- or system-wide
 * counter (page tables, VMA slab) only on a change beyond the threshold and beyond the counter's
 * own noise (the row's resolution). A figure whose better value is "as expected" regresses when it
 * moves away from what the kernel should give. A figure whose better direction is unknown, or a
 * throughput from one timed window, is listed with its exact change and never fails a comparison.
 */
import type { MetricKind, MetricSpec, Params, Row, Run, Statistic, Stats } from '../results/schema.js';
import { betweenRunFactor, betweenRunTest, combinedRme, detectableChange, relativeChange, summaryOf, welchTTest } from '../stats/significance.js';
import { environmentDifferences, type EnvDifference } from './environment.js';
import { hostMoved, hostShiftPercent, hostSpeedOf, HOST_SHIFT_GATE_PERCENT, HOST_SHIFT_WARN_PERCENT } from './host-speed.js';
import { rowKey } from './keys.js';
import { specOf } from './specs.js';
import { noiseOf, statisticOf } from './stability.js';
import { confounders as confoundersOf, latencyComparability, type Confounder, type LatencyComparability } from './testbed.js';
import type { NoiseModel } from '../results/schema.js';

/**
 * `incomparable`: latencies of two testbeds (or of an emulated CPU), never set against each other;
 * `changed`: a figure whose better direction is unknown moved; `not-compared`: only one run has it,
 * or one side was not measured.
 */
export type Verdict = 'regressed' | 'improved' | 'unchanged' | 'noisy' | 'changed' | 'incomparable' | 'not-compared';
export const VERDICTS: readonly Verdict[] = ['regressed', 'improved', 'noisy', 'changed', 'incomparable', 'unchanged', 'not-compared'];

/** A latency whose smallest detectable change is larger than this is not used for pass/fail. */
export const MAX_USABLE_DETECTABLE = 0.25;

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
   * same chance of a false alarm (see rowAlpha)
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
  /** why this verdict, in a few words */
  why: string;
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
  /** other things a reader should know (incomplete runs, different profiles) */
  warnings: string[];
  counts: Record<Verdict, number>;
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

type Judgement = Pick<RowComparison, 'verdict' | 'change' | 'delta' | 'confidence' | 'rme' | 'why'> & { detectable?: number | null; statistic?: Statistic };

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

/** Run-to-run spread of one row, from whichever sides measured it. */
export interface RowNoise {
  /** of a latency's deciding statistic (below), percent */
  cvPercent: number;
  /** the statistic the latency's spread was measured on (median in older baselines) */
  statistic: Statistic;
  /** the median's own spread, percent, when the latency is judged by another statistic */
  medianCvPercent?: number;
  /** the base's mean over its runs of the deciding statistic and of the median, when it kept them */
  centre?: number;
  medianCentre?: number;
  /** of a counter figure, in the row's unit (0 for latencies) */
  sd: number;
  runs: number;
}

/** The row's run-to-run spread: the base's, pooled with the current's when both have one. */
export function rowNoise(key: string, base: NoiseModel | null, current: NoiseModel | null): RowNoise | null {
  const side = (m: NoiseModel | null): RowNoise | null => {
    const cv = m?.cvPercent[key];
    const sd = m?.sd?.[key];
    if (cv === undefined && sd === undefined) return null;
    const optional = { medianCvPercent: m!.medianCvPercent?.[key], centre: m!.centre?.[key], medianCentre: m!.medianCentre?.[key] };
    const kept = Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined));
    return { cvPercent: cv ?? 0, statistic: m!.statistic?.[key] ?? 'median', ...kept, sd: sd ?? 0, runs: m!.runs };
  };
  const b = side(base);
  const c = side(current);
  const pool = (x: number, y: number) => Math.sqrt((x * x + y * y) / 2);
  // Spreads of two different statistics do not pool: the base's decides.
  if (b && c && b.statistic === c.statistic) {
    const medianCv = b.medianCvPercent !== undefined && c.medianCvPercent !== undefined ? { medianCvPercent: pool(b.medianCvPercent, c.medianCvPercent) } : {};
    // Both sides are single runs then (the base's centre is not the current's): no centre.
    return { cvPercent: pool(b.cvPercent, c.cvPercent), statistic: b.statistic, ...medianCv, sd: pool(b.sd, c.sd), runs: Math.min(b.runs, c.runs) };
  }
  return b ?? c;
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
  };
}

function judge(pair: RowPair, spec: MetricSpec, options: CompareOptions, noise: RowNoise | null, context: PairContext): Judgement {
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
  if (spec.noise === 'timed') {
    if (!context.latencies.comparable) return { verdict: 'incomparable', ...exactChange(base.value, current.value), confidence: null, why: context.latencies.reason };
    if (base.stats && current.stats) return withheldForHost(judgeLatency(base, current, spec, options, noise, context.latencyFamily), context.hostShift);
    return { verdict: 'changed', ...exactChange(base.value, current.value), why: 'one timed window, no statistics: informational' };
  }
  return judgeFigure(spec, base, current, options, noise);
}

/** A latency verdict the host's own change of speed could explain is withheld (noisy), saying so. */
function withheldForHost(j: Judgement, hostShift: number | null): Judgement {
  if ((j.verdict !== 'regressed' && j.verdict !== 'improved') || hostShift === null || Math.abs(hostShift) <= HOST_SHIFT_GATE_PERCENT) return j;
  const way = hostShift > 0 ? 'slower' : 'faster';
  return { ...j, verdict: 'noisy', why: `${j.why}; withheld: the host itself ran ${Math.abs(hostShift).toFixed(0)}% ${way} (labs meter) than under the base run` };
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
  if (c === b) return { verdict: 'unchanged', ...exact, change: 0, why: 'identical' };
  if (spec.better === 'none') return { verdict: 'changed', ...exact, why: 'which way is better is not known: informational' };
  const delta = c - b;
  let margin = '';
  if (spec.noise !== 'exact') {
    // A process- or system-wide counter: other allocations move it by up to its resolution.
    const counter = spec.noise === 'process' ? 'a process-wide counter' : 'a system-wide counter';
    if (base.resolution === undefined && current.resolution === undefined && !noise?.sd) {
      return { verdict: 'changed', ...exact, why: `${counter} whose noise the run did not record: informational` };
    }
    // The counter's resolution in one run, and how far whole runs of the baseline spread.
    const spread = noise?.sd ? detectableChange(noise.sd, options.alpha, noise.runs - 1) : 0;
    const tolerance = Math.max(base.resolution ?? 0, current.resolution ?? 0, spread, options.threshold * Math.abs(b));
    exact.detectable = b !== 0 ? tolerance / Math.abs(b) : null;
    if (Math.abs(delta) <= tolerance) return { verdict: 'unchanged', ...exact, why: `within ±${round(tolerance)} (${counter}'s noise)` };
    margin = `beyond ±${round(tolerance)}, ${counter}'s noise; `;
  }
  const worse = spec.better === 'lower' ? delta > 0 : delta < 0;
  const why = `${delta > 0 ? 'rose' : 'fell'} (${margin || 'exact; '}${spec.better} is better)`;
  return { verdict: worse ? 'regressed' : 'improved', ...exact, why };
}

/** A figure that should equal what the kernel gives: farther from it is worse. */
function judgeExpected(b: number, c: number, expected: number | undefined, exact: Omit<Judgement, 'verdict' | 'why'>): Judgement {
  if (expected === undefined) {
    return c === b ? { verdict: 'unchanged', ...exact, change: 0, why: 'identical' } : { verdict: 'changed', ...exact, why: 'no expected value recorded: informational' };
  }
  const before = Math.abs(b - expected);
  const now = Math.abs(c - expected);
  if (now === before) return { verdict: c === b ? 'unchanged' : 'changed', ...exact, change: c === b ? 0 : exact.change, why: now === 0 ? `as expected (${expected})` : `${now} off the expected ${expected}, as before` };
  return now > before
    ? { verdict: 'regressed', ...exact, why: `${c} where ${expected} is expected (was ${b})` }
    : { verdict: 'improved', ...exact, why: `${c}, closer to the expected ${expected} (was ${b})` };
}

function round(x: number): string {
  return Number(x.toPrecision(2)).toString();
}

/**
 * The smallest change of a latency these two runs could tell from noise: from the margins of error
 * within each run and, when a baseline measured it, the spread of whole runs (which within-run
 * statistics cannot see), at the comparison's significance level with 80% power; never below the
 * threshold.
 */
function latencyDetectable(rmeBase: number, rmeCurrent: number, noise: RowNoise | null, options: CompareOptions, rowAlpha: number): number {
  // rme is the 95% half-width of the mean, in percent: a standard error of about rme / 196.
  const within = detectableChange(Math.hypot(rmeBase, rmeCurrent) / 196 / Math.SQRT2, options.alpha);
  // detectableChange counts two single runs (sqrt 2); against the base's mean over its runs, less.
  const scale = noise ? betweenRunFactor(noise.runs, noise.centre !== undefined) / Math.SQRT2 : 1;
  const between = noise ? detectableChange((noise.cvPercent / 100) * scale, rowAlpha, noise.runs - 1) : 0;
  // A verdict on another statistic needs the median to clear its own spread too: the larger decides.
  const median = noise?.medianCvPercent !== undefined ? detectableChange((noise.medianCvPercent / 100) * scale, rowAlpha, noise.runs - 1) : 0;
  return Math.max(within, between, median, options.threshold);
}

/**
 * The statistic a latency pair is judged by: the one the baseline measured the row's spread on,
 * else the metric's own, whichever both rows hold first; else the median.
 */
export function decidingStatistic(base: Stats, current: Stats, preferred: readonly (Statistic | undefined)[]): Statistic {
  for (const s of preferred) if (s && statisticOf(base, s) !== null && statisticOf(current, s) !== null) return s;
  return 'median';
}

/** How a statistic reads in a sentence. */
const STATISTIC_WORDS: Record<Statistic, string> = {
  median: 'median', p10: 'p10', min: 'minimum', trimmedMean: 'trimmed mean',
  hostNormalisedMedian: 'host-normalised median', callNormalisedMedian: 'call-normalised median',
};

function judgeLatency(base: Row, current: Row, spec: MetricSpec, options: CompareOptions, rowNoise: RowNoise | null, family: number): Judgement {
  const b = base.stats!;
  const c = current.stats!;
  const statistic = decidingStatistic(b, c, [rowNoise?.statistic, spec.statistic]);
  // A spread measured on another statistic (an older baseline against a run that holds more) says nothing about this one.
  const noise = rowNoise && rowNoise.statistic === statistic ? rowNoise : null;
  // Against the base's mean over its runs where it kept one, else against its saved run.
  const centred = noise?.centre !== undefined;
  const change = relativeChange(noise?.centre ?? statisticOf(b, statistic)!, statisticOf(c, statistic)!);
  const medianBase = statistic === 'median' ? (noise?.centre ?? base.value!) : (noise?.medianCentre ?? base.value!);
  const medianChange = relativeChange(medianBase, current.value!);
  // The figure judged, and the median beside it when the judged one is another statistic.
  const against = centred ? ` against the mean of ${noise!.runs} baseline runs` : '';
  const judgedAs = statistic === 'median' ? `median ${signed(change)}${against}`
    : `${STATISTIC_WORDS[statistic]} ${signed(change)} (median ${signed(medianChange)})${against}`;
  const meanChange = relativeChange(b.mean, c.mean);
  const delta = current.value! - base.value!;
  const rme = combinedRme(b.rme, c.rme);
  const test = welchTTest(summaryOf(b), summaryOf(c));
  if (!test) return { verdict: 'noisy', change, delta, confidence: null, rme, detectable: null, statistic, why: 'fewer than 2 samples on a side' };
  const confidence = 1 - test.p;
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
  const between = noise ? betweenRunTest(change, noise.cvPercent, noise.runs, centred) : null;
  const medianBetween = noise?.medianCvPercent !== undefined ? betweenRunTest(medianChange, noise.medianCvPercent, noise.runs, noise.medianCentre !== undefined) : null;
  const rowAlpha = familyRowAlpha(options, family);
  const beyondRunToRun = (between === null || between.p < rowAlpha) && (medianBetween === null || medianBetween.p < rowAlpha);
  const direction: Verdict = change > 0 ? 'regressed' : 'improved';
  const detectable = latencyDetectable(b.rme, c.rme, noise, options, rowAlpha);
  const judged = { change, delta, confidence, rme, detectable, statistic };

  if (beyond && significant && meansAgree && minsAgree && decidable && beyondRunToRun) {
    if (detectable > MAX_USABLE_DETECTABLE) {
      return { verdict: 'noisy', ...judged, why: `${judgedAs}, but on this testbed only changes above ${pct(detectable)} can be told from noise: not used for pass/fail` };
    }
    const runToRun = between ? `, run-to-run p=${formatP(between.p)}${familyNote(rowAlpha, family)}` : '';
    return { verdict: direction, ...judged, why: `${judgedAs}, mean ${signed(meanChange)}, p=${formatP(test.p)}${runToRun}` };
  }
  if (beyond) {
    const why = !significant ? `${judgedAs}, not significant (p=${formatP(test.p)})`
      : !meansAgree ? `${judgedAs} but mean ${signed(meanChange)}`
        : !minsAgree ? `${judgedAs} but minimum ${signed(minChange)}`
          : !decidable ? `margin of error ±${rme.toFixed(1)}% too wide`
            : between && between.p >= rowAlpha
              ? `${judgedAs}, within run-to-run spread (CV ${noise!.cvPercent.toFixed(1)}% over ${noise!.runs} runs, p=${formatP(between!.p)}${familyNote(rowAlpha, family)})`
              : `${judgedAs}, but the median is within its run-to-run spread (CV ${noise!.medianCvPercent!.toFixed(1)}%, p=${formatP(medianBetween!.p)}${familyNote(rowAlpha, family)})`;
    return { verdict: 'noisy', ...judged, why };
  }
  if (tooNoisy) return { verdict: 'noisy', ...judged, why: `rme ${Math.max(b.rme, c.rme).toFixed(1)}% > ${options.maxRme}%` };
  return { verdict: 'unchanged', ...judged, why: significant ? `within ±${pct(T)}` : 'no significant change' };
}

export function signed(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

function pct(fraction: number): string {
  return `${+(fraction * 100).toFixed(2)}%`;
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

/** What a row's run-to-run p-value had to beat, when rows are tested as a family. */
function familyNote(rowAlpha: number, family: number): string {
  return family > 1 ? ` against ${Number(rowAlpha.toPrecision(2))}, ${family} latency rows tested together` : '';
}

function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
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
 * What the host-speed meter says about the machine under the two runs: a host that ran at another
 * speed, or moved during a run, makes latency differences of that order that no kernel made.
 */
export function hostSpeedWarnings(base: Run, current: Run): string[] {
  const warnings: string[] = [];
  const b = hostSpeedOf(base);
  const c = hostSpeedOf(current);
  if (b && c) {
    const shift = hostShiftPercent(b, c);
    if (Math.abs(shift) > HOST_SHIFT_WARN_PERCENT) {
      warnings.push(`the host ran at another speed: a koffi labs() call took ${b.medianNs.toFixed(0)} ns (median) in the base run `
        + `and ${c.medianNs.toFixed(0)} ns in the current one (${shift > 0 ? '+' : ''}${shift.toFixed(0)}%); latency differences of that order may be the machine's, not the kernel's`);
    }
  }
  for (const [label, hs] of [['base', b], ['current', c]] as const) {
    if (hs && hostMoved(hs)) {
      warnings.push(`the host's speed moved ${hs.spreadPercent.toFixed(0)}% during the ${label} run (p90/p10 of its host-speed meter); `
        + 'its absolute latencies carry noise of that order');
    }
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
  if (context.latencies.comparable && context.latencies.warning) warnings.unshift(context.latencies.warning);
  return {
    base, current, options, rows,
    environment: environmentDifferences(base, current),
    latencies: context.latencies,
    confounders: [...context.confounders],
    warnings,
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
