/**
 * Side-by-side views of a run that several reporters share: rows grouped by workload and parameter
 * point with strategies as columns, and the guard strategies' gain over prot-none. Pure functions
 * of a Run; nothing here measures.
 */
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
