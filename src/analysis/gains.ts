/**
 * Guard markers against the classic guard: each marker strategy's latency beside prot-none's at the
 * same point (any value of the strategy's own variant axes, such as a batch size), where both did
 * the same work (like-for-like.ts), and what the price of a call explains of batching's gain.
 */
import { BASELINE_STRATEGY, BATCHED_MARKER, PER_CALL_MARKER, type Params, type Row, type Run } from '../results/schema.js';
import { paramsKey } from './keys.js';
import { sameWork } from './like-for-like.js';
import { isMarkerStrategy, specOf, variantAxesOf, workloadSpecs } from './specs.js';

/** The prot-none row `row` is measured against: same workload, metric and point, any variant. */
export function baselineRowOf(rows: readonly Row[], row: Row, variantAxes: readonly string[]): Row | undefined {
  const key = paramsKey(row.params, variantAxes);
  return rows.find((r) => r.workload === row.workload && r.strategy === BASELINE_STRATEGY && r.metric === row.metric
    && r.status === 'ok' && r.value !== null && paramsKey(r.params, variantAxes) === key);
}

export interface Gain {
  row: Row;
  base: Row;
  /** prot-none median / this median: > 1 means faster than prot-none */
  speedup: number;
  /** uncertainty of the ratio from both rows' relative margins of error (first order) */
  speedupRme: number;
}

/**
 * Speed-up of every ok latency row of a guard-marker strategy over prot-none at the same point,
 * where both strategies did the same work there (a detection method that cannot see one
 * strategy's guards has no speed-up to show).
 */
export function gainsOverProtNone(run: Run, metric?: string): Gain[] {
  const gains: Gain[] = [];
  for (const row of run.rows) {
    if (row.status !== 'ok' || !row.stats || !isMarkerStrategy(row.strategy)) continue;
    if ((metric && row.metric !== metric) || specOf(run, row).kind !== 'latency') continue;
    const base = baselineRowOf(run.rows, row, variantAxesOf(run, row.workload));
    if (!base?.stats || !row.value || !base.value || !sameWork(run, row, base)) continue;
    gains.push({ row, base, speedup: base.value / row.value, speedupRme: Math.hypot(row.stats.rme, base.stats.rme) });
  }
  return gains;
}

/** Is a gain within its own noise (the ratio's margin of error covers 1)? */
export function withinNoise(gain: Gain): boolean {
  return Math.abs(Math.log(gain.speedup)) <= gain.speedupRme / 100;
}

/**
 * How much of batching's speed-up is the price of a call. A one-call-per-guard loop pays a whole
 * koffi system call (the getppid floor) per guard; a batch of b pays it once per b guards. Taking
 * that price out of both sides leaves the speed-up from kernel work alone.
 */
export interface BatchingAccount {
  workload: string;
  metric: string;
  /** the point, without its variant axes */
  point: Params;
  batch: number;
  perCallNs: number;
  batchedNs: number;
  floorNs: number;
  speedup: number;
  speedupWithoutCallPrice: number;
  /** share of the speed-up (on a log scale) that the per-call price explains, 0..1 */
  callPriceShare: number;
}

/** The pair that shows batching: the per-call marker loop and the largest batch at the same point of a workload that sweeps batch sizes. */
function batchingPair(run: Run): { perCall: Row; batched: Row; axis: string } | null {
  for (const spec of workloadSpecs(run).values()) {
    const axis = spec.variantAxes[0];
    if (!axis) continue;
    for (const metric of spec.metrics.filter((m) => m.kind === 'latency' && m.headline)) {
      const ok = run.rows.filter((r) => r.workload === spec.name && r.metric === metric.metric && r.status === 'ok' && r.value);
      const perCall = ok.find((r) => r.strategy === PER_CALL_MARKER);
      if (!perCall) continue;
      const key = paramsKey(perCall.params, spec.variantAxes);
      const batched = ok.filter((r) => r.strategy === BATCHED_MARKER && paramsKey(r.params, spec.variantAxes) === key)
        .sort((a, b) => Number(b.params[axis]) - Number(a.params[axis]))[0];
      if (batched) return { perCall, batched, axis };
    }
  }
  return null;
}

export function batchingAccount(run: Run): BatchingAccount | null {
  const floor = run.env.ffi;
  const pair = floor ? batchingPair(run) : null;
  if (!floor || !pair) return null;
  const { perCall, batched, axis } = pair;
  const batch = Number(batched.params[axis]);
  const speedup = perCall.value! / batched.value!;
  const perCallWork = perCall.value! - floor.getppidNs;
  const batchedWork = batched.value! - floor.getppidNs / batch;
  const speedupWithoutCallPrice = perCallWork > 0 && batchedWork > 0 ? perCallWork / batchedWork : NaN;
  const callPriceShare = speedup > 1 && speedupWithoutCallPrice > 0 ? 1 - Math.log(Math.max(1, speedupWithoutCallPrice)) / Math.log(speedup) : NaN;
  const point = Object.fromEntries(Object.entries(perCall.params).filter(([k]) => k !== axis));
  return {
    workload: perCall.workload, metric: perCall.metric, point, batch, perCallNs: perCall.value!, batchedNs: batched.value!, floorNs: floor.getppidNs,
    speedup, speedupWithoutCallPrice, callPriceShare,
  };
}
