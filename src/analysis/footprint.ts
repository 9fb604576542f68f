/**
 * A guard strategy's footprint beside prot-none's: the VMAs its guards occupy and the kernel memory
 * they cost, at one point that stands for the workload. Which metrics those are comes from the
 * metric specs (`footprint`).
 */
import { BASELINE_STRATEGY, type MetricSpec, type Row } from '../results/schema.js';
import { baselineRowOf } from './gains.js';
import { cell, type PointInfo, type WorkloadShape } from './shapes.js';

export interface BytesPart {
  spec: MetricSpec;
  value: number;
  base: number;
}

export interface FootprintComparison {
  strategy: string;
  point: PointInfo;
  vma?: { metric: MetricSpec; row: Row; base: Row };
  bytes?: { unit: string; value: number; base: number; parts: BytesPart[] };
}

/** The metric that counts the VMAs a workload's guards occupy. */
export function vmaMetric(shape: WorkloadShape): MetricSpec | undefined {
  return shape.metrics.find((m) => m.footprint === 'vmas');
}

/** The metrics of the kernel memory a workload's guards cost. */
export function memoryMetrics(shape: WorkloadShape): MetricSpec[] {
  return shape.metrics.filter((m) => m.footprint === 'memory');
}

function measured(shape: WorkloadShape, point: PointInfo, strategy: string, metric: string): Row | undefined {
  const r = cell(shape, point, strategy, metric);
  return r?.status === 'ok' && r.value !== null ? r : undefined;
}

/** Footprint of `strategy` against prot-none at `point` (prot-none's own: against itself). */
export function footprintAt(shape: WorkloadShape, strategy: string, point: PointInfo): FootprintComparison {
  const comparison: FootprintComparison = { strategy, point };
  const base = (row: Row) => baselineRowOf(shape.rows, row, shape.variantAxes);
  const vma = vmaMetric(shape);
  const vmaRow = vma ? measured(shape, point, strategy, vma.metric) : undefined;
  const vmaBase = vmaRow ? base(vmaRow) : undefined;
  if (vma && vmaRow && vmaBase) comparison.vma = { metric: vma, row: vmaRow, base: vmaBase };
  const memory = memoryMetrics(shape);
  const parts: BytesPart[] = [];
  for (const m of memory) {
    const r = measured(shape, point, strategy, m.metric);
    const b = r ? base(r) : undefined;
    if (r && b) parts.push({ spec: m, value: r.value!, base: b.value! });
  }
  if (parts.length > 0) {
    comparison.bytes = {
      unit: memory[0]!.unit, parts,
      value: parts.reduce((a, p) => a + p.value, 0),
      base: parts.reduce((a, p) => a + p.base, 0),
    };
  }
  return comparison;
}

/**
 * Footprint of `strategy` against prot-none. One point stands for the workload: the first where
 * no bytes delta is negative (a negative slab delta is other work freeing objects while sampling,
 * not a saving), else the first where both were measured.
 */
export function footprintVsProtNone(shape: WorkloadShape, strategy: string): FootprintComparison | null {
  if (strategy === BASELINE_STRATEGY) return null;
  const candidates = shape.points.map((p) => footprintAt(shape, strategy, p)).filter((c) => c.vma || c.bytes);
  const clean = candidates.find((c) => !c.bytes?.parts.some((p) => p.value < 0 || p.base < 0));
  return clean ?? candidates[0] ?? null;
}
