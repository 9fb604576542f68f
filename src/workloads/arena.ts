/**
 * An arena carved into slots with a guard after each: the memory layout allocator-arenas and
 * madvise-batches share (GWP-ASan's slot pool, PartitionAlloc super pages, scudo, jemalloc).
 *
 *   | slot 0 | g | slot 1 | g | ... | slot n-1 | g |
 *
 * With PROT_NONE every interior guard splits the arena's VMA in three (+2), the last one at its end
 * adds 1: n guards cost 2n - 1 VMAs. Markers leave the arena one VMA.
 *
 * The arena is memory of the layout's kind: private anonymous (an allocator's own heap), or a
 * memfd or file mapped shared (an allocator over shared memory, as multi-process caches and
 * shared-memory IPC pools build theirs). The strategies are the same on every kind.
 */
import { munmap, pageSize } from '../sys/libc.js';
import { closeMapping, mapMemory, memoryProblem, releaseMapping, type Mapping, type MemoryKind } from '../sys/memory.js';
import { guardRanges, type GuardRanges, type PreparedGuards, type Strategy } from '../strategies/index.js';
import type { PrepareOptions } from '../strategies/types.js';
import { footprintDelta, footprintResolution, sampleFootprint, slabPerUnit } from '../metrics/footprint.js';
import type { RecordExtra, WorkloadContext } from './types.js';

export interface ArenaLayout {
  regions: number;
  slotBytes: number;
  guardBytes: number;
  /** the memory the arena is (anonymous when absent) */
  memory?: MemoryKind;
}

/**
 * The memory axis of the arena workloads, at the value runs made before it measured: rows on
 * anonymous memory leave it out, so they pair with those runs' rows (Workload.axisDefaults).
 */
export const MEMORY_DEFAULT = { memory: 'anon' } as const;

/** Why a size parameter is not a whole number of this kernel's pages, or null. */
export function wholePagesProblem<K extends string>(p: Record<K, number>, keys: readonly K[]): string | null {
  const page = pageSize();
  for (const k of keys) {
    if (p[k] % page !== 0) return `${k} must be a multiple of the ${page}-byte page, got ${p[k]}`;
  }
  return null;
}

/** Why an arena layout cannot be built (whole pages, a memory kind guardbench knows), or null. */
export function arenaLayoutProblem(p: ArenaLayout): string | null {
  return wholePagesProblem(p, ['slotBytes', 'guardBytes']) ?? memoryProblem(p.memory);
}

export interface Arena {
  base: number;
  bytes: number;
  guards: GuardRanges;
  mapping: Mapping;
}

export function mapArena(layout: ArenaLayout): Arena {
  const stride = layout.slotBytes + layout.guardBytes;
  const bytes = layout.regions * stride;
  // first, so an arena too large for this machine fails before any allocation
  const mapping = mapMemory(layout.memory ?? 'anon', bytes);
  const base = mapping.addr;
  const addrs = new Float64Array(layout.regions);
  for (let i = 0; i < layout.regions; i++) addrs[i] = base + i * stride + layout.slotBytes;
  return { base, bytes, guards: guardRanges(addrs, layout.guardBytes), mapping };
}

/** Unmap the arena and close its descriptor, if it has one. */
export function unmapArena(arena: Arena): void {
  releaseMapping(arena.mapping);
}

/**
 * Time one munmap of a whole guarded arena, per region. The descriptor of a shared arena is closed
 * after the timed munmap, so the figure is the unmap's alone, not the freeing of a memfd or file.
 */
export function timeArenaTeardown(ctx: WorkloadContext, metric: string, layout: ArenaLayout, strategy: Strategy): void {
  ctx.time(metric, {
    ops: layout.regions,
    setup: () => guardedArena(layout, strategy),
    measure: (arena) => munmap(arena.base, arena.bytes),
    teardown: (arena) => closeMapping(arena.mapping),
  });
}

/** An arena with its guard ranges prepared for a strategy (iovecs built, pidfd open). */
export interface PreparedArena {
  arena: Arena;
  prepared: PreparedGuards;
}

export function prepareArena(layout: ArenaLayout, strategy: Strategy, options?: PrepareOptions): PreparedArena {
  const arena = mapArena(layout);
  try {
    return { arena, prepared: strategy.prepare(arena.guards, options) };
  } catch (e) {
    unmapArena(arena);
    throw e;
  }
}

export function releaseArena(p: PreparedArena): void {
  p.prepared.release();
  unmapArena(p.arena);
}

/** An arena with every guard installed and nothing else held: what the teardown timing unmaps. */
export function guardedArena(layout: ArenaLayout, strategy: Strategy): Arena {
  const p = prepareArena(layout, strategy);
  try {
    strategy.install(p.prepared);
  } catch (e) {
    releaseArena(p);
    throw e;
  }
  p.prepared.release();
  return p.arena;
}

/**
 * Time installing every guard of a fresh arena: `install`, ns per guard. With `teardownMetric`, the
 * munmap of the guarded arena that follows is timed too, per region (see TimedOperation.undo): the
 * same figure timeArenaTeardown gives, without building every arena twice.
 */
export function timeInstall(ctx: WorkloadContext, layout: ArenaLayout, options?: PrepareOptions, teardownMetric?: string): void {
  ctx.time('install', {
    ops: layout.regions,
    setup: () => prepareArena(layout, ctx.strategy, options),
    measure: (p) => ctx.strategy.install(p.prepared),
    ...(teardownMetric ? {
      undo: { metric: teardownMetric, ops: layout.regions, run: (p: PreparedArena) => munmap(p.arena.base, p.arena.bytes) },
      teardown: (p: PreparedArena) => {
        p.prepared.release();
        closeMapping(p.arena.mapping);
      },
    } : { teardown: releaseArena }),
  });
}

export type FootprintMetric = 'vma_delta' | 'vma_slab_bytes' | 'page_table_bytes';

/**
 * Build one guarded arena untimed and record what it costs: VMAs the guards add to the arena
 * (`vma_delta`), and per region the VMA slab bytes and page-table bytes they add.
 */
export function recordArenaFootprint(ctx: WorkloadContext, layout: ArenaLayout, options?: PrepareOptions,
  metrics: readonly FootprintMetric[] = ['vma_delta', 'vma_slab_bytes', 'page_table_bytes']): void {
  if (!ctx.countsWanted) return;
  const p = prepareArena(layout, ctx.strategy, options);
  try {
    const span = { start: p.arena.base, end: p.arena.base + p.arena.bytes };
    const before = sampleFootprint(span);
    ctx.strategy.install(p.prepared);
    const delta = footprintDelta(before, sampleFootprint(span));
    const resolution = footprintResolution(layout.regions);
    const slab = slabPerUnit(delta, layout.regions, resolution.slabBytes);
    const figures: Record<FootprintMetric, { value: number | { reason: string }; extra: RecordExtra }> = {
      vma_delta: { value: delta.vmaDelta, extra: {} },
      vma_slab_bytes: slab,
      page_table_bytes: { value: perRegion(delta.pageTableBytes, layout.regions), extra: { resolution: resolution.pageTableBytes } },
    };
    for (const m of metrics) ctx.record(m, figures[m].value, figures[m].extra);
  } finally {
    releaseArena(p);
  }
}

function perRegion(v: number | { reason: string }, regions: number): number | { reason: string } {
  return typeof v === 'number' ? v / regions : v;
}
