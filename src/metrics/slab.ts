/**
 * Kernel memory spent on VMAs, from /proc/slabinfo: the vm_area_struct cache plus the maple tree
 * nodes that index VMAs. slabinfo is system-wide and readable by root only, so the figure is a delta
 * around a large setup, divided per region, and null with a reason when it cannot be read.
 *
 * Beside the bytes, each VMA cache's own line is kept (object size, objects per slab, pages per
 * slab), so a reader can say which cache moved a guard's cost between two kernels: a PROT_NONE
 * guard's VMA slab went from ~340 B on 6.1 to ~420 B on 6.16, and the sum alone cannot say why.
 */
import { readFileSync } from 'node:fs';

/** The caches summed into the VMA slab figure (`vma_slab_bytes`): the same two on every kernel. */
export const VMA_SLAB_CACHES = ['vm_area_struct', 'maple_node'] as const;

/**
 * Every cache a VMA allocates from that is worth explaining: the two above and, on kernels where
 * the per-VMA lock lived apart from the VMA, `vma_lock`. It is reported per guard but not added to
 * `vma_slab_bytes`, whose meaning runs of every kernel share.
 */
export const EXPLAINED_SLAB_CACHES = [...VMA_SLAB_CACHES, 'vma_lock'] as const;

/** One cache's line of /proc/slabinfo. */
export interface SlabCacheLine {
  activeObjs: number;
  /** bytes per object as the allocator lays it out (SLUB's s->size: with alignment and metadata) */
  objSize: number;
  objsPerSlab: number;
  pagesPerSlab: number;
}

export interface SlabSample {
  /** active objects x object size, summed over VMA_SLAB_CACHES */
  bytes: number;
  /** the line of every EXPLAINED_SLAB_CACHES cache slabinfo lists (a merged or absent one is missing) */
  perCache: Record<string, SlabCacheLine>;
}

export type SlabReading = { ok: true; sample: SlabSample } | { ok: false; reason: string };

/** Parse the lines of `names` out of /proc/slabinfo text (version 2.1: name active num size perslab pages ...). */
export function parseSlabinfo(text: string, names: readonly string[]): Record<string, SlabCacheLine> {
  const out: Record<string, SlabCacheLine> = {};
  for (const line of text.split('\n')) {
    const [name, active, , size, perSlab, pages] = line.split(/\s+/);
    if (!name || !names.includes(name)) continue;
    const cache = { activeObjs: Number(active), objSize: Number(size), objsPerSlab: Number(perSlab), pagesPerSlab: Number(pages) };
    if (Object.values(cache).every(Number.isFinite)) out[name] = cache;
  }
  return out;
}

function readSlabinfo(): { ok: true; text: string } | { ok: false; reason: string } {
  try {
    return { ok: true, text: readFileSync('/proc/slabinfo', 'latin1') };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'EACCES' ? '/proc/slabinfo is readable by root only' : `/proc/slabinfo: ${code}` };
  }
}

export function readVmaSlab(): SlabReading {
  const read = readSlabinfo();
  if (!read.ok) return read;
  const perCache = parseSlabinfo(read.text, EXPLAINED_SLAB_CACHES);
  if (!perCache.vm_area_struct) return { ok: false, reason: 'no vm_area_struct cache in /proc/slabinfo (merged slab caches?)' };
  const bytes = VMA_SLAB_CACHES.reduce((sum, name) => sum + (perCache[name] ? perCache[name].activeObjs * perCache[name].objSize : 0), 0);
  return { ok: true, sample: { bytes, perCache } };
}

/** How this kernel lays out its VMA caches, for the run's environment: null with why when unreadable. */
export function readVmaSlabLayout(): { caches: Record<string, Omit<SlabCacheLine, 'activeObjs'>> } | { reason: string } {
  const reading = readVmaSlab();
  if (!reading.ok) return { reason: reading.reason };
  const caches = Object.fromEntries(Object.entries(reading.sample.perCache)
    .map(([name, { objSize, objsPerSlab, pagesPerSlab }]) => [name, { objSize, objsPerSlab, pagesPerSlab }]));
  return { caches };
}
