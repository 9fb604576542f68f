/**
 * The memory a workload's units (libraries, rings) cost, sampled around one untimed build of all of
 * them: VMAs, VMA slab bytes and page-table bytes, each divided by the units built.
 */
import { footprintDelta, sampleFootprint, type Span } from '../metrics/footprint.js';
import { countVmasIn } from '../metrics/vmas.js';
import { bytes, type MetricSpec, type WorkloadContext } from './types.js';

/** The kernel-memory metrics recordUnitFootprint records, per `unit`. */
export function unitFootprintMetrics(unit: string): MetricSpec[] {
  return [
    bytes('vma_slab_bytes', `bytes/${unit}`, 'system', `vm_area_struct + maple_node slab bytes per ${unit}`),
    bytes('page_table_bytes', `bytes/${unit}`, 'process', `page-table bytes (VmPTE) per ${unit}`),
  ];
}

export interface UnitFootprint {
  /** the address span every unit lies in */
  span: Span;
  units: number;
  /** the count metric for VMAs per unit (vmas_per_library, vmas_per_ring) */
  vmaMetric: string;
  build(): void;
  release(): void;
  /** the units' VMAs, where the span holds holes another thread's mapping could land in */
  vmas?(): number;
}

/** Record `vmaMetric`, `vma_slab_bytes` and `page_table_bytes` per unit. */
export function recordUnitFootprint(ctx: WorkloadContext, o: UnitFootprint): void {
  const before = sampleFootprint(o.span);
  o.build();
  try {
    const delta = footprintDelta(before, sampleFootprint(o.span));
    const perUnit = (v: number | { reason: string }) => (typeof v === 'number' ? v / o.units : v);
    ctx.record(o.vmaMetric, (o.vmas ? o.vmas() : countVmasIn(o.span.start, o.span.end)) / o.units);
    ctx.record('vma_slab_bytes', perUnit(delta.slabBytes));
    ctx.record('page_table_bytes', perUnit(delta.pageTableBytes));
  } finally {
    o.release();
  }
}
