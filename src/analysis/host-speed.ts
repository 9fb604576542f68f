/**
 * What the host-speed meter (env.hostSpeed: a koffi labs() loop read before every point) says
 * about the machine under a run: whether the CPU held its speed, and whether two runs saw it at
 * the same speed. On a shared host the same loop runs 40% slower from one second to the next, and
 * every absolute latency moves with it.
 */
import type { HostSpeed, Run } from '../results/schema.js';

/** Above this spread of the meter (p90/p10 - 1) a run's absolute latencies are flagged. */
export const HOST_SPREAD_WARN_PERCENT = 10;
/** Runs whose meter medians differ by more than this saw the machine at different speeds. */
export const HOST_SHIFT_WARN_PERCENT = 10;
/**
 * Runs whose meter medians differ by more than this get no latency verdict: this host's slow state
 * (the meter at ~40 ns against ~22) lasts a minute at a time, long enough to slow a run and the run
 * that confirms it alike, by more than any baseline's spread (a churn row read +72% so).
 */
export const HOST_SHIFT_GATE_PERCENT = 25;

export function hostSpeedOf(run: Run): HostSpeed | null {
  return run.env.hostSpeed ?? null;
}

/** Did the host move enough during the run to matter? */
export function hostMoved(hs: HostSpeed): boolean {
  return hs.spreadPercent > HOST_SPREAD_WARN_PERCENT;
}

/** How much faster or slower (percent, + is slower) the host ran under `current` than under `base`. */
export function hostShiftPercent(base: HostSpeed, current: HostSpeed): number {
  return 100 * (current.medianNs / base.medianNs - 1);
}

/** The lowest and highest meter medians of several runs, when they differ by more than the threshold. */
export function hostSpeedRange(speeds: readonly (HostSpeed | null)[]): { lo: number; hi: number } | null {
  const medians = speeds.flatMap((s) => (s ? [s.medianNs] : []));
  if (medians.length < 2) return null;
  const lo = Math.min(...medians);
  const hi = Math.max(...medians);
  return 100 * (hi / lo - 1) > HOST_SHIFT_WARN_PERCENT ? { lo, hi } : null;
}
