/**
 * The memory a workload's units (libraries, rings) cost, sampled around one untimed build of many
 * of them: VMAs, VMA slab bytes and page-table bytes, each divided by the units built.
 *
 * Slab counts are system-wide: every other process's mmap moves them by kilobytes, so a few hundred
 * units' VMAs (256 rings: 512 PROT_NONE VMAs, ~100 KiB) drown in them (figures from -27 KiB to +3
 * KiB per ring were seen here). The footprint is therefore built from at least FOOTPRINT_MIN_UNITS
 * units (1024), in chunks whose descriptors are closed once mapped (a mapping keeps its file), so the
 * build needs no more descriptors than the timed set.
 */
import { footprintDelta, footprintResolution, sampleFootprint, slabPerUnit } from '../metrics/footprint.js';
import { bytes, type MetricSpec, type WorkloadContext } from './types.js';

/** The kernel-memory metrics recordUnitFootprint records, per `unit`. */
export function unitFootprintMetrics(unit: string): MetricSpec[] {
  return [
    bytes('vma_slab_bytes', `bytes/${unit}`, 'system', `vm_area_struct + maple_node slab bytes per ${unit}`),
    bytes('page_table_bytes', `bytes/${unit}`, 'process', `page-table bytes (VmPTE) per ${unit}`),
  ];
}

/** The fewest units a footprint is sampled on, whatever the timed set's size. */
export const FOOTPRINT_MIN_UNITS = 1024;
const CHUNK_UNITS = 256;

/** A workload's way to build units for the footprint, a chunk at a time. */
export interface UnitChunks<S> {
  /** the count metric for VMAs per unit (vmas_per_library, vmas_per_ring) */
  vmaMetric: string;
  /** plan `n` units: descriptors opened, addresses chosen, guard ranges prepared */
  plan(n: number): S;
  map(chunk: S): void;
  /** close what only mapping needed (descriptors, prepared iovecs); the mappings stay */
  settle(chunk: S): void;
  unmap(chunk: S): void;
  /** the VMAs of all the chunks' units (one read of maps: with thousands of units it is large) */
  vmas(chunks: readonly S[]): number;
}

/** Build max(units, FOOTPRINT_MIN_UNITS) units and record `vmaMetric`, `vma_slab_bytes` and `page_table_bytes` per unit. */
export function recordUnitFootprint<S>(ctx: WorkloadContext, units: number, o: UnitChunks<S>): void {
  const total = Math.max(units, FOOTPRINT_MIN_UNITS);
  // The units' VMAs are counted per chunk below; the samples need no span of their own.
  const none = { start: 0, end: 0 };
  const before = sampleFootprint(none);
  const chunks: S[] = [];
  try {
    for (let done = 0; done < total; done += CHUNK_UNITS) {
      const chunk = o.plan(Math.min(CHUNK_UNITS, total - done));
      try {
        o.map(chunk);
      } finally {
        o.settle(chunk);
      }
      chunks.push(chunk);
    }
    const delta = footprintDelta(before, sampleFootprint(none));
    const perUnit = (v: number | { reason: string }) => (typeof v === 'number' ? v / total : v);
    ctx.record(o.vmaMetric, o.vmas(chunks) / total);
    // Both counters move on their own too: say by how much, per unit, so compare looks past it.
    const resolution = footprintResolution(total);
    const slab = slabPerUnit(delta, total, resolution.slabBytes);
    ctx.record('vma_slab_bytes', slab.value, slab.extra);
    ctx.record('page_table_bytes', perUnit(delta.pageTableBytes), { resolution: resolution.pageTableBytes });
  } finally {
    for (const c of chunks) o.unmap(c);
  }
}
