/**
 * One latency pair -> a verdict, through a fixed list of gates. A latency is regressed (or
 * improved) only when the change of its deciding statistic (the metric's own, docs/methodology.md
 * "Regression verdicts"; the median for runs that lack it) is beyond the threshold, the mean and
 * the minimum moved the same way beyond it too (a burst that slows a few iterations moves the mean,
 * not the median or the minimum), Welch's t-test on the means calls the difference significant, the
 * margins of error allow a verdict and - when the baseline measured it - the change is outside the
 * row's run-to-run spread. A row whose smallest detectable change is over MAX_USABLE_DETECTABLE is
 * inconclusive whatever it did: these runs could not have seen a change of the size that matters.
 */
import type { MetricSpec, Row, Stats, Statistic } from '../results/schema.js';
import { betweenRunFactor, betweenRunTest, combinedRme, detectableChange, relativeChange, summaryOf, welchTTest } from '../stats/significance.js';
import type { RowNoise } from './row-noise.js';
import { statisticOf } from './stability.js';
import type { LatencyFigures, LatencyGate, RunToRunTest } from './verdict-reasons.js';

/** A latency whose smallest detectable change is larger than this is inconclusive, never used for pass/fail. */
export const MAX_USABLE_DETECTABLE = 0.25;

/** The settings a latency verdict takes from the comparison's options. */
export interface LatencyRules {
  threshold: number;
  alpha: number;
  maxRme: number;
  /** the level each row's run-to-run test is held to (see familyRowAlpha) */
  rowAlpha: number;
  /** latency rows tested together */
  family: number;
}

export interface LatencyJudgement {
  verdict: 'regressed' | 'improved' | 'unchanged' | 'noisy' | 'inconclusive';
  gate: LatencyGate;
  figures: LatencyFigures | null;
  /** 1 - p of the t-test, null when it could not run */
  confidence: number | null;
}

/**
 * The statistic a latency pair is judged by: the one the baseline measured the row's spread on,
 * else the metric's own, whichever both rows hold first; else the median.
 */
export function decidingStatistic(base: Stats, current: Stats, preferred: readonly (Statistic | undefined)[]): Statistic {
  for (const s of preferred) if (s && statisticOf(base, s) !== null && statisticOf(current, s) !== null) return s;
  return 'median';
}

/**
 * The smallest change of a latency these two runs could tell from noise: from the margins of error
 * within each run and, when a baseline measured it, the spread of whole runs (which within-run
 * statistics cannot see), at the comparison's significance level with 80% power; never below the
 * threshold.
 */
function latencyDetectable(b: Stats, c: Stats, noise: RowNoise | null, rules: LatencyRules): number {
  // rme is the 95% half-width of the mean, in percent: a standard error of about rme / 196.
  const within = detectableChange(Math.hypot(b.rme, c.rme) / 196 / Math.SQRT2, rules.alpha);
  // detectableChange counts two single runs (sqrt 2); against the base's mean over its runs, less.
  const scale = noise ? betweenRunFactor(noise.runs, noise.centre !== undefined) / Math.SQRT2 : 1;
  const between = noise ? detectableChange((noise.cvPercent / 100) * scale, rules.rowAlpha, noise.runs - 1) : 0;
  // A verdict on another statistic needs the median to clear its own spread too: the larger decides.
  const median = noise?.medianCvPercent !== undefined ? detectableChange((noise.medianCvPercent / 100) * scale, rules.rowAlpha, noise.runs - 1) : 0;
  return Math.max(within, between, median, rules.threshold);
}

function runToRunTest(change: number, cvPercent: number | undefined, noise: RowNoise, centred: boolean, rules: LatencyRules): RunToRunTest | null {
  if (cvPercent === undefined) return null;
  const test = betweenRunTest(change, cvPercent, noise.runs, centred);
  return test ? { cvPercent, runs: noise.runs, p: test.p, rowAlpha: rules.rowAlpha, family: rules.family } : null;
}

/** The figures of a pair, or null when a side has fewer than 2 samples (no test can run). */
function latencyFigures(base: Row, current: Row, spec: MetricSpec, rowNoise: RowNoise | null, rules: LatencyRules): LatencyFigures | null {
  const b = base.stats!;
  const c = current.stats!;
  const test = welchTTest(summaryOf(b), summaryOf(c));
  if (!test) return null;
  const statistic = decidingStatistic(b, c, [rowNoise?.statistic, spec.statistic]);
  // A spread measured on another statistic (an older baseline against a run that holds more) says nothing about this one.
  const noise = rowNoise && rowNoise.statistic === statistic ? rowNoise : null;
  // Against the base's mean over its runs where it kept one, else against its saved run.
  const change = relativeChange(noise?.centre ?? statisticOf(b, statistic)!, statisticOf(c, statistic)!);
  const medianBase = statistic === 'median' ? (noise?.centre ?? base.value!) : (noise?.medianCentre ?? base.value!);
  const medianChange = relativeChange(medianBase, current.value!);
  return {
    statistic, change,
    medianChange: statistic === 'median' ? null : medianChange,
    meanChange: relativeChange(b.mean, c.mean),
    minChange: relativeChange(b.min, c.min),
    p: test.p, alpha: rules.alpha, threshold: rules.threshold,
    rme: combinedRme(b.rme, c.rme), worstRme: Math.max(b.rme, c.rme), maxRme: rules.maxRme,
    detectable: latencyDetectable(b, c, noise, rules), maxDetectable: MAX_USABLE_DETECTABLE,
    centredOn: noise?.centre !== undefined ? noise.runs : null,
    runToRun: noise ? runToRunTest(change, noise.cvPercent, noise, noise.centre !== undefined, rules) : null,
    medianRunToRun: noise ? runToRunTest(medianChange, noise.medianCvPercent, noise, noise.medianCentre !== undefined, rules) : null,
  };
}

/** Moved beyond the threshold the same way as the judged statistic. */
function agrees(other: number, f: LatencyFigures): boolean {
  return Math.sign(other) === Math.sign(f.change) && Math.abs(other) > f.threshold;
}

const beyondRunToRun = (t: RunToRunTest | null) => t === null || t.p < t.rowAlpha;

/** What a change beyond the threshold must also pass, in the order a reader would ask. */
const MOVE_GATES: readonly [LatencyGate, (f: LatencyFigures) => boolean][] = [
  ['latency-significance', (f) => f.p < f.alpha],
  ['latency-mean', (f) => agrees(f.meanChange, f)],
  ['latency-minimum', (f) => agrees(f.minChange, f)],
  // A wide margin still allows a verdict on a change that clears threshold plus margin.
  ['latency-margin', (f) => f.worstRme <= f.maxRme || Math.abs(f.change) - f.rme / 100 > f.threshold],
  // Within-run statistics cannot see a whole run shifting; the baseline's repeated runs can.
  ['latency-run-to-run', (f) => beyondRunToRun(f.runToRun)],
  ['latency-median-run-to-run', (f) => beyondRunToRun(f.medianRunToRun)],
];

function verdictOf(f: LatencyFigures): Pick<LatencyJudgement, 'verdict' | 'gate'> {
  if (f.detectable > f.maxDetectable) return { verdict: 'inconclusive', gate: 'latency-detectable' };
  if (Math.abs(f.change) > f.threshold) {
    const failed = MOVE_GATES.find(([, passes]) => !passes(f));
    if (failed) return { verdict: 'noisy', gate: failed[0] };
    return { verdict: f.change > 0 ? 'regressed' : 'improved', gate: 'latency-moved' };
  }
  if (f.worstRme > f.maxRme) return { verdict: 'noisy', gate: 'latency-rme' };
  return { verdict: 'unchanged', gate: 'latency-within' };
}

export function judgeLatency(base: Row, current: Row, spec: MetricSpec, noise: RowNoise | null, rules: LatencyRules): LatencyJudgement {
  const figures = latencyFigures(base, current, spec, noise, rules);
  if (!figures) return { verdict: 'noisy', gate: 'latency-few-samples', figures: null, confidence: null };
  return { ...verdictOf(figures), figures, confidence: 1 - figures.p };
}
