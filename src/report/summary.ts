/**
 * Side-by-side views of a run that several reporters share: rows grouped by workload and parameter
 * point with strategies as columns, and the guard strategies' gain over prot-none. Pure functions
 * of a Run; nothing here measures.
 */
import type { HostSpeed } from '../results/schema.js';
import type { Params, Row, Run } from '../results/schema.js';
import { STRATEGY_NAMES } from '../results/schema.js';

/** Axes that vary a strategy's own variant (batch size) rather than the memory being guarded. */
export const VARIANT_AXES = ['batch'];

export function paramsKey(params: Params, drop: readonly string[] = []): string {
  return Object.keys(params).filter((k) => !drop.includes(k)).sort().map((k) => `${k}=${params[k]}`).join(' ');
}

export interface PointGroup {
  workload: string;
  params: Params;
  key: string;
  /** metric -> strategy -> row */
  cells: Map<string, Map<string, Row>>;
  strategies: string[];
}

/** Group rows by workload and parameter point, keeping first-seen order. */
export function groupByPoint(run: Run): PointGroup[] {
  const groups = new Map<string, PointGroup>();
  for (const row of run.rows) {
    const key = `${row.workload}|${paramsKey(row.params)}`;
    let g = groups.get(key);
    if (!g) {
      g = { workload: row.workload, params: row.params, key: paramsKey(row.params), cells: new Map(), strategies: [] };
      groups.set(key, g);
    }
    if (!g.strategies.includes(row.strategy)) g.strategies.push(row.strategy);
    let byStrategy = g.cells.get(row.metric);
    if (!byStrategy) g.cells.set(row.metric, (byStrategy = new Map()));
    byStrategy.set(row.strategy, row);
  }
  for (const g of groups.values()) g.strategies.sort((a, b) => STRATEGY_NAMES.indexOf(a as never) - STRATEGY_NAMES.indexOf(b as never));
  return [...groups.values()];
}

/** The prot-none row a guard strategy's row is measured against (same point, any batch). */
export function protNoneRow(run: Run, row: Row): Row | undefined {
  const key = paramsKey(row.params, VARIANT_AXES);
  return run.rows.find((r) => r.workload === row.workload && r.strategy === 'prot-none' && r.metric === row.metric
    && r.status === 'ok' && paramsKey(r.params, VARIANT_AXES) === key);
}

export interface Gain {
  row: Row;
  base: Row;
  /** prot-none median / this median: > 1 means faster than prot-none */
  speedup: number;
  /** uncertainty of the ratio from both rows' relative margins of error (first order) */
  speedupRme: number;
}

/** Speed-up of every ok latency row of a guard-marker strategy over prot-none at the same point. */
export function gainsOverProtNone(run: Run, metric?: string): Gain[] {
  const gains: Gain[] = [];
  for (const row of run.rows) {
    if (row.status !== 'ok' || !row.stats || !row.strategy.startsWith('guard-')) continue;
    if (metric && row.metric !== metric) continue;
    const base = protNoneRow(run, row);
    if (!base?.stats || !row.value || !base.value) continue;
    gains.push({
      row, base,
      speedup: base.value / row.value,
      speedupRme: Math.hypot(row.stats.rme, base.stats.rme),
    });
  }
  return gains;
}

/** A figure for a table: 3 significant digits, thousands separated. */
export function formatValue(value: number | null, unit = ''): string {
  if (value === null) return '-';
  const abs = Math.abs(value);
  if (abs > 0 && abs < 0.01) return `${Number(value.toPrecision(2))}${unit ? ` ${unit}` : ''}`;
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  const text = value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return unit ? `${text} ${unit}` : text;
}

export function formatCell(row: Row | undefined): string {
  if (!row) return '';
  if (row.status !== 'ok') return row.status;
  const v = formatValue(row.value);
  if (!row.stats) return v;
  return `${v} ±${row.stats.rme.toFixed(1)}%${noiseWarning(row) ? ' !' : ''}`;
}

/** Above these a figure is flagged as noisy wherever it is shown. */
export const NOISE_RME_PERCENT = 5;
export const NOISE_TAIL_RATIO = 3;

/** Why a latency row's figure should not be trusted at face value, or null. */
export function noiseWarning(row: Row): string | null {
  if (row.status !== 'ok' || !row.stats) return null;
  const reasons: string[] = [];
  if (row.stats.rme > NOISE_RME_PERCENT) reasons.push(`rme ${row.stats.rme.toFixed(1)}% > ${NOISE_RME_PERCENT}%`);
  if (row.stats.median > 0 && row.stats.p99 / row.stats.median > NOISE_TAIL_RATIO) {
    reasons.push(`p99 is ${(row.stats.p99 / row.stats.median).toFixed(1)}x the median`);
  }
  return reasons.length > 0 ? reasons.join(', ') : null;
}

/** Above this spread of the host-speed meter (p90/p10 - 1) a run's absolute latencies are flagged. */
export const HOST_SPREAD_WARN_PERCENT = 10;
/** Runs whose host-speed medians differ by more than this saw the machine at different speeds. */
export const HOST_SHIFT_WARN_PERCENT = 10;

/** How the host's own speed moved during the run (env.hostSpeed, written by runs since the meter). */
export function hostSpeedOf(run: Run): HostSpeed | null {
  const hs = (run.env as Record<string, unknown>).hostSpeed as Partial<HostSpeed> | null | undefined;
  return hs && typeof hs.medianNs === 'number' && typeof hs.p10Ns === 'number' && typeof hs.p90Ns === 'number'
    && typeof hs.spreadPercent === 'number' && typeof hs.samples === 'number' ? hs as HostSpeed : null;
}

/** What the host's speed did during the run, with a warning when it moved enough to matter. */
export function describeHostSpeed(hs: HostSpeed): string {
  const range = `${hs.p10Ns.toFixed(0)}-${hs.p90Ns.toFixed(0)} ns (p10-p90 of ${hs.samples} readings, median ${hs.medianNs.toFixed(0)})`;
  if (hs.spreadPercent <= HOST_SPREAD_WARN_PERCENT) {
    return `a koffi labs() call took ${range}; the CPU held its speed through the run.`;
  }
  return `a koffi labs() call took ${range}: the CPU this run got varied by ${hs.spreadPercent.toFixed(0)}% `
    + '(on a shared host, other tenants\' load does this), and every absolute latency here carries noise of that order. '
    + 'Compare such runs against a baseline of several runs, or rerun on a quiet machine.';
}

/** The console's sentence on the host's speed. */
export function hostSpeedSentence(hs: HostSpeed): string {
  return `Host speed: ${describeHostSpeed(hs)}`;
}

/** Node's own heap maps and unmaps this many VMAs in a run; a larger change at the end is ours. */
export const VMA_BALANCE_SLACK = 100;

/**
 * The process's VMA count before the first point and after the last: every workload releases what
 * it maps, so the two agree up to Node's own heap churn. Null for runs from before it was recorded.
 */
export function vmaBalanceSentence(run: Run): string | null {
  const env = run.env as Record<string, unknown>;
  const start = env.vmaCountAtStart;
  const end = env.vmaCountAtEnd;
  if (typeof start !== 'number' || typeof end !== 'number') return null;
  const delta = end - start;
  const counts = `Process VMAs: ${start} before the first point, ${end} after the last (${delta >= 0 ? '+' : ''}${delta})`;
  return Math.abs(delta) <= VMA_BALANCE_SLACK
    ? `${counts}: every mapping the workloads made was released (Node's own heap accounts for a few dozen either way).`
    : `${counts}: more than Node's own heap explains; a workload may have left mappings behind.`;
}

/** What the run measured a koffi call to cost (env.ffi, written by every run since calibration). */
export interface FfiFloor {
  labsNs: number;
  getppidNs: number;
}

export function ffiFloor(run: Run): FfiFloor | null {
  const ffi = (run.env as Record<string, unknown>).ffi as Partial<FfiFloor> | undefined;
  return ffi && typeof ffi.labsNs === 'number' && typeof ffi.getppidNs === 'number' ? { labsNs: ffi.labsNs, getppidNs: ffi.getppidNs } : null;
}

/**
 * How much of batching's speed-up is the price of a call. A one-call-per-guard loop pays a whole
 * koffi system call (the getppid floor) per guard; a batch of b pays it once per b guards. Taking
 * that price out of both sides leaves the speed-up from kernel work alone.
 */
export interface BatchingAccount {
  guards: number;
  batch: number;
  perCallNs: number;
  batchedNs: number;
  floorNs: number;
  speedup: number;
  speedupWithoutCallPrice: number;
  /** share of the speed-up (on a log scale) that the per-call price explains, 0..1 */
  callPriceShare: number;
}

export function batchingAccount(run: Run): BatchingAccount | null {
  const floor = ffiFloor(run);
  if (!floor) return null;
  const install = run.rows.filter((r) => r.workload === 'madvise-batches' && r.metric === 'install' && r.status === 'ok' && r.value);
  const perCall = install.find((r) => r.strategy === 'guard-madvise');
  const batched = install.filter((r) => r.strategy === 'guard-process-madvise' && r.params.guards === perCall?.params.guards)
    .sort((a, b) => Number(b.params.batch) - Number(a.params.batch))[0];
  if (!perCall?.value || !batched?.value) return null;
  const batch = Number(batched.params.batch);
  const speedup = perCall.value / batched.value;
  const perCallWork = perCall.value - floor.getppidNs;
  const batchedWork = batched.value - floor.getppidNs / batch;
  const speedupWithoutCallPrice = perCallWork > 0 && batchedWork > 0 ? perCallWork / batchedWork : NaN;
  const callPriceShare = speedup > 1 && speedupWithoutCallPrice > 0 ? 1 - Math.log(Math.max(1, speedupWithoutCallPrice)) / Math.log(speedup) : NaN;
  return {
    guards: Number(perCall.params.guards), batch, perCallNs: perCall.value, batchedNs: batched.value, floorNs: floor.getppidNs,
    speedup, speedupWithoutCallPrice, callPriceShare,
  };
}
