/** The run-to-run spread of one row, from whichever of two runs measured it (baselines saved from several runs). */
import type { NoiseModel, Statistic } from '../results/schema.js';

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
