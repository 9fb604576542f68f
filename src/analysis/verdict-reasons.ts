/**
 * Why a row got its verdict, as data: the gate that decided and the numbers it decided on. The
 * analysis layer writes no sentences; compare's formats word these (src/compare/reasons.ts) in a
 * long and a short form, and compare.json carries them as they are.
 */
import type { Better, Row, Statistic } from '../results/schema.js';

export type Side = 'base' | 'current';
/** The counter a figure is read from, when it is not exact: process-wide or system-wide. */
export type Counter = 'process' | 'system';

/** One run-to-run test of a latency: its change against the spread of whole runs. */
export interface RunToRunTest {
  /** coefficient of variation over the baseline's runs, percent */
  cvPercent: number;
  runs: number;
  p: number;
  /** what p had to beat: alpha shared out over the family of latency rows tested together */
  rowAlpha: number;
  /** latency rows tested together in this comparison */
  family: number;
}

/** Everything a latency verdict rests on. */
export interface LatencyFigures {
  /** the statistic judged (the median for runs that name none) */
  statistic: Statistic;
  /** relative change of that statistic (fraction) */
  change: number;
  /** the median's change, when another statistic is judged */
  medianChange: number | null;
  meanChange: number;
  minChange: number;
  /** Welch's t-test on the means */
  p: number;
  alpha: number;
  threshold: number;
  /** combined relative margin of error of both sides, and the larger side's, percent */
  rme: number;
  worstRme: number;
  maxRme: number;
  /** smallest change these runs could tell from noise, and the largest that may decide pass/fail */
  detectable: number;
  maxDetectable: number;
  /** baseline runs the change was measured against the mean of, when the base kept that mean */
  centredOn: number | null;
  runToRun: RunToRunTest | null;
  /** the median's own run-to-run test, when another statistic is judged */
  medianRunToRun: RunToRunTest | null;
}

/**
 * The gates a latency passes on its way to a verdict, in order. `latency-moved`: it passed all
 * of them (regressed or improved); `latency-within`: it did not move beyond the threshold.
 */
export const LATENCY_GATES = [
  'latency-few-samples', 'latency-detectable', 'latency-significance', 'latency-mean', 'latency-minimum',
  'latency-margin', 'latency-run-to-run', 'latency-median-run-to-run', 'latency-rme', 'latency-within', 'latency-moved',
] as const;
export type LatencyGate = (typeof LATENCY_GATES)[number];

export type Reason =
  /** the row is in one run only */
  | { gate: 'only-in'; side: Side }
  /** a side was skipped or failed (or has no value) */
  | { gate: 'not-measured'; side: Side; status: Row['status']; detail: string | null }
  /** worked in the base run, fails now: a regression */
  | { gate: 'now-fails'; detail: string | null }
  /** latencies of two testbeds or of an emulated CPU (detail: testbed.ts's reason) */
  | { gate: 'testbeds'; detail: string }
  /** a throughput from one timed window: no statistics */
  | { gate: 'one-window' }
  /** the spec gives no better direction, or the figure is a system-wide count of background events */
  | { gate: 'no-direction'; background: boolean }
  | { gate: 'identical' }
  /** a counter figure whose noise the run did not record */
  | { gate: 'noise-unrecorded'; counter: Counter }
  /** a counter figure read below zero on a side: other processes moved the counter by more than the figure itself */
  | { gate: 'counter-negative'; counter: Counter; side: Side }
  /** a counter figure against its noise (resolution, baseline spread, threshold: the largest) */
  | { gate: 'counter-noise'; counter: Counter; tolerance: number; beyond: boolean; better: Better }
  /** an exact figure that moved */
  | { gate: 'exact'; better: Better }
  /** a figure that should equal what the kernel gives */
  | { gate: 'expected'; expected: number | null; base: number; current: number }
  | { gate: LatencyGate; latency: LatencyFigures | null }
  /** a latency verdict the host's own change of speed could explain: withheld */
  | { gate: 'host-shift'; hostShiftPercent: number; gatePercent: number; withheld: Reason }
  /** a verdict that did not show again against a confirming run: withheld */
  | { gate: 'not-repeated'; run: string; verdict: string | null; change: number | null; withheld: Reason };

/** What a reader must know about the two runs as a whole, as data (compare's formats word it). */
export type RunWarning =
  /** neither run carries a run-to-run spread: latency verdicts rest on within-run statistics */
  | { kind: 'no-run-to-run-spread' }
  | { kind: 'incomplete'; side: Side }
  | { kind: 'failed-verification'; side: Side; checks: string[] }
  /** rows only one run has (different parameter points or workloads) */
  | { kind: 'rows-in-one-run'; rows: number }
  /** the host's labs() meter ran at another speed under the two runs */
  | { kind: 'host-speed-shift'; baseNs: number; currentNs: number; shiftPercent: number }
  /** the host's meter spread within one run (p90/p10 - 1, percent) */
  | { kind: 'host-speed-moved'; side: Side; spreadPercent: number }
  /** latencies compared with a caveat about the testbed (detail: testbed.ts's words) */
  | { kind: 'testbed'; detail: string };
