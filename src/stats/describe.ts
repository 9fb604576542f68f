/**
 * Descriptive statistics of latency samples: one pure function, used for every latency row, so
 * rows pooled over several passes of a run are summarised exactly as single-pass ones.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { CALL_METER_NOMINAL_NS, HOST_METER_NOMINAL_NS, type Stats } from '../results/schema.js';

/** Linear-interpolated quantile of sorted values (the "R-7" rule spreadsheets use). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Arithmetic mean; NaN of nothing. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** The middle figure, the lower of the two middle ones for an even count: always a figure that was measured. */
export function lowerMedian(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Sample standard deviation (n - 1); 0 for fewer than two figures. */
export function sampleSd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

/**
 * Summary of samples: median is the headline; rme is the half-width of the 95% confidence interval
 * of the mean (Student's t), in percent of the mean.
 */
export function describeSamples(samples: readonly number[]): Stats {
  const n = samples.length;
  if (n === 0) throw new Error('no samples to describe');
  const sorted = [...samples].sort((a, b) => a - b);
  const average = mean(sorted);
  const sd = sampleSd(sorted);
  const critical = n > 1 ? tQuantile(0.975, n - 1) : NaN;
  const rme = n > 1 && average !== 0 ? (100 * critical * sd) / Math.sqrt(n) / Math.abs(average) : 0;
  return {
    mean: average,
    median: quantile(sorted, 0.5),
    p75: quantile(sorted, 0.75),
    p99: quantile(sorted, 0.99),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    sd,
    rme,
    samples: n,
  };
}

/** Coefficient of variation (sd / mean, percent) of a handful of figures; 0 for fewer than two. */
export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const average = mean(xs);
  return average === 0 ? 0 : (100 * sampleSd(xs)) / average;
}

/** Mean of the samples between the `cut` and 1 - `cut` quantiles (sorted input). */
export function trimmedMean(sorted: readonly number[], cut = 0.1): number {
  const drop = Math.floor(sorted.length * cut);
  const kept = sorted.slice(drop, sorted.length - drop);
  return mean(kept);
}

/** Median of sample_i / meter_i, scaled to the meter's nominal speed; NaN when a reading is missing. */
function normalisedMedian(samples: readonly number[], meter: readonly number[], nominal: number): number {
  const ratios = samples.map((x, i) => (x * nominal) / meter[i]!).sort((a, b) => a - b);
  return quantile(ratios, 0.5);
}

/**
 * The summary of samples read with the host's speed meters beside each: describeSamples, plus the
 * candidate statistics whose spread across runs decides which one a comparison should trust.
 */
export function describeMetered(ns: readonly number[], labs: readonly number[], getppid: readonly number[]): Stats {
  const stats = describeSamples(ns);
  const sorted = [...ns].sort((a, b) => a - b);
  const host = normalisedMedian(ns, labs, HOST_METER_NOMINAL_NS);
  const call = normalisedMedian(ns, getppid, CALL_METER_NOMINAL_NS);
  return {
    ...stats,
    p10: quantile(sorted, 0.1),
    trimmedMean: trimmedMean(sorted),
    ...(Number.isFinite(host) ? { hostNormalisedMedian: host } : {}),
    ...(Number.isFinite(call) ? { callNormalisedMedian: call } : {}),
  };
}

/** `part` as a percentage of `whole`; 0 of nothing is 0%. */
export function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : (100 * part) / whole;
}
