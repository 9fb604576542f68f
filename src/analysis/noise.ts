/**
 * When a latency figure should not be trusted at face value: within-run noise (a wide margin of
 * error, a long tail). Every view flags the same rows for the same reasons.
 */
import type { Row } from '../results/schema.js';

/**
 * Above these a figure is flagged as noisy wherever it is shown. "Noisy" means one thing in every
 * view: a relative margin of error over NOISY_RME_PERCENT is also where compare stops deciding a
 * latency (its `maxRme`), so a figure a report calls noisy is one a comparison cannot judge alone.
 */
export const NOISY_RME_PERCENT = 10;
export const NOISE_TAIL_RATIO = 3;

/** Why a latency row's figure should not be trusted at face value, or null. */
export function noiseWarning(row: Row): string | null {
  if (row.status !== 'ok' || !row.stats) return null;
  const reasons: string[] = [];
  if (row.stats.rme > NOISY_RME_PERCENT) reasons.push(`rme ${row.stats.rme.toFixed(1)}% > ${NOISY_RME_PERCENT}%`);
  if (row.stats.median > 0 && row.stats.p99 / row.stats.median > NOISE_TAIL_RATIO) {
    reasons.push(`p99 is ${(row.stats.p99 / row.stats.median).toFixed(1)}x the median`);
  }
  return reasons.length > 0 ? reasons.join(', ') : null;
}

/** The rule above in words, for a report's footnote. */
export const NOISE_RULE = `noisy: relative margin of error above ${NOISY_RME_PERCENT}% or p99 above ${NOISE_TAIL_RATIO}x the median; read such figures as rough`;
