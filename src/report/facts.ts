/**
 * Facts about a run that every reporter states the same way: which workloads and points it has,
 * which parameters vary, how a point and a figure are written, when a figure is too noisy to trust,
 * and how a ratio against prot-none is put in words. Pure functions of a Run.
 */
import type { ParamValue, Params, Row, Run } from '../results/schema.js';
import { STRATEGY_NAMES } from '../results/schema.js';
import { formatValue, paramsKey, type Gain } from './summary.js';

/** A relative margin of error above this (percent) marks a figure as noisy. */
export const RME_WARN_PERCENT = 5;
/** A p99 more than this many times the median marks a figure as noisy (a heavy tail). */
export const TAIL_WARN_RATIO = 3;

/** Why a latency row should be read with care, or null when it is steady. */
export function noiseWarning(row: Row | undefined): string | null {
  if (!row?.stats || row.status !== 'ok') return null;
  const problems: string[] = [];
  if (row.stats.rme > RME_WARN_PERCENT) problems.push(`rme ${row.stats.rme.toFixed(1)}% > ${RME_WARN_PERCENT}%`);
  const tail = tailRatio(row);
  if (tail !== null && tail > TAIL_WARN_RATIO) problems.push(`p99 ${tail.toFixed(1)}x the median`);
  return problems.length ? problems.join(', ') : null;
}

export function tailRatio(row: Row): number | null {
  return row.stats && row.stats.median > 0 ? row.stats.p99 / row.stats.median : null;
}

/** Latency rows carry stats; a skipped latency row does not, but its unit still says ns. */
export function isLatencyUnit(unit: string): boolean {
  return /^(ns|us|µs|ms|s)(\/|$)/.test(unit);
}

export function isBytesUnit(unit: string): boolean {
  return /^bytes(\/|$)/.test(unit);
}

/** A metric that counts VMAs (vma_delta, vmas_per_stack, ...). */
export function isVmaMetric(metric: string, unit: string): boolean {
  return /^vmas?(_|$)/.test(metric) && unit.startsWith('count');
}

/** "count/stack" -> "per stack"; "count" -> "" */
export function perWhat(unit: string): string {
  const i = unit.indexOf('/');
  return i < 0 ? '' : `per ${unit.slice(i + 1)}`;
}

export function strategyOrder(a: string, b: string): number {
  const rank = (s: string) => {
    const i = STRATEGY_NAMES.indexOf(s as never);
    return i < 0 ? STRATEGY_NAMES.length : i;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** 8388608 -> "8 MiB" when exact; other sizes in bytes. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (Math.abs(n) >= size && n % size === 0) return `${n / size} ${unit}`;
  }
  return `${n.toLocaleString('en-US')} B`;
}

export function formatParam(name: string, value: ParamValue): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return /bytes$/i.test(name) ? formatBytes(value) : value.toLocaleString('en-US');
  return value;
}

/** "stacks=256, threads=yes" over the given names, in the order given. */
export function describePoint(params: Params, names: readonly string[]): string {
  return names.filter((n) => n in params).map((n) => `${n}=${formatParam(n, params[n]!)}`).join(', ');
}

export interface MetricInfo {
  metric: string;
  unit: string;
  kind: 'latency' | 'count' | 'bytes' | 'other';
}

export interface PointInfo {
  params: Params;
  key: string;
  /** the point written with only the axes that vary within its workload */
  label: string;
}

/** What a workload's rows look like: strategies, metrics, points, which axes vary. */
export interface WorkloadShape {
  name: string;
  rows: Row[];
  strategies: string[];
  metrics: MetricInfo[];
  points: PointInfo[];
  /** axes with more than one value in this workload, in first-seen order */
  varying: string[];
  /** the other axes, which hold one value throughout */
  constant: Params;
}

function metricKind(unit: string, rows: Row[]): MetricInfo['kind'] {
  if (isLatencyUnit(unit) || rows.some((r) => r.stats !== null)) return 'latency';
  if (isBytesUnit(unit)) return 'bytes';
  if (unit.startsWith('count')) return 'count';
  return 'other';
}

/** Workloads in first-seen order, each described by its rows. */
export function workloadShapes(run: Run): WorkloadShape[] {
  const byWorkload = new Map<string, Row[]>();
  for (const row of run.rows) {
    const list = byWorkload.get(row.workload) ?? [];
    list.push(row);
    byWorkload.set(row.workload, list);
  }
  return [...byWorkload].map(([name, rows]) => shapeOf(name, rows));
}

function shapeOf(name: string, rows: Row[]): WorkloadShape {
  const strategies = [...new Set(rows.map((r) => r.strategy))].sort(strategyOrder);
  const metricRows = new Map<string, Row[]>();
  for (const r of rows) metricRows.set(r.metric, [...(metricRows.get(r.metric) ?? []), r]);
  const metrics = [...metricRows].map(([metric, rs]) => ({ metric, unit: rs[0]!.unit, kind: metricKind(rs[0]!.unit, rs) }));

  const values = new Map<string, Set<string>>();
  for (const r of rows) {
    for (const [k, v] of Object.entries(r.params)) {
      if (!values.has(k)) values.set(k, new Set());
      values.get(k)!.add(JSON.stringify(v));
    }
  }
  const varying = [...values].filter(([, vs]) => vs.size > 1).map(([k]) => k);
  const constant: Params = {};
  for (const r of rows) for (const [k, v] of Object.entries(r.params)) if (!varying.includes(k)) constant[k] = v;

  const points = new Map<string, PointInfo>();
  for (const r of rows) {
    const key = paramsKey(r.params);
    if (!points.has(key)) points.set(key, { params: r.params, key, label: describePoint(r.params, varying) || 'one point' });
  }
  return { name, rows, strategies, metrics, points: [...points.values()], varying, constant };
}

/** The row of one strategy and metric at one point. */
export function cell(shape: WorkloadShape, point: PointInfo, strategy: string, metric: string): Row | undefined {
  return shape.rows.find((r) => r.strategy === strategy && r.metric === metric && paramsKey(r.params) === point.key);
}

/** Numeric values of an axis within a workload, ascending. */
export function axisValues(shape: WorkloadShape, axis: string): number[] {
  const vs = new Set<number>();
  for (const p of shape.points) if (typeof p.params[axis] === 'number') vs.add(p.params[axis] as number);
  return [...vs].sort((a, b) => a - b);
}

/** 19.4 -> "19x", 5.04 -> "5.0x", 1.083 -> "1.08x": enough digits to tell neighbours apart. */
export function formatRatio(r: number): string {
  const digits = r >= 10 ? 0 : r >= 2 ? 1 : 2;
  return `${r.toFixed(digits)}x`;
}

/** Is a gain within its own noise (the ratio's margin of error covers 1)? */
export function withinNoise(gain: Gain): boolean {
  return Math.abs(Math.log(gain.speedup)) <= gain.speedupRme / 100;
}

/** "19x faster than prot-none (±1.7%)", "3.3x slower ...", "within noise of prot-none (1.08x, ±8.7%)" */
export function gainWords(gain: Gain): string {
  const u = `±${gain.speedupRme.toFixed(1)}%`;
  if (withinNoise(gain)) return `within noise of prot-none (${formatRatio(gain.speedup)}, ${u})`;
  return gain.speedup >= 1
    ? `${formatRatio(gain.speedup)} faster than prot-none (${u})`
    : `${formatRatio(1 / gain.speedup)} slower than prot-none (${u})`;
}

/** Shorter form for table cells: "19x faster", "3.3x slower", "≈ 1.08x". */
export function gainCell(gain: Gain): string {
  const u = `±${gain.speedupRme.toFixed(1)}%`;
  if (withinNoise(gain)) return `≈ same (${formatRatio(gain.speedup)} ${u})`;
  return gain.speedup >= 1 ? `${formatRatio(gain.speedup)} faster ${u}` : `${formatRatio(1 / gain.speedup)} slower ${u}`;
}

/** "3,242 ns/guard" */
export function figure(row: Row): string {
  return formatValue(row.value, row.unit);
}
