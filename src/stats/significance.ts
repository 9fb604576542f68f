/**
 * The statistics comparisons need, as pure functions of numbers: Welch's two-sample t-test computed
 * from summary statistics (a run keeps mean, sd and the sample count of every latency row, not the
 * samples themselves), relative change, and the combined margin of error of a ratio.
 *
 * @stdlib/stats-ttest2 runs the same test but only on raw sample arrays, so the test statistic and
 * Welch-Satterthwaite degrees of freedom are computed here and only the Student-t CDF is borrowed.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Stats } from '../results/schema.js';

/** What a two-sample test needs from each side. */
export interface SampleSummary {
  mean: number;
  /** sample standard deviation (n - 1 in the denominator) */
  sd: number;
  n: number;
}

export interface TTestResult {
  /** (current mean - base mean) / standard error of the difference */
  t: number;
  /** Welch-Satterthwaite degrees of freedom */
  df: number;
  /** two-sided p-value */
  p: number;
}

/** The name printed next to every confidence figure, so a reader knows what was tested. */
export const TEST_NAME = "Welch's two-sample t-test on the means (two-sided)";

export function summaryOf(stats: Stats): SampleSummary {
  return { mean: stats.mean, sd: stats.sd, n: stats.samples };
}

/**
 * Welch's t-test of "the two means are equal" from summary statistics. Returns null when either
 * side has fewer than two samples: its variance is unknown, so nothing can be decided.
 */
export function welchTTest(base: SampleSummary, current: SampleSummary): TTestResult | null {
  if (base.n < 2 || current.n < 2) return null;
  const vb = (base.sd * base.sd) / base.n;
  const vc = (current.sd * current.sd) / current.n;
  const diff = current.mean - base.mean;
  const se2 = vb + vc;
  if (se2 === 0) {
    // Both sides constant: any difference at all is certain, none is certainly none.
    const df = base.n + current.n - 2;
    if (diff === 0) return { t: 0, df, p: 1 };
    return { t: diff > 0 ? Infinity : -Infinity, df, p: 0 };
  }
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((vb * vb) / (base.n - 1) + (vc * vc) / (current.n - 1));
  const p = Math.min(1, 2 * tCdf(-Math.abs(t), df));
  return { t, df, p };
}

/** (current - base) / |base| as a fraction; a change from zero is infinite unless there is none. */
export function relativeChange(base: number, current: number): number {
  if (base === 0) return current === 0 ? 0 : current > 0 ? Infinity : -Infinity;
  return (current - base) / Math.abs(base);
}

/**
 * Margin of error (percent) of the ratio of two independent estimates, each with its own relative
 * margin: to first order the relative errors add in quadrature.
 */
export function combinedRme(rmeBase: number, rmeCurrent: number): number {
  return Math.hypot(rmeBase, rmeCurrent);
}

/**
 * Test a change against run-to-run variation rather than within-run sampling error. `cvPercent`
 * is the coefficient of variation of the row's figure over `runs` repeated runs on one machine;
 * with each side one run the difference has twice that variance, against the mean of those runs
 * (`baseIsMean`) 1 + 1/runs times it. Student's t with runs - 1 degrees of freedom, because the
 * spread itself is estimated from those runs.
 */
export function betweenRunTest(change: number, cvPercent: number, runs: number, baseIsMean = false): TTestResult | null {
  if (runs < 3 || !Number.isFinite(change)) return null;
  const df = runs - 1;
  const se = (cvPercent / 100) * betweenRunFactor(runs, baseIsMean);
  if (se === 0) return change === 0 ? { t: 0, df, p: 1 } : { t: change > 0 ? Infinity : -Infinity, df, p: 0 };
  const t = change / se;
  return { t, df, p: Math.min(1, 2 * tCdf(-Math.abs(t), df)) };
}

/**
 * How many run-to-run standard deviations apart two figures are expected to lie: sqrt(2) for two
 * single runs; sqrt(1 + 1/runs) when the base is the mean of the `runs` runs the spread came from.
 */
export function betweenRunFactor(runs: number, baseIsMean: boolean): number {
  return baseIsMean ? Math.sqrt(1 + 1 / runs) : Math.SQRT2;
}

/** Power the smallest detectable change is stated at: the chance a real change of that size is seen. */
export const DETECTION_POWER = 0.8;

/**
 * The smallest relative change (a fraction) a two-sided test at `alpha` detects with 80% power,
 * when the two figures compared each carry relative standard error `se` (a fraction) and that
 * error was estimated with `df` degrees of freedom (Infinity when it is known well).
 */
export function detectableChange(se: number, alpha: number, df = Infinity): number {
  const d = Number.isFinite(df) ? Math.max(1, df) : 1e9;
  return (tQuantile(1 - alpha / 2, d) + tQuantile(DETECTION_POWER, d)) * Math.SQRT2 * se;
}
