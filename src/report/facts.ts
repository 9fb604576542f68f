/**
 * Facts about a run that every reporter states the same way: which workloads and points it has,
 * which parameters vary, how a point and a figure are written, and how a ratio against prot-none is
 * put in words (noise warnings come from summary.ts, shared with the console). Pure functions of a Run.
 */
import type { ParamValue, Params, Row, Run } from '../results/schema.js';
import { STRATEGY_NAMES } from '../results/schema.js';
import { formatValue, paramsKey, VARIANT_AXES, type Gain } from './summary.js';

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

/** "1.74x faster than prot-none" and "±10.4%": a gain's direction and its uncertainty, apart. */
export function gainPhrase(gain: Gain, baseFigure?: string): { words: string; margin: string } {
  const margin = `±${gain.speedupRme.toFixed(1)}%`;
  const them = baseFigure ? `prot-none's ${baseFigure}` : 'prot-none';
  if (withinNoise(gain)) return { words: `within noise of ${them} at ${formatRatio(gain.speedup)}`, margin };
  return {
    words: gain.speedup >= 1 ? `${formatRatio(gain.speedup)} faster than ${them}` : `${formatRatio(1 / gain.speedup)} slower than ${them}`,
    margin,
  };
}

/** "19x faster than prot-none's 3,335 (±4.6%)"; with `detail`, "(±4.6%; detail)". */
export function gainWords(gain: Gain, baseFigure?: string, detail?: string): string {
  const { words, margin } = gainPhrase(gain, baseFigure);
  return `${words} (${margin}${detail ? `; ${detail}` : ''})`;
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

/** The prot-none row at the same point as `row`, any batch size (summary.ts protNoneRow, within a shape). */
export function protNoneAt(shape: WorkloadShape, row: Row): Row | undefined {
  const key = paramsKey(row.params, VARIANT_AXES);
  return shape.rows.find((r) => r.strategy === 'prot-none' && r.metric === row.metric && r.status === 'ok' && r.value !== null
    && paramsKey(r.params, VARIANT_AXES) === key);
}

export interface BytesPart {
  metric: string;
  value: number;
  base: number;
}

/** A guard strategy's VMAs and kernel memory beside prot-none's, at one point. */
export interface FootprintComparison {
  strategy: string;
  point: PointInfo;
  vma?: { metric: MetricInfo; row: Row; base: Row };
  bytes?: { unit: string; value: number; base: number; parts: BytesPart[] };
}

/**
 * Footprint of `strategy` against prot-none. One point stands for the workload: the first where
 * no bytes delta is negative (a negative slab delta is other work freeing objects while sampling,
 * not a saving), else the first where both were measured.
 */
export function footprintVsProtNone(shape: WorkloadShape, strategy: string, vmaMetric: MetricInfo | undefined): FootprintComparison | null {
  const bytesMetrics = shape.metrics.filter((m) => m.kind === 'bytes');
  const candidates: FootprintComparison[] = [];
  for (const point of shape.points) {
    const own = (metric: string) => {
      const r = cell(shape, point, strategy, metric);
      return r?.status === 'ok' && r.value !== null ? r : undefined;
    };
    const comparison: FootprintComparison = { strategy, point };
    const vmaRow = vmaMetric ? own(vmaMetric.metric) : undefined;
    const vmaBase = vmaRow ? protNoneAt(shape, vmaRow) : undefined;
    if (vmaMetric && vmaRow && vmaBase) comparison.vma = { metric: vmaMetric, row: vmaRow, base: vmaBase };
    const parts: BytesPart[] = [];
    for (const m of bytesMetrics) {
      const r = own(m.metric);
      const base = r ? protNoneAt(shape, r) : undefined;
      if (r && base) parts.push({ metric: m.metric, value: r.value!, base: base.value! });
    }
    if (parts.length > 0) {
      comparison.bytes = {
        unit: bytesMetrics[0]!.unit, parts,
        value: parts.reduce((a, p) => a + p.value, 0),
        base: parts.reduce((a, p) => a + p.base, 0),
      };
    }
    if (comparison.vma || comparison.bytes) candidates.push(comparison);
  }
  const clean = candidates.find((c) => !c.bytes?.parts.some((p) => p.value < 0 || p.base < 0));
  return clean ?? candidates[0] ?? null;
}

/** "13x less", "6.0x more", "the same" for memory; `value` against `base`. */
export function moreOrLess(value: number, base: number): string {
  if (value === base) return 'the same';
  if (base <= 0) return value > 0 ? 'more (prot-none: none)' : 'less';
  if (value <= 0) return 'none of it';
  return value < base ? `${formatRatio(base / value)} less` : `${formatRatio(value / base)} more`;
}
